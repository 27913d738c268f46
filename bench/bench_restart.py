"""Restart with a full office day in the database: 3,000 tickets, each issued,
called, started and completed (12,000+ events), then the server is stopped and
started again; measured from process start to the first answered request.

    python bench/bench_restart.py [--tickets 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time

from harness import free_port, hello, request, run, start_server
from websockets.asyncio.client import connect


async def fill(url: str, tickets: int) -> None:
    kiosk = await hello(url, "kiosk", "bench-kiosk")
    counter = await hello(url, "counter", "bench-counter")
    await request(counter, "login", "l", username="demo", pin="1234")
    await request(counter, "counter.open", "o", counter="6", services=list("ABCDE"))
    batch = 100
    for start in range(0, tickets, batch):
        ids = {f"i{n}" for n in range(start, min(tickets, start + batch))}
        for request_id in sorted(ids):
            await kiosk.send(json.dumps({"type": "ticket.issue", "id": request_id,
                                         "service": "ABCDE"[int(request_id[1:]) % 5]}))
        while ids:
            message = json.loads(await kiosk.recv())
            ids.discard(message.get("id"))
    for n in range(tickets):
        called = await request(counter, "ticket.call_next", f"c{n}", counter="6")
        ticket = called["result"]["ticket"]["id"]
        await request(counter, "ticket.start", f"s{n}", ticket=ticket)
        await request(counter, "ticket.complete", f"d{n}", ticket=ticket)
    await kiosk.close()
    await counter.close()


async def first_answer(url: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        try:
            async with connect(url, open_timeout=1) as ws:
                await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": "kiosk",
                                          "device": "k", "token": "demo-kiosk"}))
                await ws.recv()
                await ws.send(json.dumps({"type": "ping", "id": "p"}))
                await ws.recv()
                return time.perf_counter()
        except OSError:
            await asyncio.sleep(0.005)
    raise RuntimeError("server did not come back")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    db = f"sqlite:///{tempfile.mkdtemp(prefix='antrean-restart-')}/day.db"
    port = free_port()
    server = start_server(db, port)
    began = time.perf_counter()
    await fill(server.url, args.tickets)
    seq = server.health()["seq"]
    print(f"filled a day: {args.tickets} tickets, {seq} events in "
          f"{time.perf_counter() - began:.1f} s")
    server.stop()
    await restarts(db, port, args.rounds, "after a clean stop (SIGTERM)", kill=False)
    await restarts(db, port, args.rounds, "after SIGKILL mid-day", kill=True)


async def restarts(db: str, port: int, rounds: int, label: str, kill: bool) -> None:
    results = []
    for round_ in range(rounds):
        started = time.perf_counter()
        from harness import ROOT, os, subprocess, sys  # the same command start_server runs
        process = subprocess.Popen(
            [sys.executable, "-m", "antrean", "server", "--demo", "--port", str(port),
             "--db", db, "--log-level", "WARNING"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
        answered = await first_answer(f"ws://127.0.0.1:{port}/ws", time.monotonic() + 30)
        results.append(answered - started)
        if kill:
            # A little more of the day, then the power goes: the restart replays
            # the events after the last checkpoint.
            await tail_of_day(f"ws://127.0.0.1:{port}/ws", round_)
            process.kill()
        else:
            process.terminate()
        process.wait(30)
    results.sort()
    print(f"restart {label} -> serving again (process start to first answer), {rounds} "
          f"rounds: median {results[len(results) // 2]:.2f} s, worst {results[-1]:.2f} s")


async def tail_of_day(url: str, round_: int) -> None:
    kiosk = await hello(url, "kiosk", f"tail-kiosk-{round_}")
    ids = {f"t{round_}-{n}" for n in range(300)}
    for request_id in ids:
        await kiosk.send(json.dumps({"type": "ticket.issue", "id": request_id, "service": "E"}))
    while ids:
        ids.discard(json.loads(await kiosk.recv()).get("id"))
    await kiosk.close()


if __name__ == "__main__":
    run(main)
