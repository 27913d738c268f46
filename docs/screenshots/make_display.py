"""Regenerate the waiting-room display screenshots (docs/screenshots/display-*.png).

    .venv/bin/python docs/screenshots/make_display.py

A real server on a free port with a throw-away database, the demo office, a
busy morning made over the wire (tests/display/scenes.py), and the real
display window rendered offscreen at the sizes the issue names.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from antrean.qt.link import ServerLink  # noqa: E402
from antrean.qt.theme import ensure_app  # noqa: E402
from display.voice import Announcer  # noqa: E402
from display.window import DisplayOptions, DisplayWindow  # noqa: E402
from tests.display.scenes import busy_morning  # noqa: E402
from tests.support import (  # noqa: E402
    ServerThread,
    WireClient,
    cached_demo_config,
    open_counter,
)

OUT = Path(__file__).resolve().parent


def pump(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app: QApplication, condition: Callable[[], bool], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the display did not get there in time")
        pump(app, 0.02)


def sample_poster(folder: Path) -> None:
    """A stand-in for an office poster: shapes only (real posters are the office's)."""
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#e9f1fb"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#0a58ca"))
    painter.drawRoundedRect(QRectF(120, 140, 1360, 260), 40, 40)
    painter.setBrush(QColor("#ffc107"))
    painter.drawEllipse(QPointF(420, 780), 230, 230)
    painter.setBrush(QColor("#146c43"))
    painter.drawRoundedRect(QRectF(780, 560, 700, 440), 40, 40)
    painter.end()
    image.save(str(folder / "01-poster.png"))


class Shooter:
    """Opens display windows on the server and saves what they show."""

    def __init__(self, app: QApplication, server: ServerThread) -> None:
        self.app = app
        self.server = server
        self.count = 0

    def open(self, size: tuple[int, int], options: DisplayOptions) -> DisplayWindow:
        self.count += 1
        link = ServerLink(self.server.url, "display", f"display-shot-{self.count}",
                          "demo-display")
        window = DisplayWindow(link, options, Announcer(enabled=False))
        window.resize(*size)
        window.show()
        link.start()
        wait_for(self.app, lambda: link.connected)
        return window

    def shoot(
        self,
        name: str,
        window: DisplayWindow,
        prepare: Callable[[DisplayWindow], None] | None = None,
    ) -> Path:
        pump(self.app, 0.2)
        if prepare is not None:
            prepare(window)
        pump(self.app, 0.2)
        path = OUT / f"{name}-{window.width()}x{window.height()}.png"
        window.grab().save(str(path))
        window.link.stop()
        window.announcer.close()
        window.close()
        window.deleteLater()
        pump(self.app, 0.1)
        print(path.relative_to(ROOT))
        return path


def first_call(app: QApplication, tmp: str) -> None:
    """The first call of the day: "Last calls" says there are no others yet."""
    server = ServerThread(cached_demo_config(), f"sqlite:///{tmp}/first-call.db").start()
    try:
        shooter = Shooter(app, server)
        windows = {lang: shooter.open((1920, 1080), DisplayOptions(lang=lang, highlight_ms=500))
                   for lang in ("id", "en")}
        kiosk = WireClient(server.url, "kiosk", "kiosk-first")
        kiosk.ok("ticket.issue", service="A")
        counter = WireClient(server.url, "counter", "counter-first")
        open_counter(counter, "2", ["A"])
        counter.ok("ticket.call_next", counter="2")
        for lang, window in windows.items():
            wait_for(app, lambda w=window: w.now_calling.number_text() == "A001")
            wait_for(app, lambda w=window: not w.now_calling.is_highlighted())
            shooter.shoot(f"display-first-call-{lang}", window)
        kiosk.close()
        counter.close()
    finally:
        server.stop()


def main() -> int:
    app = ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        first_call(app, tmp)
        server = ServerThread(cached_demo_config(), f"sqlite:///{tmp}/display-shots.db").start()
        try:
            shooter = Shooter(app, server)
            shooter.shoot("display-start-of-day-id",
                          shooter.open((1920, 1080), DisplayOptions()))
            media = Path(tmp) / "media"
            media.mkdir()
            sample_poster(media)
            # Every screen is on before the morning starts, so each saw every call.
            shots: list[tuple[str, DisplayWindow, Callable[[DisplayWindow], None] | None]] = []

            def later(name: str, size: tuple[int, int], options: DisplayOptions,
                      prepare: Callable[[DisplayWindow], None] | None = None) -> None:
                shots.append((name, shooter.open(size, options), prepare))

            def calm(window: DisplayWindow) -> None:
                wait_for(app, lambda: not window.now_calling.is_highlighted())

            def disconnected(window: DisplayWindow) -> None:
                window.link.stop()
                wait_for(app, window.banner.isVisible)

            for lang in ("id", "en"):
                for size in ((1920, 1080), (1366, 768)):
                    later(f"display-calling-{lang}", size, DisplayOptions(lang=lang))
            later("display-calling-id", (3840, 2160), DisplayOptions())
            later("display-calm-id", (1920, 1080), DisplayOptions(highlight_ms=1500), calm)
            for size in ((1920, 1080), (1366, 768)):
                later("display-disconnected-id", size, DisplayOptions(), disconnected)
                later("display-media-id", size, DisplayOptions(media_dir=media))
            later("display-services-BC-en", (1366, 768),
                  DisplayOptions(services=frozenset({"B", "C"}), lang="en"))
            busy_morning(server.url)
            last = shots[0][1]
            wait_for(app, lambda: len(last.shown_calls()) == 7)
            for name, window, prepare in shots:
                shooter.shoot(name, window, prepare)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
