"""`antrean counter`: the counter staff's console (and the supervisor tab)."""

from __future__ import annotations

import argparse
import sys

from antrean.i18n import tr
from antrean.qt.theme import ensure_app, show_window
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
    app = ensure_app(sys.argv[:1])
    window = CounterWindow(settings)
    show_window(window, bool(args.windowed), WINDOW_SIZE)
    window.start()
    window.login_view.username.setFocus()
    code = app.exec()
    window.stop()
    return int(code)
