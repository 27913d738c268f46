"""Visitors' phones: 2,000 ticket pages connected live (the `visitor` role),
plus waiting-room displays and counters. Each call is timed from the counter
sending `ticket.call` to the moment the called visitor's page has its
"called" frame, and to the moment the last display has the event; the
server's RSS is read with all pages connected.

The pages that will be called are held by this process; the others (which
receive their service's updates but are not timed) by a second process, so
that reading their frames does not delay this one's clock.

    python bench/bench_visitors.py [--visitors 2000] [--displays 50] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    RawDisplay,
    hello,
    percentile,
    raw_displays,
    request,
    run,
    start_server,
    summary,
)

COUNTERS = 6


async def visitor_pages(port: int, keys: list[str], batch: int = 200) -> list[RawDisplay]:
    """One raw connection per ticket page, saying hello with the ticket's key."""
    loop = asyncio.get_running_loop()
    pages: list[RawDisplay] = []
    for start in range(0, len(keys), batch):
        group = []
        for index in range(start, min(len(keys), start + batch)):
            def make(i: int = index) -> RawDisplay:
                page = RawDisplay(f"phone-{i}", "visitor")
                page.token = keys[i]
                return page
            _, page = await loop.create_connection(make, "127.0.0.1", port)
            group.append(page)
        await asyncio.gather(*(p.welcomed for p in group))
        pages.extend(group)
    return pages


async def hold_pages(port: int, keys_file: str) -> None:
    """The background process: connect the pages, say so, hold them until stdin closes."""
    keys = Path(keys_file).read_text().split()
    pages = await visitor_pages(port, keys)
    print(f"connected {len(pages)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def background_pages(port: int, keys: list[str]) -> asyncio.subprocess.Process:
    keys_file = Path(tempfile.mkdtemp(prefix="antrean-bench-")) / "keys.txt"
    keys_file.write_text("\n".join(keys))
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--hold-pages", str(port), str(keys_file),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode().strip()
    if line != f"connected {len(keys)}":
        raise RuntimeError(f"background pages: {line!r}")
    return process


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    server = start_server()
    try:
        kiosk = await hello(server.url, "kiosk", "bench-kiosk")
        tickets = []
        for i in range(args.visitors):
            answer = await request(kiosk, "ticket.issue", f"i{i}", service="AB"[i % 2])
            tickets.append(answer["result"]["ticket"])
        rss_before = server.rss_mb()
        keys = [t["url"].rsplit("/", 1)[1] for t in tickets]
        order = random.Random(7).sample(range(len(tickets)), min(args.calls, len(tickets)))
        held = await background_pages(server.port,
                                      [k for i, k in enumerate(keys) if i not in set(order)])
        timed = await visitor_pages(server.port, [keys[i] for i in order])
        pages = dict(zip(order, timed, strict=True))
        displays = await raw_displays(server.port, args.displays)
        counters = []
        for i in range(COUNTERS):
            ws = await hello(server.url, "counter", f"bench-counter-{i}")
            await request(ws, "login", f"l{i}", username="demo", pin="1234")
            await request(ws, "counter.open", f"o{i}", counter=str(i + 1), services=["A", "B"])
            counters.append(ws)
        # The server settles its heap 2 s after a burst of connections: let it,
        # as it does in an office long before the first call.
        await asyncio.sleep(3.0)
        rss_with_pages = server.rss_mb()
        seq = int(server.health()["seq"])
        to_page: list[float] = []
        to_displays: list[float] = []
        for call, index in enumerate(order):
            ws = counters[call % COUNTERS]
            page = pages[index]
            page.waiting_for = b'"status":"called"'
            page.arrived = asyncio.get_running_loop().create_future()
            seq += 1
            last_display = asyncio.gather(*(d.expect(seq) for d in displays))
            started = time.perf_counter()
            answer = await request(ws, "ticket.call", f"c{call}", counter=str(call % COUNTERS + 1),
                                   ticket=tickets[index]["id"], reason="bench")
            if answer["type"] != "ok":
                raise RuntimeError(f"call failed: {answer}")
            to_page.append((await page.arrived - started) * 1000)
            to_displays.append((max(await last_display) - started) * 1000)
            seq += 1
            done = asyncio.gather(*(d.expect(seq) for d in displays))
            await request(ws, "ticket.complete", f"d{call}", ticket=tickets[index]["id"])
            await done
        assert held.stdin is not None
        held.stdin.close()
        await held.wait()
        print(summary(f"call -> the called visitor's page ({len(keys)} pages, "
                      f"{args.displays} displays connected)", to_page))
        print(summary(f"call -> all {args.displays} displays (same calls)", to_displays))
        print(f"p99 to the page {percentile(to_page, 99):.2f} ms; server RSS "
              f"{rss_before:.0f} MB before the pages, {rss_with_pages:.0f} MB with "
              f"{len(keys)} pages (+{(rss_with_pages - rss_before) * 1024 / len(keys):.0f} "
              "KB each)")
    finally:
        server.stop()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--hold-pages":
        asyncio.run(hold_pages(int(sys.argv[2]), sys.argv[3]))
    else:
        run(main)
