"""`antrean counter`: the counter staff's console (and the supervisor tab)."""

from __future__ import annotations

import argparse
import sys

from antrean.i18n import tr
from antrean.qt.process import SignalStop, start_application
from antrean.qt.theme import show_window
from counter.window import ConsoleSettings, CounterWindow

WINDOW_SIZE = (1366, 768)


def settings_from(args: argparse.Namespace) -> ConsoleSettings | None:
    """The console's settings, or None when the command line lacks the counter."""
    counter = str(args.counter or "").strip()
    if not counter:
        return None
    return ConsoleSettings(
        server=args.server,
        device=args.device,
        token=args.token or "",
        counter=counter,
        supervisor_token=getattr(args, "supervisor_token", None) or None,
        lang=getattr(args, "lang", "id") or "id",
    )


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings is None:
        print(tr("counter.cli.no_counter", getattr(args, "lang", "id") or "id"),
              file=sys.stderr)
        return 2
    app = start_application("antrean-counter")
    window = CounterWindow(settings)
    show_window(window, bool(args.windowed), WINDOW_SIZE, tile=getattr(args, "tile", None))
    stopper = SignalStop(app.quit)  # Ctrl+C or a service manager's TERM
    window.start()
    window.login_view.username.setFocus()
    try:
        return int(app.exec())
    finally:
        stopper.close()
        window.stop()
