"""Durable ticket issues per second: 8 kiosk connections with 16 requests in
flight each, while a display, a counter and a supervisor (and the kiosks
themselves) receive every event. Each answer means the ticket is committed
(SQLite WAL, synchronous=FULL).

    python bench/bench_issue.py [--seconds 10] [--kiosks 8] [--inflight 16] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from harness import hello, percentile, run, start_server, summary

SERVICES = "ABCDE"


async def kiosk(url: str, index: int, inflight: int, stop_at: float,
                latencies: list[float]) -> int:
    ws = await hello(url, "kiosk", f"bench-kiosk-{index}")
    sent: dict[str, float] = {}
    counter = 0
    done = 0

    async def send_one() -> None:
        nonlocal counter
        counter += 1
        request_id = f"{index}-{counter}"
        sent[request_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "ticket.issue", "id": request_id,
                                  "service": SERVICES[counter % len(SERVICES)]}))

    for _ in range(inflight):
        await send_one()
    async for frame in ws:
        assert isinstance(frame, str)
        if frame.startswith('{"type":"event"'):
            continue
        message = json.loads(frame)
        if message["type"] != "ok":
            raise RuntimeError(f"issue failed: {message}")
        latencies.append((time.perf_counter() - sent.pop(message["id"])) * 1000)
        done += 1
        if time.perf_counter() < stop_at:
            await send_one()
        elif not sent:
            break
    await ws.close()
    return done


async def listener(url: str, role: str, stop: asyncio.Event) -> int:
    ws = await hello(url, role, f"bench-{role}")
    received = 0
    while not stop.is_set():
        try:
            await asyncio.wait_for(ws.recv(), 0.5)
            received += 1
        except TimeoutError:
            continue
    await ws.close()
    return received


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--inflight", type=int, default=16)
    parser.add_argument("--db")
    args = parser.parse_args()
    server = start_server(args.db)
    try:
        stop = asyncio.Event()
        listeners = [asyncio.create_task(listener(server.url, role, stop))
                     for role in ("display", "counter", "supervisor")]
        await asyncio.sleep(0.3)
        latencies: list[float] = []
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        stop_at = started + args.seconds
        counts = await asyncio.gather(*(kiosk(server.url, i, args.inflight, stop_at, latencies)
                                        for i in range(args.kiosks)))
        elapsed = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
        await asyncio.sleep(0.5)
        stop.set()
        received = await asyncio.gather(*listeners)
        total = sum(counts)
        seq = server.health()["seq"]
        print(f"durable issues: {total} in {elapsed:.1f} s = {total / elapsed:,.0f}/s "
              f"({args.kiosks} kiosks x {args.inflight} in flight)")
        print(summary("issue latency", latencies))
        print(f"events received by display/counter/supervisor: {received} (seq now {seq})")
        print(f"server CPU per durable issue: {cpu / total * 1e6:.0f} us "
              f"(= {total / cpu:,.0f} issues/s on one free core; server used "
              f"{cpu / elapsed:.0%} of a core)")
        print(f"server RSS: {server.rss_mb():.0f} MB; p99 {percentile(latencies, 99):.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    run(main)
