"""`antrean display ...`: one waiting-room screen, full screen by default.

Runs all day unattended: the link reconnects by itself, the announcer keeps
its queue, and Ctrl+C in the terminal (or Ctrl+Q on the screen) ends it
cleanly.
"""

from __future__ import annotations

import argparse

from antrean.qt.link import ServerLink
from antrean.qt.process import SignalStop, start_application
from antrean.qt.theme import show_window
from display.voice import Announcer
from display.window import DisplayOptions, DisplayWindow

WINDOWED_SIZE = (1366, 768)


def run(args: argparse.Namespace) -> int:
    app = start_application("antrean-display")
    options = DisplayOptions.from_args(args)
    link = ServerLink(args.server, "display", args.device, args.token)
    announcer = Announcer(enabled=options.sound, english=options.english)
    announcer.check_output()  # no audio device: said once, now, not at the first call
    window = DisplayWindow(link, options, announcer)
    show_window(window, args.windowed, size=WINDOWED_SIZE, tile=getattr(args, "tile", None))
    stopper = SignalStop(app.quit)  # Ctrl+C or a service manager's TERM
    link.start()
    try:
        return int(app.exec())
    finally:
        stopper.close()
        announcer.close()
        link.stop()
        window.deleteLater()
