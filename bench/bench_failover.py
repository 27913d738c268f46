"""Hot standby on PostgreSQL: fail-over time over 20 leader kills, and the
throughput of a leader with a standby following it against the same leader
alone, in the same run.

Fail-over: two `antrean server --demo` processes on one schema, a kiosk
issuing a ticket every 20 ms to whichever leads. The leader is SIGKILLed;
measured from the kill to (a) the standby's /healthz saying "leader" and
(b) the kiosk's next ticket answered by the new leader (reconnect, hello,
resend of the request cut off by the kill, its commit). The killed server is
started again as the standby before the next kill.

Throughput: durable issues/s, 8 kiosks x 16 in flight (as bench_issue.py),
phases alternating: leader alone, leader with a standby following; the
leader's CPU per issue (the fencing statement is in every commit either
way) and the standby's CPU per event followed.

    python bench/bench_failover.py [--kills 20] [--seconds 5] [--rounds 3] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import urllib.request

import asyncpg
from bench_issue import kiosk
from harness import ServerProcess, free_port, percentile, run, start_server
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def role(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return str(json.load(r)["role"])
    except OSError:
        return None


def wait_role(port: int, wanted: str, timeout: float = 30) -> float:
    started = time.perf_counter()
    while role(port) != wanted:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"port {port} not {wanted} within {timeout} s")
        time.sleep(0.005)
    return time.perf_counter() - started


class Kiosk:
    """Issues a ticket every 20 ms on whichever server leads; notes when each
    answer came and from which server."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.answered: list[tuple[float, str]] = []
        self.stop = False

    async def run(self) -> None:
        index, n, pending = 0, 0, None
        while not self.stop:
            url = self.urls[index]
            try:
                async with connect(url, open_timeout=2, close_timeout=1, max_queue=None,
                                   max_size=2**26) as ws:
                    await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "kiosk",
                                              "device": "failover-kiosk",
                                              "token": "demo-kiosk"}))
                    if json.loads(await ws.recv())["type"] != "welcome":
                        raise ConnectionClosed(None, None)
                    while not self.stop:
                        if pending is None:
                            n += 1
                            pending = json.dumps({"type": "ticket.issue", "id": f"f-{n}",
                                                  "service": "ABCDE"[n % 5]})
                        await ws.send(pending)
                        wanted = f'"id":"f-{n}"'
                        while wanted not in (text := str(await ws.recv())):
                            pass
                        assert '"type":"ok"' in text, text
                        pending = None
                        self.answered.append((time.perf_counter(), url))
                        await asyncio.sleep(0.02)
            except (ConnectionClosed, OSError, TimeoutError):
                pass
            index = (index + 1) % len(self.urls)
            await asyncio.sleep(0.01)


async def failovers(db: str, kills: int) -> None:
    ports = [free_port(), free_port()]
    urls = [f"ws://127.0.0.1:{port}/ws" for port in ports]
    servers: list[ServerProcess] = [start_server(db, ports[0])]
    wait_role(ports[0], "leader")
    servers.append(start_server(db, ports[1]))
    wait_role(ports[1], "standby")
    client = Kiosk(urls)
    task = asyncio.create_task(client.run())
    takeovers: list[float] = []
    answered: list[float] = []
    leader = 0
    try:
        for kill in range(kills):
            while len(client.answered) < 10 or client.answered[-1][1] != urls[leader]:
                await asyncio.sleep(0.02)
            before = len(client.answered)
            killed_at = time.perf_counter()
            servers[leader].process.kill()
            servers[leader].process.wait()
            standby = 1 - leader
            takeovers.append(await asyncio.to_thread(wait_role, ports[standby], "leader"))
            while not any(url == urls[standby] for _, url in client.answered[before:]):
                await asyncio.sleep(0.001)
            first = next(at for at, url in client.answered[before:] if url == urls[standby])
            answered.append(first - killed_at)
            print(f"kill {kill + 1:2}: new leader in {takeovers[-1] * 1000:6.0f} ms, kiosk's "
                  f"next ticket answered by it after {answered[-1] * 1000:6.0f} ms", flush=True)
            servers[leader] = await asyncio.to_thread(start_server, db, ports[leader])
            await asyncio.to_thread(wait_role, ports[leader], "standby")
            leader = standby
    finally:
        client.stop = True
        await asyncio.wait_for(task, 10)
        for server in servers:
            server.process.kill()
            server.process.wait()
    for name, values in (("standby leads (healthz)", takeovers),
                         ("kiosk served again", answered)):
        ms = [v * 1000 for v in values]
        print(f"fail-over, {name}: p50 {percentile(ms, 50):.0f} ms, "
              f"p99 {percentile(ms, 99):.0f} ms, max {max(ms):.0f} ms over {len(ms)} kills")


async def throughput(db: str, seconds: float, rounds: int) -> None:
    port = free_port()
    leader = start_server(db, port)
    wait_role(port, "leader")
    results: dict[str, list[float]] = {"alone": [], "with a standby": []}
    try:
        warm_up = time.perf_counter() + 5  # caches of both processes and of PostgreSQL
        await asyncio.gather(*(kiosk(leader.url, 100 + i, 16, warm_up, []) for i in range(8)))
        for round_ in range(rounds):
            # Alternating which goes first: the load's own drift favours neither.
            order = ("alone", "with a standby")
            for phase in order if round_ % 2 == 0 else order[::-1]:
                standby = start_server(db) if phase != "alone" else None
                if standby is not None:
                    wait_role(standby.port, "standby")
                latencies: list[float] = []
                cpu = leader.cpu_seconds()
                standby_cpu = standby.cpu_seconds() if standby is not None else 0.0
                started = time.perf_counter()
                counts = await asyncio.gather(*(
                    kiosk(leader.url, i, 16, started + seconds, latencies) for i in range(8)))
                rate = sum(counts) / (time.perf_counter() - started)
                cost = (leader.cpu_seconds() - cpu) / sum(counts) * 1e6
                lag = ""
                if standby is not None:
                    seq = leader.health()["seq"]
                    behind = time.perf_counter()
                    while standby.health()["seq"] < seq:
                        await asyncio.sleep(0.005)
                    caught_up = (time.perf_counter() - behind) * 1000
                    lag = f"; standby at the leader's seq {caught_up:.0f} ms after the load stopped"
                    follow = (standby.cpu_seconds() - standby_cpu) / sum(counts) * 1e6
                    lag += f"; standby CPU {follow:.0f} us per ticket followed"
                    standby.stop()
                results[phase].append(rate)
                print(f"leader {phase}: {rate:,.0f} durable issues/s, leader CPU {cost:.0f} us "
                      f"per issue, p50 "
                      f"{percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms"
                      f"{lag}", flush=True)
    finally:
        leader.stop()
    for phase, rates in results.items():
        print(f"throughput, leader {phase}: " + ", ".join(f"{r:,.0f}/s" for r in rates))


async def drop(db: str, schema: str) -> None:
    url = db.replace("postgresql+asyncpg://", "postgresql://").split("?")[0]
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default=DEFAULT_DB, help="a PostgreSQL URL (without ?schema=)")
    args = parser.parse_args()
    schema = f"antrean_bench_failover_{os.getpid()}"
    try:
        if args.kills:
            await failovers(f"{args.db}?schema={schema}_a", args.kills)
        await throughput(f"{args.db}?schema={schema}_b", args.seconds, args.rounds)
    finally:
        await drop(args.db, f"{schema}_a")
        await drop(args.db, f"{schema}_b")


if __name__ == "__main__":
    run(main)
