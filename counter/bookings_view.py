"""Qt view for the supervisor's bookings: add one by hand (a visitor who phoned,
an M-Paspor slot the import missed), cancel one, and see today's list with the
ones already checked in. It talks `booking.add`, `booking.cancel` and
`booking.list` over the supervisor's own link."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QWidget,
)

from antrean.core.office import Office
from antrean.i18n import error_text, tr
from antrean.qt.link import Answer, ServerLink
from antrean.views import BookingView, WireError
from counter.widgets import card, named_label

log = logging.getLogger("antrean.counter")

BOOKING_COLUMNS = ("code", "service", "slot", "name", "state")
SLOT_MINUTES = 30
CANCEL_COLUMN_PX = 150


class BookingsView(QWidget):
    """A card: the add form, and today's bookings with a Cancel per row."""

    report = Signal(str, str)  # kind, text (the console's message bar)

    def __init__(self, link: ServerLink, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.lang = lang
        self.bookings: list[BookingView] = []
        self.title = QLabel()
        frame, box = card(self.title)
        self.labels = {key: named_label("fieldLabel") for key in
                       ("code", "service", "date", "start", "end", "name")}
        self.code = QLineEdit()
        self.code.setMaxLength(40)
        self.service = QComboBox()
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self._date_touched = False  # until staff pick a date, it follows the office day
        self.date.userDateChanged.connect(lambda _d: setattr(self, "_date_touched", True))
        self.start = QTimeEdit(QTime(8, 0))
        self.start.setDisplayFormat("HH:mm")
        self.end = QTimeEdit(QTime(8, SLOT_MINUTES))
        self.end.setDisplayFormat("HH:mm")
        self.start.timeChanged.connect(
            lambda t: self.end.setTime(t.addSecs(SLOT_MINUTES * 60)))
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.add_button = QPushButton()
        self.add_button.setObjectName("compact")
        self.add_button.clicked.connect(self.add)
        self.code.textChanged.connect(lambda _text: self._update_enabled())
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        fields: tuple[QWidget, ...] = (self.code, self.service, self.date, self.start, self.end,
                                       self.name)
        for column, (label, field) in enumerate(zip(self.labels.values(), fields, strict=True)):
            label.setBuddy(field)
            form.addWidget(label, 0, column)
            form.addWidget(field, 1, column)
        form.addWidget(self.add_button, 1, len(fields))
        box.addLayout(form)
        self.table = QTableWidget(0, len(BOOKING_COLUMNS) + 1)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(44)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BOOKING_COLUMNS.index("name"),
                                    QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(len(BOOKING_COLUMNS), QHeaderView.ResizeMode.Fixed)
        self.table.setMinimumHeight(160)
        self.none_label = named_label("hint")
        box.addWidget(self.none_label)
        box.addWidget(self.table)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("compact")
        self.refresh_button.clicked.connect(self.load)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        box.addLayout(row)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.cancel_buttons: dict[str, QPushButton] = {}
        self.retranslate()

    # ------------------------------------------------------------ language
    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.title.setText(tr("supervisor.bookings.title", lang))
        for key, label in self.labels.items():
            label.setText(tr(f"supervisor.bookings.{key}", lang))
        self.add_button.setText(tr("supervisor.bookings.add", lang))
        self.refresh_button.setText(tr("supervisor.bookings.refresh", lang))
        self.none_label.setText(tr("supervisor.bookings.none", lang))
        self.table.setHorizontalHeaderLabels(
            [tr(f"supervisor.bookings.col.{c}", lang) for c in BOOKING_COLUMNS] + [""])
        self.refresh()

    # ------------------------------------------------------------ showing it
    @property
    def office(self) -> Office | None:
        return self.link.office

    def refresh(self) -> None:
        office = self.office
        codes = list(office.services) if office is not None else []
        if [self.service.itemData(i) for i in range(self.service.count())] != codes:
            self.service.clear()
            for code in codes:
                self.service.addItem(code, code)
        if office is not None and not self._date_touched:
            self.date.blockSignals(True)
            self.date.setDate(QDate(office.day.year, office.day.month, office.day.day))
            self.date.blockSignals(False)
        for index, code in enumerate(codes):
            assert office is not None
            self.service.setItemText(
                index, f"{code} · {office.services[code].spec.name.get(self.lang)}")
        self._show_table()
        self._update_enabled()

    def _show_table(self) -> None:
        lang = self.lang
        self.table.setRowCount(len(self.bookings))
        self.cancel_buttons = {}
        for row, booking in enumerate(self.bookings):
            state = booking.state
            values = (booking.code, booking.service, f"{booking.start}–{booking.end}",
                      booking.name or "", tr(f"supervisor.bookings.state.{state}", lang))
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
            cancel = QPushButton(tr("supervisor.bookings.cancel", lang))
            cancel.setObjectName("compact")
            cancel.setEnabled(state == "booked" and self.link.connected)
            cancel.clicked.connect(lambda _=False, code=booking.code: self.cancel(code))
            holder = QWidget()
            inside = QHBoxLayout(holder)
            inside.setContentsMargins(4, 2, 4, 2)
            inside.addWidget(cancel)
            self.table.setCellWidget(row, len(BOOKING_COLUMNS), holder)
            self.cancel_buttons[booking.code] = cancel
        self.table.setColumnWidth(len(BOOKING_COLUMNS), CANCEL_COLUMN_PX)
        self.none_label.setVisible(not self.bookings)
        self.table.setVisible(bool(self.bookings))

    def _update_enabled(self) -> None:
        ready = self.link.connected and self.link.staff is not None
        self.add_button.setEnabled(ready and bool(self.code.text().strip())
                                   and self.service.count() > 0)
        self.refresh_button.setEnabled(ready)

    # ------------------------------------------------------------ requests
    def add(self) -> None:
        if not self.add_button.isEnabled():
            return
        fields: dict[str, Any] = {
            "code": self.code.text().strip(), "service": self.service.currentData(),
            "date": self.date.date().toString("yyyy-MM-dd"),
            "start": self.start.time().toString("HH:mm"),
            "end": self.end.time().toString("HH:mm"),
        }
        if self.name.text().strip():
            fields["name"] = self.name.text().strip()

        def added(result: dict[str, Any]) -> None:
            self.code.clear()
            self.name.clear()
            try:
                code = BookingView.from_wire(result.get("booking")).code
            except WireError as exc:
                log.error("the added booking cannot be read: %s", exc)
                code = fields["code"]  # what was asked for; the list shows what is
            self.report.emit("info", tr("supervisor.bookings.added", self.lang, code=code))
            self.load()

        self._send("booking.add", added, fields)

    def cancel(self, code: str) -> None:
        def cancelled(_result: dict[str, Any]) -> None:
            self.report.emit("info", tr("supervisor.bookings.cancelled", self.lang, code=code))
            self.load()

        self._send("booking.cancel", cancelled, {"code": code})

    def load(self) -> None:
        """Today's bookings (a request: bookings are not in the event stream)."""
        def listed(result: dict[str, Any]) -> None:
            try:
                self.bookings = BookingView.list_from_wire(result)
            except WireError as exc:
                log.error("the booking list cannot be read: %s", exc)
                self.report.emit("error", error_text("internal", self.lang))
                return
            self._show_table()

        if self.link.connected and self.link.staff is not None:
            self._send("booking.list", listed, {}, quiet=True)

    def _send(self, type_: str, on_ok: Any, fields: dict[str, Any], quiet: bool = False
              ) -> None:
        def answered(answer: Answer) -> None:
            if answer.ok:
                on_ok(answer.result)
            else:
                text = error_text(answer.code, self.lang)
                if answer.message and answer.code in ("bad_request", "conflict", "not_found"):
                    text += " " + tr("counter.error.server_says", self.lang,
                                     detail=answer.message)
                self.report.emit("error", text)
            self._update_enabled()

        if not quiet:
            self.report.emit("clear", "")
        self.link.request(type_, answered, **fields)
