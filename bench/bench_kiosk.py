"""Kiosk tap -> ticket on screen: the visitor taps Yes/No on the priority question and
the kiosk window (real, offscreen) asks the server (a real `antrean server --demo`
subprocess, SQLite, durable commit) for the ticket, switches to the ticket screen, fills
it in (number, QR code) and paints it. Printing runs on its own thread and is timed
apart. Prints figures; asserts nothing.

    python bench/bench_kiosk.py [--taps 200] [--size 1920x1080] [--printer none|preview]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import machine, start_server, summary
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from antrean.qt.link import ServerLink
from antrean.qt.theme import ensure_app
from kiosk.printing import TicketPrinter
from kiosk.window import KioskWindow

SERVICES = "ABCDE"


def spin_until(app: QApplication, condition: Callable[[], bool], timeout_s: float = 10) -> None:
    """Runs the Qt event loop (sleeping in it, not polling) until `condition()`."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the kiosk did not get there")
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


class FirstPaint(QObject):
    """Notes when a widget is first painted after `arm()`: the moment it is on screen."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.at: float | None = None
        widget.installEventFilter(self)

    def arm(self) -> None:
        self.at = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton,
                     pos=QPoint(widget.width() // 2, widget.height() // 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--taps", type=int, default=200)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--printer", choices=("none", "preview"), default="preview")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    print(f"machine: {machine()}", flush=True)

    server = start_server()
    app = ensure_app()
    previews = Path(tempfile.mkdtemp(prefix="antrean-bench-tickets-"))
    printer = TicketPrinter(f"preview://{previews}") if args.printer == "preview" else None
    link = ServerLink(server.url, "kiosk", "bench-kiosk", "demo-kiosk")
    window = KioskWindow(link, printer, idle_seconds=600, ticket_seconds=600)
    window.resize(width, height)
    window.show()
    link.start()
    try:
        spin_until(app, lambda: link.connected)
        printed_at: dict[str, float] = {}
        window.print_finished.connect(
            lambda ticket_id, _error: printed_at.setdefault(ticket_id, time.perf_counter())
        )
        number_painted = FirstPaint(window.ticket_screen.number_label)
        on_screen: list[float] = []
        to_printed: list[float] = []
        for index in range(args.taps + 10):  # the first 10 warm up and are not counted
            tap(window.start_screen.take_button)
            tap(window.services_screen.tiles[SERVICES[index % len(SERVICES)]])
            tap(window.requirements_screen.continue_button)
            answer = window.priority_screen.yes_button if index % 4 == 0 else (
                window.priority_screen.no_button)
            number_painted.arm()
            started = time.perf_counter()
            tap(answer)
            spin_until(app, lambda: number_painted.at is not None)
            shown = number_painted.at
            assert shown is not None and window.current_screen() is window.ticket_screen
            ticket_id = str((window.visit.ticket or {}).get("id"))
            if printer is not None:
                spin_until(app, lambda wanted=ticket_id: wanted in printed_at)
            if index >= 10:
                on_screen.append((shown - started) * 1000)
                if printer is not None:
                    to_printed.append((printed_at[ticket_id] - started) * 1000)
            tap(window.ticket_screen.done_button)
        print(f"{args.taps} taps at {width}x{height} against a server subprocess "
              f"(durable SQLite commit per ticket)")
        print(summary("tap -> ticket on screen (number painted)", on_screen))
        if to_printed:
            print(summary("tap -> ticket printed (preview PNG, worker thread)", to_printed))
    finally:
        link.stop()
        window.shutdown()
        server.stop()
        shutil.rmtree(previews, ignore_errors=True)


if __name__ == "__main__":
    main()
