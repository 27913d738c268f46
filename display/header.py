"""The top line: the office's logo and name, today's date and the clock (in
the office's time zone, whatever the PC is set to)."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from antrean.i18n import tr
from antrean.qt.theme import FONT_FAMILY
from display.look import HIGHLIGHT, HIGHLIGHT_TEXT, FittedLabel

log = logging.getLogger(__name__)

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HEIGHT = 0.1
NAME = 0.042
NOTE = 0.022
DATE = 0.026
TIME = 0.045


def initials(name: str) -> str:
    """"Kantor Imigrasi ..." -> "KI": the emblem when the office has no logo file."""
    letters = [word[0] for word in name.split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper()


class LogoView(QWidget):
    """The office's logo file when this PC can read it, else an emblem made
    of the office's initials (a display never shows a broken image)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._source: str | None = None
        self._initials = ""

    def set_logo(self, source: str | None, office_name: str) -> None:
        self._initials = initials(office_name)
        if source != self._source:
            self._source = source
            self._pixmap = None
            if source and Path(source).is_file():
                pixmap = QPixmap(source)
                if pixmap.isNull():
                    log.warning("logo %s is not an image this display can read", source)
                else:
                    self._pixmap = pixmap
        self.update()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        side = min(self.width(), self.height())
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        if self._pixmap is not None:
            scaled = self._pixmap.size().scaled(
                int(side), int(side), Qt.AspectRatioMode.KeepAspectRatio
            )
            target = QRectF(
                box.x() + (side - scaled.width()) / 2, box.y() + (side - scaled.height()) / 2,
                scaled.width(), scaled.height(),
            )
            painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
        elif self._initials:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(HIGHLIGHT))
            painter.drawEllipse(box)
            font = QFont(FONT_FAMILY)
            font.setBold(True)
            font.setPixelSize(max(8, round(side * 0.42)))
            painter.setFont(font)
            painter.setPen(QColor(HIGHLIGHT_TEXT))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self._initials)
        painter.end()


class HeaderBar(QWidget):
    """Logo, office name, an optional note (e.g. "no audio device"), date, clock."""

    def __init__(self, lang: str = "id", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.tz: tzinfo | None = None
        self.logo = LogoView()
        self.office_name = FittedLabel("", bold=True)
        self.note = FittedLabel("", tone="secondary")
        self.date = FittedLabel("", tone="secondary", align=RIGHT)
        self.time = FittedLabel("", bold=True, align=RIGHT)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addStretch(1)
        names.addWidget(self.office_name)
        names.addWidget(self.note)
        names.addStretch(1)
        clock = QVBoxLayout()
        clock.setSpacing(0)
        clock.addStretch(1)
        clock.addWidget(self.time)
        clock.addWidget(self.date)
        clock.addStretch(1)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.logo, 0)
        self._layout.addLayout(names, 5)
        self._layout.addLayout(clock, 2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._ticks = QTimer(self)
        self._ticks.setInterval(1000)
        self._ticks.timeout.connect(self.tick)
        self._ticks.start()
        self.note.hide()
        self.tick()

    def set_office(self, name: str, logo: str | None, tz: tzinfo) -> None:
        self.office_name.setText(name)
        self.logo.set_logo(logo, name)
        self.tz = tz
        self.tick()

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def tick(self, now: datetime | None = None) -> None:
        """Show `now` (default: this moment) in the office's time zone."""
        local = (now or datetime.now(self.tz)).astimezone(self.tz)
        lang = self.lang
        self.date.setText(tr(
            "display.date", lang,
            weekday=tr(f"display.weekday.{local.isoweekday()}", lang),
            day=local.day, month=tr(f"display.month.{local.month}", lang), year=local.year,
        ))
        self.time.setText(tr(
            "display.time", lang, hour=local.hour, minute=local.minute,
            zone=local.tzname() or "",
        ).strip())

    def rescale(self, height: int) -> None:
        self.setFixedHeight(round(height * HEIGHT))
        self._layout.setSpacing(round(height * 0.015))
        side = round(height * HEIGHT * 0.82)
        self.logo.setFixedSize(side, side)
        self.office_name.set_pixel_size(round(height * NAME), round(height * 0.022))
        self.note.set_pixel_size(round(height * NOTE), round(height * 0.014))
        self.date.set_pixel_size(round(height * DATE), round(height * 0.016))
        self.time.set_pixel_size(round(height * TIME), round(height * 0.025))
