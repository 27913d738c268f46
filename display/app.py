"""`antrean display ...`: one waiting-room screen, full screen by default.

Runs all day unattended: the link reconnects by itself, the announcer keeps
its queue, and Ctrl+C in the terminal (or Ctrl+Q on the screen) ends it
cleanly.
"""

from __future__ import annotations

import argparse
import logging
import signal

from PySide6.QtCore import QTimer

from antrean.qt.link import ServerLink
from antrean.qt.theme import ensure_app, show_window
from display.voice import Announcer
from display.window import DisplayOptions, DisplayWindow

WINDOWED_SIZE = (1366, 768)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = ensure_app(["antrean-display"])
    options = DisplayOptions.from_args(args)
    link = ServerLink(args.server, "display", args.device, args.token)
    announcer = Announcer(enabled=options.sound, english=options.english)
    window = DisplayWindow(link, options, announcer)
    show_window(window, args.windowed, size=WINDOWED_SIZE)

    # Qt's loop does not run Python's signal handlers by itself: wake it
    # twice a second so Ctrl+C (or a service manager's TERM) reaches `quit`.
    previous = {sig: signal.signal(sig, lambda *_: app.quit())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(500)

    link.start()
    try:
        return int(app.exec())
    finally:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        announcer.close()
        link.stop()
        window.deleteLater()
