"""`antrean kiosk`: the visitors' touchscreen ticket kiosk (flags: antrean/cli.py).

Full screen with no window chrome and no way out by touch; staff quit with
Ctrl+Alt+Q, and the service manager with SIGTERM. `--windowed` gives a normal window
for trying it out.
"""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from antrean.qt.link import ServerLink
from antrean.qt.process import SignalStop, start_application
from antrean.qt.theme import show_window
from kiosk.printing import TicketPrinter, parse_printer_uri
from kiosk.window import KioskWindow


def run(args: argparse.Namespace) -> int:
    """Start the kiosk and return its exit code when staff (or the system) stop it."""
    try:
        target = parse_printer_uri(args.printer or "none")
    except ValueError as exc:
        print(f"antrean kiosk: {exc}", file=sys.stderr)
        return 2
    timezone = getattr(args, "timezone", None)
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        print(f"antrean kiosk: --timezone: unknown time zone {timezone!r}", file=sys.stderr)
        return 2
    app = start_application("antrean-kiosk")
    link = ServerLink(args.server, "kiosk", args.device, args.token)
    printer = None if target.kind == "none" else TicketPrinter(target)
    window = KioskWindow(
        link,
        printer,
        lang=args.lang,
        idle_seconds=args.idle_seconds,
        lock_close=not args.windowed,
        office_name=getattr(args, "office_name", "") or "",
        timezone=zone,
    )
    window.quit_requested.connect(app.quit)
    # SIGTERM/SIGINT end the kiosk as Ctrl+Alt+Q does (queued tickets still print).
    stopper = SignalStop(window.quit)
    show_window(window, args.windowed, tile=getattr(args, "tile", None))
    link.start()
    try:
        return int(app.exec())
    finally:
        stopper.close()
        link.stop()
        window.shutdown()
