"""How long the kiosk takes to turn an issued ticket into printer bytes or a preview PNG.

The visitor stands at the kiosk while this runs, so it should stay far below what a
person notices (target: ESC/POS bytes with the QR code in at most 20 ms at p99).
Run: `python bench/bench_ticket_print.py [--iterations N]`. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from antrean.core.model import Text
from kiosk.printing import TicketPrint, build_ticket_bytes, render_ticket_image

OFFICE = "Kantor Imigrasi Kelas I TPI Jakarta Selatan"
SERVICE = Text("Paspor Baru (Dewasa)", "New Passport (Adult)")
URL = "https://antrean.imigrasi.go.id/jakarta-selatan/tiket/{id}"


def ticket(i: int) -> TicketPrint:
    """A different ticket each time, so no cache sees the same QR payload twice."""
    number = f"A{i % 1000:03d}"
    wire = {
        "id": f"2026-11-23-{number}-{i}",
        "number": number,
        "service": "A",
        "priority": "priority" if i % 7 == 0 else "regular",
        "status": "waiting",
        "issued_at": "2026-11-23T09:15:02.123+07:00",
        "ahead": i % 40,
        "eta_minutes": (i % 40) * 5,
    }
    return TicketPrint.from_wire(wire, OFFICE, SERVICE, URL, "id" if i % 2 else "en")


def png_bytes(t: TicketPrint, paper_mm: int) -> bytes:
    buffer = io.BytesIO()
    render_ticket_image(t, paper_mm).save(buffer, format="PNG")
    return buffer.getvalue()


def measure(name: str, work: Callable[[TicketPrint], bytes], iterations: int) -> None:
    tickets = [ticket(i) for i in range(iterations)]
    work(tickets[0])  # imports, font loading and profile set-up are not per ticket
    gc.collect()
    timings = []
    size = 0
    for t in tickets:
        started = time.perf_counter()
        size = len(work(t))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, round(0.99 * len(timings)) - 1)]
    tracemalloc.start()
    for t in tickets[:20]:
        work(t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{name:<34} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   max {timings[-1]:7.2f} ms"
        f"   peak {peak / 1024:8.1f} KiB   output {size / 1024:6.1f} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    args = parser.parse_args()
    n = args.iterations
    print(f"{n} tickets each; peak memory traced over 20 of them")
    for paper in (80, 58):
        measure(f"ESC/POS, native QR, {paper} mm", lambda t, p=paper: build_ticket_bytes(t, p), n)
    measure(
        "ESC/POS, QR as raster image, 80 mm",
        lambda t: build_ticket_bytes(t, 80, native_qr=False),
        n,
    )
    for paper in (80, 58):
        measure(f"PNG preview (render + encode), {paper} mm", lambda t, p=paper: png_bytes(t, p), n)


if __name__ == "__main__":
    main()
