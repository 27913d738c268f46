"""The ticker line: the office's notices and the supervisors' messages,
each in Indonesian then English, scrolling right to left without end.

A message of any length fits, because it moves; a new supervisor message
jumps to the front and is on screen at once. The position comes from a
monotonic clock, not from counting timer ticks, so a busy moment makes the
text skip a little instead of slowing it down.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QElapsedTimer, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QStaticText
from PySide6.QtWidgets import QSizePolicy, QWidget

from antrean.core.model import Text
from antrean.i18n import tr
from antrean.qt.theme import FONT_FAMILY, NAVY
from display.look import TICKER_BG

FRAME_MS = 33  # ~30 frames a second: smooth on a TV, light on a small PC
FONT = 0.03
HEIGHT = 0.06
SPEED = 0.11  # screen heights per second: readable, as on a news channel


class TickerBar(QWidget):
    """Scrolls `messages()` one after another, then starts again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticker")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._messages: list[str] = []
        self._separator = tr("display.ticker_separator")
        self._font = QFont(FONT_FAMILY)
        self._font.setPixelSize(20)
        self._speed = 100.0  # px per second
        self._start_offset = 0.0
        self._clock = QElapsedTimer()
        self._clock.start()
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self.update)
        self._static: QStaticText | None = None
        self._static_key: tuple[str, int] = ("", 0)

    # ------------------------------------------------------------------ API
    def set_texts(self, texts: Sequence[Text], *, restart: bool = False) -> None:
        """The notices in the order to scroll them; `restart` puts the first
        one at the left edge now (a new message must not wait its turn)."""
        messages: list[str] = []
        for text in texts:
            for line in dict.fromkeys((text.id.strip(), text.en.strip())):
                if line:
                    messages.append(line)
        if messages == self._messages and not restart:
            return
        self._messages = messages
        if restart:
            self._start_offset = 0.0
            self._clock.restart()
        self._sync_timer()
        self.update()

    def messages(self) -> list[str]:
        return list(self._messages)

    def text(self) -> str:
        """The whole loop as one line."""
        return self._separator.join(self._messages)

    def offset(self) -> float:
        """How far (px) the loop has scrolled past the left edge."""
        length = self._loop_length()
        if length <= 0:
            return 0.0
        moved = self._start_offset + self._speed * self._clock.elapsed() / 1000
        return moved % length

    def current_message(self) -> str:
        """The message at the left edge now (what a visitor starts reading)."""
        metrics = QFontMetricsF(self._font)
        position = self.offset() + metrics.horizontalAdvance(self._separator) / 2
        for message in self._messages:
            position -= metrics.horizontalAdvance(message + self._separator)
            if position < 0:
                return message
        return self._messages[0] if self._messages else ""

    def rescale(self, height: int) -> None:
        self._font.setPixelSize(max(10, round(height * FONT)))
        self.setFixedHeight(round(height * HEIGHT))
        moved = self.offset()
        self._speed = height * SPEED
        self._start_offset = moved
        self._clock.restart()
        self.update()

    # --------------------------------------------------------------- Qt
    def showEvent(self, event: object) -> None:
        self._sync_timer()

    def hideEvent(self, event: object) -> None:
        self._frames.stop()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(TICKER_BG))
        if self._messages:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.setFont(self._font)
            painter.setPen(QColor(NAVY))
            line = self._static_line()
            length = self._loop_length()
            y = (self.height() - line.size().height()) / 2
            x = self.height() * 0.4 - self.offset()
            while x > 0:
                x -= length
            while x < self.width():
                painter.drawStaticText(QPointF(x, y), line)
                x += length
        painter.end()

    def _static_line(self) -> QStaticText:
        """The laid-out loop, cached: shaping a long line 30 times a second
        would cost a small PC more than everything else on screen."""
        key = (self.text(), self._font.pixelSize())
        if self._static is None or self._static_key != key:
            self._static = QStaticText(self.text() + self._separator)
            self._static.setTextFormat(Qt.TextFormat.PlainText)
            self._static.prepare(font=self._font)
            self._static_key = key
        return self._static

    def _loop_length(self) -> float:
        if not self._messages:
            return 0.0
        return QFontMetricsF(self._font).horizontalAdvance(self.text() + self._separator)

    def _sync_timer(self) -> None:
        if self._messages and self.isVisible():
            self._frames.start()
        else:
            self._frames.stop()
