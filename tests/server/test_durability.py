"""DESIGN.md, nothing acknowledged is ever lost: kill the server at any
instant, restart it, and every ticket, number and event is there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed

import server.commit as server_commit
from server.app import AntreanServer
from server.settings import Config
from tests.server.databases import ON_BOTH_DATABASES, sqlite_url
from tests.server.processes import ServerProcess
from tests.server.servers import Servers, app
from tests.server.wire import RawClient, health, hello_frame
from tests.support import open_counter

Connect = Callable[..., RawClient]
SERVICES = "ABCDE"
KIOSKS = 6
ACKNOWLEDGED_BEFORE_KILL = 150


class Load:
    """What the kiosks sent, what the server acknowledged, what they saw."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], str] = {}  # (device, id) -> service
        self.acked: dict[tuple[str, str], str] = {}  # (device, id) -> the answer's text
        self.max_seq_seen = 0


async def _kiosk(url: str, device: str, load: Load) -> None:
    """Issue tickets one after the other, as fast as the server answers,
    until the connection dies."""
    try:
        async with async_connect(url, max_queue=None, close_timeout=1) as ws:
            await ws.send(hello_frame("kiosk", device))
            json.loads(await ws.recv())
            for n in range(1, 100_000):
                request_id = f"{device}-{n}"
                service = SERVICES[n % len(SERVICES)]
                load.sent[(device, request_id)] = service
                await ws.send(json.dumps({"type": "ticket.issue", "id": request_id,
                                          "service": service}))
                while True:
                    text = await ws.recv(decode=True)
                    assert isinstance(text, str)
                    message = json.loads(text)
                    if message["type"] == "event":
                        load.max_seq_seen = max(load.max_seq_seen, message["seq"])
                    elif message.get("id") == request_id:
                        assert message["type"] == "ok", message
                        load.acked[(device, request_id)] = text
                        break
    except (ConnectionClosed, OSError):
        return


async def _load_then_kill(server: ServerProcess, load: Load) -> None:
    kiosks = [asyncio.create_task(_kiosk(server.url, f"kiosk-{k}", load))
              for k in range(KIOSKS)]
    async with asyncio.timeout(60):
        while len(load.acked) < ACKNOWLEDGED_BEFORE_KILL:
            assert not all(k.done() for k in kiosks), "the kiosks stopped early"
            await asyncio.sleep(0.002)
        server.kill()
        await asyncio.gather(*kiosks)


def _number(answer_text: str) -> str:
    return str(json.loads(answer_text)["result"]["ticket"]["number"])


@pytest.mark.slow
def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path: Path,
                                                       connect: Connect) -> None:
    db = sqlite_url(tmp_path)
    first = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    load = Load()
    asyncio.run(_load_then_kill(first, load))
    assert first.process.returncode == -9
    acked = dict(load.acked)
    in_flight = [key for key in load.sent if key not in acked]
    assert len(acked) >= ACKNOWLEDGED_BEFORE_KILL
    assert in_flight, "the kill should land in the middle of the load"

    second = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        display = connect(second, "display", "display-after")
        welcome = display.welcome
        # Seq continues: nothing seen before the kill is missing or renumbered.
        assert welcome["seq"] >= max(load.max_seq_seen, len(acked))
        held = {t["id"]: t for t in welcome["snapshot"]["tickets"]}
        for text in acked.values():
            ticket = json.loads(text)["result"]["ticket"]
            assert held[ticket["id"]]["number"] == ticket["number"]

        checker = connect(second, "kiosk", "kiosk-checker")
        for text in acked.values():
            ticket = json.loads(text)["result"]["ticket"]
            found = checker.ok("ticket.get", ticket=ticket["id"])["ticket"]
            assert (found["number"], found["status"]) == (ticket["number"], "waiting")

        # The same request ids from the same kiosks: the original answers.
        retried_numbers: dict[tuple[str, str], str] = {}
        kiosks = {device: connect(second, "kiosk", device) for device, _ in load.sent}
        for (device, request_id), text in acked.items():
            again = kiosks[device].raw_request("ticket.issue", request_id,
                                               service=load.sent[(device, request_id)])
            assert again == text, (device, request_id)
        # Requests cut off by the kill: executed at most once.
        for device, request_id in in_flight:
            answer = kiosks[device].raw_request("ticket.issue", request_id,
                                                service=load.sent[(device, request_id)])
            retried_numbers[(device, request_id)] = _number(answer)
        assert health(second.port)["seq"] == welcome["seq"] + sum(
            1 for n in retried_numbers.values() if n not in {t["number"] for t in held.values()})

        # No number is ever handed out twice, new ones included.
        new = [checker.ok("ticket.issue", service=s)["ticket"] for s in SERVICES]
        assert display.stream_through(health(second.port)["seq"])[-1]["seq"] == (
            health(second.port)["seq"])
        every_number = ([_number(t) for t in acked.values()] + list(retried_numbers.values())
                        + [t["number"] for t in new])
        assert len(every_number) == len(set(every_number)), "a number was handed out twice"
        for ticket in new:
            same_service = [n for n in every_number if n.startswith(ticket["service"])]
            assert ticket["number"] == max(same_service)
    finally:
        assert second.terminate() == 0


def _staff_view(connect: Connect, server: Any, device: str) -> dict[str, Any]:
    snapshot: dict[str, Any] = connect(server, "supervisor", device).welcome["snapshot"]
    return snapshot


def _a_morning(server: Any, connect: Connect) -> dict[str, dict[str, Any]]:
    """Tickets waiting in both lanes, one served, one called, a paused
    counter, a closed service, a quota, an announcement, finished tickets;
    every console closed again. The tickets being served and called."""
    kiosk = connect(server, "kiosk", "kiosk-1")
    supervisor = connect(server, "supervisor", "supervisor-1")
    supervisor.login()
    for service, priority in (("A", "regular"), ("A", "regular"), ("A", "regular"),
                              ("B", "regular"), ("A", "priority"), ("C", "regular"),
                              ("E", "regular"), ("E", "regular")):
        kiosk.ok("ticket.issue", service=service, priority=priority)
    fifth = connect(server, "counter", "counter-5")
    open_counter(fifth, "5", ["E"])
    done = fifth.ok("ticket.call_next", counter="5")["ticket"]
    fifth.ok("ticket.start", ticket=done["id"])
    fifth.ok("ticket.complete", ticket=done["id"])
    gone = fifth.ok("ticket.call_next", counter="5")["ticket"]
    fifth.ok("ticket.no_show", ticket=gone["id"])
    fifth.ok("counter.pause", counter="5")
    first = connect(server, "counter", "counter-1")
    open_counter(first, "1", ["A", "B"])
    serving = first.ok("ticket.call_next", counter="1")["ticket"]
    first.ok("ticket.start", ticket=serving["id"])
    third = connect(server, "counter", "counter-3")
    open_counter(third, "3", ["C"])
    called = third.ok("ticket.call_next", counter="3")["ticket"]
    third.ok("ticket.recall", ticket=called["id"])
    supervisor.ok("service.update", service="D", open=False)
    supervisor.ok("service.update", service="B", quota=40)
    supervisor.ok("announce", text={"id": "Harap tenang", "en": "Please keep quiet"})
    for client in (kiosk, supervisor, first, third, fifth):
        client.close()
    return {"serving": serving, "called": called}


def _carries_on(server: Any, connect: Connect, morning: dict[str, dict[str, Any]],
                before: dict[str, Any], seq: int) -> None:
    """After a restart: the same office, and every console carries on."""
    after = _staff_view(connect, server, "supervisor-after")
    assert after == before
    assert health(server.port)["seq"] == seq
    counters = {c["id"]: c for c in after["counters"]}
    assert counters["1"]["ticket"]["id"] == morning["serving"]["id"]
    assert counters["1"]["ticket"]["status"] == "serving"
    assert counters["3"]["ticket"]["id"] == morning["called"]["id"]
    assert counters["3"]["ticket"]["calls"] == 2
    assert counters["5"]["state"] == "paused"
    # Numbering continues, and the consoles carry on where they were.
    kiosk = connect(server, "kiosk", "kiosk-2")
    assert kiosk.ok("ticket.issue", service="A")["ticket"]["number"] == "A005"
    assert kiosk.request("ticket.issue", service="D")["code"] == "service_closed"
    first = connect(server, "counter", "counter-1")
    first.login()
    # (fresh request ids: the console's earlier ids are remembered for the day)
    done = first.request("ticket.complete", "after-restart-1", ticket=morning["serving"]["id"])
    assert done["result"]["ticket"]["status"] == "done"
    again = first.request("ticket.call_next", "after-restart-2", counter="1")
    assert again["result"]["ticket"]["number"] == "A001"
    assert health(server.port)["seq"] == seq + 3


@ON_BOTH_DATABASES
def test_a_restart_restores_the_whole_state(servers: Servers, connect: Connect) -> None:
    server = servers.start()
    morning = _a_morning(server, connect)
    before = _staff_view(connect, server, "supervisor-before")
    assert morning["serving"]["number"] == "A004"  # the priority lane first
    waiting = [t["number"] for t in before["tickets"] if t["status"] == "waiting"]
    assert waiting == ["A001", "A002", "A003", "B001"]
    seq = health(server.port)["seq"]
    _carries_on(servers.restart(server), connect, morning, before, seq)


@pytest.mark.slow
def test_a_crash_restores_the_whole_state(tmp_path: Path, connect: Connect) -> None:
    """The same, with SIGKILL instead of a clean stop: no final checkpoint,
    the state comes from the event log alone."""
    db = sqlite_url(tmp_path)
    first = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        morning = _a_morning(first, connect)
        before = _staff_view(connect, first, "supervisor-before")
        seq = health(first.port)["seq"]
    finally:
        first.kill()
    second = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        _carries_on(second, connect, morning, before, seq)
    finally:
        assert second.terminate() == 0


@ON_BOTH_DATABASES
@pytest.mark.parametrize("checkpoint_every", [3, 10**9], ids=["checkpoints", "events-only"])
def test_restore_rebuilds_the_same_office(checkpoint_every: int, servers: Servers,
                                          connect: Connect,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What a restart reads back (the latest checkpoint and the events after
    it, or the events alone) is the office the running server holds."""
    monkeypatch.setattr(server_commit, "CHECKPOINT_EVERY", checkpoint_every)
    server = servers.start()
    _a_morning(server, connect)
    running = app(server)
    reread = AntreanServer(Config(running.config, servers.db_url, clock=running.clock))
    server.run(reread.store.open())
    try:
        server.run(reread.restore())

        def both(read: Callable[[AntreanServer], Any]) -> tuple[Any, Any]:
            pair: tuple[Any, Any] = server.call(lambda: (read(running), read(reread)))
            return pair

        now = running.clock()
        live, restored = both(lambda s: s.office.snapshot(now))
        assert restored == live
        live, restored = both(lambda s: s.office.figures())
        assert restored == live
        live, restored = both(lambda s: (s.office.seq, sorted(
            (t.number, t.status.value, t.calls) for t in s.office.tickets.values())))
        assert restored == live
    finally:
        server.run(reread.store.close())
