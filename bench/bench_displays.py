"""5,000 connected displays: one call reaches all of them (time from the
counter's `ticket.call_next` to the last display having the event), and the
server's memory with them all connected.

    python bench/bench_displays.py [--displays 5000] [--calls 100]

The displays are a fleet of raw connections in a process of their own
(bench/fleet.c, or bench/fleet.py where there is no C compiler): on the
server's own two cores, every microsecond the load generator spends per
display is one the server does not get.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from harness import (
    Fleet,
    hello,
    percentile,
    request,
    run,
    start_server,
    summary,
    time_one_call,
)

QUIET_BETWEEN_CALLS = 0.1  # seconds


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--displays", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    server = start_server()
    try:
        idle_rss = server.rss_mb()
        kiosk = await hello(server.url, "kiosk", "bench-kiosk")
        for i in range(args.calls + 1):
            await request(kiosk, "ticket.issue", f"i{i}", service="A")
        counter = await hello(server.url, "counter", "bench-counter")
        await request(counter, "login", "l", username="demo", pin="1234")
        await request(counter, "counter.open", "o", counter="1", services=["A"])
        started = time.perf_counter()
        displays = await Fleet.start(server.port, args.displays)
        connect_s = time.perf_counter() - started
        await asyncio.sleep(3)  # past the server settling its heap after the burst
        clients = server.health()["clients"]
        rss = server.rss_mb()
        seq = int(server.health()["seq"])
        # One call untimed: the first after a room connects finds cold caches.
        _, seq = await time_one_call(counter, "1", "warm-up", displays, seq)
        latencies: list[float] = []
        cpu_before = server.cpu_seconds()
        client_cpu_before = displays.cpu_seconds()
        for call in range(args.calls):
            latency, seq = await time_one_call(counter, "1", str(call), displays, seq)
            latencies.append(latency)
            # Calls in an office are seconds apart: let the last one's echoes
            # (the displays' TCP acknowledgements) settle before the next.
            await asyncio.sleep(QUIET_BETWEEN_CALLS)
        cpu_per_call = (server.cpu_seconds() - cpu_before) / args.calls * 1000
        print(f"server CPU per call (call_next + complete, each fanned out to all): "
              f"{cpu_per_call:.1f} ms")
        client_cpu = (displays.cpu_seconds() - client_cpu_before) / args.calls * 1000
        print(f"load generator CPU per call (receiving both events on every display): "
              f"{client_cpu:.1f} ms")
        print(f"connected {args.displays} displays ({displays.kind} fleet) in {connect_s:.1f} s "
              f"(healthz says {clients['display']} displays)")
        print(summary(f"call -> all {args.displays} displays", latencies))
        print(f"server RSS: {idle_rss:.0f} MB idle, {rss:.0f} MB with {args.displays} displays; "
              f"p99 {percentile(latencies, 99):.1f} ms")
        await displays.close()
        await counter.close()
        await kiosk.close()
    finally:
        server.stop()


if __name__ == "__main__":
    run(main)
