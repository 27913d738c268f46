"""Fail-over under load through real processes on the test PostgreSQL: two
`antrean server` processes for one office, kiosks and counters working, the
leader SIGKILLed again and again (and once cut off with pg_terminate_backend).
No acknowledged ticket is lost, no number is given twice, seq never goes
back, every request is answered once, every client moves to the new leader."""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.server.databases import fresh_postgres_url
from tests.server.failover import (
    Ledger,
    LoadClient,
    terminate_process_connections,
)
from tests.server.processes import ServerProcess
from tests.server.wire import fetch

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
KILLS = 10
KIOSKS = 2
COUNTERS = 2
ANSWERS_BETWEEN_KILLS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def role_of(port: int) -> str | None:
    """The server's role, or None while it does not answer."""
    try:
        status, body = fetch(port)
    except OSError:
        return None
    if status != 200:
        return None
    import json

    return str(json.loads(body)["role"])


class Pair:
    """Two server processes on fixed ports, either of which may be restarted."""

    def __init__(self, db_url: str, folder: Path) -> None:
        self.db_url = db_url
        self.folder = folder
        self.ports = [free_port(), free_port()]
        self.processes: list[ServerProcess | None] = [None, None]

    @property
    def urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{port}/ws" for port in self.ports]

    def start(self, index: int) -> ServerProcess:
        process = ServerProcess("--demo", "--db", self.db_url, "--port", str(self.ports[index]),
                                log_file=self.folder / f"server-{index}.log")
        self.processes[index] = process
        return process

    def leader(self) -> int:
        roles = [role_of(port) for port in self.ports]
        assert roles.count("leader") == 1, roles
        return roles.index("leader")

    def stop_all(self) -> None:
        for process in self.processes:
            if process is not None and process.process.poll() is None:
                process.kill()


async def _wait(condition: object, timeout: float, what: str) -> float:
    """Seconds until `condition()` holds (fails after `timeout`)."""
    started = time.monotonic()
    assert callable(condition)
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def _run_failovers(pair: Pair, clients: list[LoadClient], ledger: Ledger
                         ) -> list[tuple[float, float]]:
    """SIGKILL the leader KILLS times, then cut the next leader off from
    PostgreSQL: (take-over, all clients moved) seconds for each."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(client.run(stop)) for client in clients]
    times: list[tuple[float, float]] = []
    try:
        for kill in range(KILLS + 1):
            times.append(await _fail_over(pair, clients, ledger, cut=kill == KILLS,
                                          number=kill + 1))
        answered = len(ledger.answers)
        await _wait(lambda: len(ledger.answers) >= answered + ANSWERS_BETWEEN_KILLS, 20,
                    "clients at work after the last fail-over")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)
    return times


async def _fail_over(pair: Pair, clients: list[LoadClient], ledger: Ledger, cut: bool,
                     number: int) -> tuple[float, float]:
    leader = await asyncio.to_thread(pair.leader)
    standby = 1 - leader
    answered = len(ledger.answers)
    await _wait(lambda: all(c.url == pair.urls[leader] for c in clients)
                and len(ledger.answers) >= answered + ANSWERS_BETWEEN_KILLS,
                20, "clients at work on the leader")
    process = pair.processes[leader]
    assert process is not None
    killed_at = time.monotonic()
    if cut:  # a partition: the process lives on, its database connections are cut
        cut_off = await asyncio.to_thread(terminate_process_connections, pair.db_url,
                                          process.process.pid)
        assert cut_off >= 2
    else:
        process.kill()
        # Started again at once (as systemd would): it comes up as the standby.
        restart = asyncio.create_task(asyncio.to_thread(pair.start, leader))
    took_over = await _wait(lambda: role_of(pair.ports[standby]) == "leader", 15,
                            "the standby takes over")
    await _wait(lambda: all(c.url == pair.urls[standby] for c in clients), 15,
                "every client reconnected to the new leader")
    moved = time.monotonic() - killed_at
    print(f"fail-over {number} ({'cut off' if cut else 'SIGKILL'}): new leader in "
          f"{took_over * 1000:.0f} ms, all {len(clients)} clients on it in "
          f"{moved * 1000:.0f} ms", flush=True)
    if cut:
        await _wait(lambda: role_of(pair.ports[leader]) == "standby", 15,
                    "the cut-off leader steps down to standby")
    else:
        await restart
        await _wait(lambda: role_of(pair.ports[leader]) == "standby", 15,
                    "the restarted server is the standby")
    return took_over, moved


def _database_facts(db_url: str) -> tuple[list[tuple[str, str, str]], list[int]]:
    from server.store import Store

    async def read() -> tuple[list[tuple[str, str, str]], list[int]]:
        store = Store(db_url)
        try:
            tickets = await store._run(lambda conn: conn.exec_driver_sql(
                "SELECT id, number, day FROM tickets").all())
            seqs = await store._run(lambda conn: conn.exec_driver_sql(
                "SELECT seq FROM events ORDER BY seq").scalars().all())
            return [tuple(row) for row in tickets], [int(seq) for seq in seqs]
        finally:
            await store.close()

    return asyncio.run(read())


def test_repeated_leader_kills_lose_nothing_and_every_client_follows(tmp_path: Path) -> None:
    db_url = fresh_postgres_url()
    pair = Pair(db_url, tmp_path)
    ledger = Ledger()
    try:
        pair.start(0)
        pair.start(1)
        assert [role_of(port) for port in pair.ports] == ["leader", "standby"]
        clients = ([LoadClient("kiosk", f"kiosk-{k}", pair.urls, ledger)
                    for k in range(1, KIOSKS + 1)]
                   + [LoadClient("counter", f"counter-{c}", pair.urls, ledger)
                      for c in range(1, COUNTERS + 1)])
        times = asyncio.run(_run_failovers(pair, clients, ledger))
    finally:
        pair.stop_all()
    assert len(times) == KILLS + 1
    assert ledger.problems == []
    # Every request was answered, and answered the same way each time it was sent.
    for request_id, texts in ledger.answers.items():
        assert len(set(texts)) == 1, (request_id, texts)
    tickets, seqs = _database_facts(db_url)
    # No acknowledged ticket lost; no ticket made twice for one request.
    held = {ticket_id: number for ticket_id, number, _ in tickets}
    for ticket_id, number in ledger.issued.values():
        assert held.get(ticket_id) == number
    assert len(tickets) == len(ledger.issued)
    # No number given twice (one office day here).
    numbers = Counter((day, number) for _, number, day in tickets)
    assert max(numbers.values()) == 1
    # The log has every seq once, in order, with no gap (seq never went back).
    assert seqs == list(range(1, len(seqs) + 1))
    print(f"{len(ledger.issued)} tickets, {len(seqs)} events, "
          f"{sum(c.welcomes for c in clients)} welcomes over {len(times)} fail-overs")
