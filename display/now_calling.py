"""The "Now calling" panel: the latest number and where to go, big enough to
read from the back of the hall, lit up for a while on every call and recall."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QVBoxLayout, QWidget

from antrean.core.model import Text
from display.look import FittedLabel, FittedPanel, bilingual, repolish

CENTER = Qt.AlignmentFlag.AlignCenter
HIGHLIGHT_MS = 10_000

# Sizes as fractions of the window height.
TITLE = 0.036
NUMBER = 0.23
NUMBER_MIN = 0.15  # DejaVu's capitals are 0.73 em: still over 10% of the screen
GO_TO = 0.03
COUNTER = 0.085
COUNTER_EN = 0.045
STEP = 0.035


class NowCallingPanel(FittedPanel):
    """Shows one call; `highlight()` lights it up for `highlight_ms`."""

    def __init__(self, highlight_ms: int = HIGHLIGHT_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nowCalling")
        self.setProperty("highlighted", False)
        self.title = FittedLabel(bilingual("display.now_calling"), bold=True, align=CENTER)
        self.number = FittedLabel("", bold=True, align=CENTER)
        self.number.setObjectName("nowCallingNumber")
        self.go_to = FittedLabel(bilingual("display.no_calls"), tone="secondary", align=CENTER)
        self.counter = FittedLabel("", bold=True, align=CENTER)
        self.counter_en = FittedLabel("", tone="secondary", align=CENTER)
        self.step = FittedLabel("", bold=True, align=CENTER)  # a multi-step visit's step
        self.step.setObjectName("nowCallingStep")
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)
        for label in (self.title, self.number, self.go_to, self.counter, self.counter_en,
                      self.step):
            self._layout.addWidget(label)
        self._layout.addStretch(1)
        self.show_nothing()
        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.setInterval(highlight_ms)
        self._highlight_timer.timeout.connect(lambda: self._set_highlighted(False))

    def show_call(self, number: str, counter_name: Text, step: str = "") -> None:
        for label in (self.number, self.counter, self.counter_en):
            label.show()
        self.number.setText(number)
        self.go_to.setText(bilingual("display.go_to"))
        self.counter.setText(counter_name.id)
        self.counter_en.setText(counter_name.en if counter_name.en != counter_name.id else "")
        self.step.setText(step)
        self.step.setVisible(bool(step))

    def show_nothing(self) -> None:
        """No call yet today (or the day just rolled over)."""
        self._set_highlighted(False)
        self.number.setText("")
        self.go_to.setText(bilingual("display.no_calls"))
        self.counter.setText("")
        self.counter_en.setText("")
        self.step.setText("")
        for label in (self.number, self.counter, self.counter_en, self.step):
            label.hide()  # the message sits in the middle, not under an empty gap

    def highlight(self) -> None:
        """Light up (again): every new call and every recall restarts it."""
        self._highlight_timer.start()
        self._set_highlighted(True)

    def is_highlighted(self) -> bool:
        return bool(self.property("highlighted"))

    def number_text(self) -> str:
        return self.number.text()

    def counter_text(self) -> str:
        return self.counter.text()

    def number_cap_height(self) -> int:
        """Height of the number's capitals in pixels (the issue asks >= 10% of the screen)."""
        return QFontMetrics(self.number.font()).capHeight()

    def step_text(self) -> str:
        return self.step.text() if self.step.isVisibleTo(self) else ""

    def _lines(self) -> tuple[FittedLabel, ...]:
        return (self.title, self.number, self.go_to, self.counter, self.counter_en, self.step)

    def _needed_height(self) -> int:
        margins = self._layout.contentsMargins()
        lines = self._lines()
        return (margins.top() + margins.bottom() + self._layout.spacing() * (len(lines) - 1)
                + sum(line.minimumHeight() for line in lines))

    def _apply_scale(self, scale: float) -> None:
        height = self._screen_height
        margin = round(height * 0.015 * scale)
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(round(height * 0.006 * scale))
        self.title.set_pixel_size(round(height * TITLE * scale))
        number_min = round(height * NUMBER_MIN)
        self.number.set_pixel_size(max(number_min, round(height * NUMBER * scale)), number_min)
        self.go_to.set_pixel_size(round(height * GO_TO * scale))
        self.counter.set_pixel_size(round(height * COUNTER * scale), round(height * 0.04 * scale))
        self.counter_en.set_pixel_size(round(height * COUNTER_EN * scale))
        self.step.set_pixel_size(round(height * STEP * scale))

    def _set_highlighted(self, on: bool) -> None:
        if on != self.is_highlighted():
            self.setProperty("highlighted", on)
            repolish(self)
