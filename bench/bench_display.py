"""How long from a counter's "call next" to the waiting-room screen showing it.

    .venv/bin/python bench/bench_display.py [--calls 300] [--size 1920x1080]

A real server in its own process (the demo office, a throw-away SQLite
file), a counter console as a plain wire client, and the real display window
rendered offscreen. Each round: the counter sends `ticket.call_next`, the
clock runs until the display's "Now calling" label holds the new number
(`view_updated`), then until that panel has been painted; the ticket is then
completed outside the timing. Prints p50/p90/p99/max of both.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from antrean.qt.link import ServerLink  # noqa: E402
from antrean.qt.theme import ensure_app  # noqa: E402
from display.voice import Announcer  # noqa: E402
from display.window import DisplayOptions, DisplayWindow  # noqa: E402
from tests.support import WireClient, open_counter  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "antrean", "server", "--demo", "--port", str(port),
         "--db", f"sqlite:///{db}", "--log-level", "WARNING"],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if json.load(reply).get("status") == "ok":
                    return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(f"{name:<28} p50 {statistics.median(ms):7.2f} ms   p90 {percentile(ms, 0.90):7.2f} ms"
          f"   p99 {percentile(ms, 0.99):7.2f} ms   max {max(ms):7.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--size", default="1920x1080")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    if not 1 <= args.calls <= 999:
        raise SystemExit("--calls: 1 to 999 (one service's numbers in a day)")

    app = ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start_server(Path(tmp) / "bench.db")
        url = f"ws://127.0.0.1:{port}/ws"
        try:
            kiosk = WireClient(url, "kiosk", "kiosk-bench")
            for _ in range(args.calls):
                kiosk.ok("ticket.issue", service="A")
            kiosk.close()
            counter = WireClient(url, "counter", "counter-bench")
            open_counter(counter, "1", ["A"])

            link = ServerLink(url, "display", "display-bench", "demo-display")
            window = DisplayWindow(link, DisplayOptions(), Announcer(enabled=False))
            window.resize(width, height)
            window.show()
            link.start()
            wait = QEventLoop()
            link.connected_changed.connect(lambda up: wait.quit() if up else None)
            QTimer.singleShot(10_000, wait.quit)
            wait.exec()
            if not link.connected:
                raise SystemExit("the display did not connect")
            app.processEvents()

            shown: list[float] = []
            painted: list[float] = []
            expected = {"number": ""}
            moment = {"shown": 0.0}
            loop = QEventLoop()

            def on_update() -> None:
                if window.now_calling.number_text() == expected["number"]:
                    moment["shown"] = time.perf_counter()
                    loop.quit()

            window.view_updated.connect(on_update)
            timeout = QTimer()
            timeout.setSingleShot(True)
            timeout.timeout.connect(loop.quit)
            for index in range(1, args.calls + 1):
                expected["number"] = f"A{index:03d}"
                moment["shown"] = 0.0
                request_id = f"bench-call-{index}"
                begin = time.perf_counter()
                counter.send({"type": "ticket.call_next", "id": request_id, "counter": "1"})
                timeout.start(5000)
                loop.exec()
                timeout.stop()
                if not moment["shown"]:
                    raise SystemExit(f"call {index}: the display never showed it")
                window.now_calling.repaint()  # the panel, drawn now (offscreen raster)
                done = time.perf_counter()
                shown.append(moment["shown"] - begin)
                painted.append(done - begin)
                answer = counter.answer(request_id)
                ticket = answer["result"]["ticket"]
                assert ticket["number"] == expected["number"], answer
                counter.ok("ticket.complete", ticket=ticket["id"])
            counter.close()
            link.stop()
            window.close()
            closing = time.monotonic() + 2  # let the display's socket close cleanly
            while link.connected and time.monotonic() < closing:
                app.processEvents()
                time.sleep(0.01)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()

    print(f"{args.calls} calls, display {width}x{height} offscreen, server in its own process")
    report("call -> label shows it", shown)
    report("call -> panel painted", painted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
