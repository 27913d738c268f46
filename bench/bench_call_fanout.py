"""Call -> every display received it. 50 displays and 30 counter consoles are
connected (6 of them open and calling, the rest watching); each call is timed
from the counter sending `ticket.call_next` to the moment the last of the 50
displays has the `ticket.called` event.

    python bench/bench_call_fanout.py [--calls 300] [--displays 50] [--counters 30]
"""

from __future__ import annotations

import argparse
import asyncio

from harness import (
    hello,
    percentile,
    raw_displays,
    request,
    run,
    start_server,
    summary,
    time_one_call,
)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--counters", type=int, default=30)
    args = parser.parse_args()
    server = start_server()
    try:
        kiosk = await hello(server.url, "kiosk", "bench-kiosk")
        for i in range(args.calls):
            await request(kiosk, "ticket.issue", f"i{i}", service="AB"[i % 2])
        displays = await raw_displays(server.port, args.displays)
        # Six consoles work (real protocol clients); the other counter consoles
        # are connected and receive every event, as light clients so that the
        # load generator's own JSON parsing is not what gets measured.
        working = []
        for i in range(6):
            ws = await hello(server.url, "counter", f"bench-counter-{i}")
            await request(ws, "login", f"l{i}", username="demo", pin="1234")
            working.append(ws)
        watching = await raw_displays(server.port, args.counters - len(working),
                                      prefix="bench-counter-idle", role="counter")
        for i, ws in enumerate(working):
            await request(ws, "counter.open", f"o{i}", counter=str(i + 1), services=["A", "B"])
        await asyncio.sleep(0.5)
        seq = int(server.health()["seq"])
        latencies: list[float] = []
        for call in range(args.calls):
            ws = working[call % len(working)]
            counter_id = str(call % len(working) + 1)
            latency, seq = await time_one_call(ws, counter_id, str(call), displays, seq)
            latencies.append(latency)
        print(summary(f"call -> all {args.displays} displays ({args.counters} counters "
                      "connected)", latencies))
        print(f"p99 {percentile(latencies, 99):.2f} ms; server RSS {server.rss_mb():.0f} MB")
        for ws in working:
            await ws.close()
        for client in watching:
            if client.transport is not None:
                client.transport.close()
        await kiosk.close()

    finally:
        server.stop()


if __name__ == "__main__":
    run(main)
