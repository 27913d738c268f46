"""The last calls before the current one, newest first: number → counter,
for the visitor who looked away when their number came up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from display.look import FitGroup, FittedLabel, FittedPanel, bilingual, repolish

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ROWS = 6

TITLE = 0.036
HEADER = 0.026
ROW = 0.058


class RecentRow(QFrame):
    """One past call: the number on the left, its counter on the right."""

    def __init__(
        self,
        alternate: bool,
        numbers: FitGroup | None = None,
        counters: FitGroup | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recentRow")
        self.setProperty("alternate", alternate)
        self.setProperty("filled", False)
        self.number = FittedLabel("", bold=True, group=numbers)
        self.counter = FittedLabel("", align=RIGHT, group=counters)
        self._layout = QHBoxLayout(self)
        self._layout.addWidget(self.number, 4)
        self._layout.addWidget(self.counter, 6)

    def set_call(self, number: str, counter: str) -> None:
        self.number.setText(number)
        self.counter.setText(counter)
        if self.property("filled") != bool(number):
            self.setProperty("filled", bool(number))  # a blank row shows no stripe
            repolish(self)

    def rescale(self, height: int, scale: float = 1.0) -> None:
        pad = round(height * 0.004 * scale)
        side = round(height * 0.015)
        self._layout.setContentsMargins(side, pad, side, pad)
        self.number.set_pixel_size(round(height * ROW * scale))
        self.counter.set_pixel_size(round(height * ROW * scale), round(height * 0.025 * scale))

    def needed_height(self) -> int:
        margins = self._layout.contentsMargins()
        return margins.top() + margins.bottom() + self.number.minimumHeight()


class RecentCallsPanel(FittedPanel):
    """A fixed number of rows, so the list never jumps when it fills up."""

    def __init__(self, rows: int = ROWS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recentCalls")
        self.title = FittedLabel(bilingual("display.recent"), bold=True)
        headers = FitGroup()
        self.number_header = FittedLabel(bilingual("display.number"), tone="secondary",
                                         group=headers)
        self.counter_header = FittedLabel(bilingual("display.counter"), tone="secondary",
                                          align=RIGHT, group=headers)
        header = QHBoxLayout()
        header.addWidget(self.number_header, 4)
        header.addWidget(self.counter_header, 6)
        self._header = header
        numbers, counters = FitGroup(), FitGroup()
        self.rows = [RecentRow(i % 2 == 0, numbers, counters) for i in range(rows)]
        # After the first call the list would be empty, which reads as broken:
        # a quiet line says there is simply nothing before it yet.
        self.note = FittedLabel("", tone="secondary")
        self.note.hide()
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addLayout(header)
        self._layout.addWidget(self.note)
        for row in self.rows:
            self._layout.addWidget(row)
        self._layout.addStretch(1)

    def show_calls(self, calls: list[tuple[str, str]], note: str = "") -> None:
        """(number, counter name) pairs, newest first; extra rows are left blank.
        `note` shows in place of an empty list (it takes the last row's room,
        so the panel keeps its height)."""
        for index, row in enumerate(self.rows):
            number, counter = calls[index] if index < len(calls) else ("", "")
            row.set_call(number, counter)
        quiet = bool(note) and not calls
        self.note.setText(note if quiet else "")
        self.note.setVisible(quiet)
        self.rows[-1].setVisible(not quiet)

    def shown(self) -> list[tuple[str, str]]:
        """What the rows read now, blank rows left out."""
        return [(r.number.text(), r.counter.text()) for r in self.rows if r.number.text()]

    def _needed_height(self) -> int:
        margins = self._layout.contentsMargins()
        parts = [self.title.minimumHeight(), self.number_header.minimumHeight()]
        parts += [row.needed_height() for row in self.rows]
        return margins.top() + margins.bottom() + self._layout.spacing() * len(parts) + sum(parts)

    def _apply_scale(self, scale: float) -> None:
        height = self._screen_height
        margin = round(height * 0.015 * scale)
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self._layout.setSpacing(round(height * 0.005 * scale))
        self._header.setContentsMargins(round(height * 0.015), 0, round(height * 0.015), 0)
        self.note.setContentsMargins(round(height * 0.015), 0, round(height * 0.015), 0)
        self.title.set_pixel_size(round(height * TITLE * scale))
        self.number_header.set_pixel_size(round(height * HEADER * scale))
        self.note.set_pixel_size(round(height * HEADER * scale))
        self.counter_header.set_pixel_size(round(height * HEADER * scale))
        for row in self.rows:
            row.rescale(height, scale)
