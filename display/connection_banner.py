"""The red line that says the screen is not live: connecting, connection
lost, or refused by the server. Hidden while everything is well."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from antrean.i18n import tr
from display.look import FittedLabel

CENTER = Qt.AlignmentFlag.AlignCenter
LINE = 0.036
LINE_EN = 0.028


class ConnectionBanner(QFrame):
    """Indonesian on the first line, English below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.line = FittedLabel("", bold=True, align=CENTER)
        self.line_en = FittedLabel("", align=CENTER)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.line)
        self._layout.addWidget(self.line_en)
        self.key = ""
        self.hide()

    def show_message(self, key: str) -> None:
        self.key = key
        self.line.setText(tr(key, "id"))
        self.line_en.setText(tr(key, "en"))
        self.show()

    def clear(self) -> None:
        self.key = ""
        self.hide()

    def text(self) -> str:
        return f"{self.line.text()}\n{self.line_en.text()}" if self.key else ""

    def rescale(self, height: int) -> None:
        pad = round(height * 0.008)
        self._layout.setContentsMargins(pad, pad, pad, pad)
        self._layout.setSpacing(0)
        self.line.set_pixel_size(round(height * LINE), round(height * 0.018))
        self.line_en.set_pixel_size(round(height * LINE_EN), round(height * 0.014))
