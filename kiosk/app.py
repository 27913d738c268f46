"""`antrean kiosk`: the visitors' touchscreen ticket kiosk (flags: antrean/cli.py).

Full screen with no window chrome and no way out by touch; staff quit with
Ctrl+Alt+Q, and the service manager with SIGTERM. `--windowed` gives a normal window
for trying it out.
"""

from __future__ import annotations

import argparse
import signal
import sys

from PySide6.QtCore import QTimer

from antrean.qt.link import ServerLink
from antrean.qt.theme import ensure_app, show_window
from kiosk.printing import TicketPrinter, parse_printer_uri
from kiosk.window import KioskWindow

SIGNAL_POLL_MS = 250


def run(args: argparse.Namespace) -> int:
    """Start the kiosk and return its exit code when staff (or the system) stop it."""
    try:
        target = parse_printer_uri(args.printer or "none")
    except ValueError as exc:
        print(f"antrean kiosk: {exc}", file=sys.stderr)
        return 2
    app = ensure_app(sys.argv[:1])
    link = ServerLink(args.server, "kiosk", args.device, args.token)
    printer = None if target.kind == "none" else TicketPrinter(target)
    window = KioskWindow(
        link,
        printer,
        lang=args.lang,
        idle_seconds=args.idle_seconds,
        lock_close=not args.windowed,
    )
    window.quit_requested.connect(app.quit)
    # Python runs signal handlers only between bytecodes: a timer lets it in now and
    # then, so SIGTERM/SIGINT end the kiosk cleanly (queued tickets still print).
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: window.quit())
    wakeup = QTimer()
    wakeup.start(SIGNAL_POLL_MS)
    wakeup.timeout.connect(lambda: None)
    show_window(window, args.windowed)
    link.start()
    try:
        return int(app.exec())
    finally:
        wakeup.stop()
        link.stop()
        window.shutdown()
