"""Qt view for supervisors: every counter live, services (open/close and the
daily quota), announcements for the waiting-room ticker, device faults, and
today's figures live (antrean/core/figures.py, as the monthly report counts them).

It works on its own `ServerLink` in the supervisor role, so the server checks
each of these requests against that role and the logged-in staff member, and
records each one as an event in the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from antrean.core.figures import LiveFigures
from antrean.core.model import CounterState, DeviceStatus, Service
from antrean.core.office import Event, Office
from antrean.core.skm import shown
from antrean.i18n import CATALOGUE, error_text, tr
from antrean.qt.link import Answer, ServerLink
from antrean.qt.theme import RED, WHITE
from antrean.views import EventMessage, WireError
from counter.bookings_view import BookingsView
from counter.complaints_view import ComplaintsPanel
from counter.desk import clock_text, elapsed_since, ticket_clock_start
from counter.style import state_badge_qss
from counter.widgets import LinkedTab, card, follow_link, named_label

log = logging.getLogger("antrean.counter")

QUOTA_UNLIMITED = -1
QUOTA_MAX = 9999
ANNOUNCEMENT_MAX = 300
OK_STATUSES = frozenset({"ok", "ready", "online"})

COUNTER_COLUMNS = ("counter", "state", "staff", "services", "ticket", "time")
DEVICE_COLUMNS = ("at", "device", "status", "detail")
FIGURE_COLUMNS = ("service", "served", "no_shows", "wait_p50", "wait_p90")


class ServiceRow:
    """The widgets of one service in the services grid."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.label = QWidget()
        self.name = named_label("fieldLabel")
        self.counts = named_label("hint")
        column = QVBoxLayout(self.label)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.name)
        column.addWidget(self.counts)
        self.state = named_label("serviceBadge")
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.toggle = QPushButton()
        self.toggle.setObjectName("compact")
        self.quota = QSpinBox()
        self.quota.setRange(QUOTA_UNLIMITED, QUOTA_MAX)
        self.quota.setMinimumWidth(150)
        self.apply = QPushButton()
        self.apply.setObjectName("compact")
        self.quota_touched = False

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.state, self.toggle, self.quota, self.apply)


class SupervisorView(LinkedTab):
    """The supervisor tab."""

    def __init__(self, link: ServerLink, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(link, lang, parent)
        self._inflight: set[str] = set()
        self.service_rows: dict[str, ServiceRow] = {}
        self.live = LiveFigures()
        self._figures_due = True
        self.bookings = BookingsView(link, lang)  # issue 12
        self.bookings.report.connect(self.report)
        self._build()
        self._seed_figures()  # the link may have its snapshot already
        follow_link(self.link, self._on_event, self._on_snapshot, self.refresh)
        self.link.message_received.connect(self._on_message)
        self.retranslate()
        self.complaints.load()
        self.bookings.load()

    # ================================================================ layout
    def _build(self) -> None:
        self.counters_title = QLabel()
        counters_card, counters_box = card(self.counters_title)
        self.counters_table = self._table(len(COUNTER_COLUMNS))
        counters_box.addWidget(self.counters_table)

        self.devices_title = QLabel()
        devices_card, devices_box = card(self.devices_title)
        self.devices_none = named_label("hint")
        self.devices_table = self._table(len(DEVICE_COLUMNS))
        # A long detail wraps within its column (the full text is also on hover).
        self.devices_table.setWordWrap(True)
        self.devices_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        devices_box.addWidget(self.devices_none)
        devices_box.addWidget(self.devices_table)

        self.services_title = QLabel()
        services_card, services_box = card(self.services_title)
        self.services_grid = QGridLayout()
        self.services_grid.setHorizontalSpacing(10)
        self.services_grid.setVerticalSpacing(6)
        services_box.addLayout(self.services_grid)
        services_box.addStretch(1)

        self.announce_title = QLabel()
        announce_card, announce_box = card(self.announce_title)
        self.announce_id_label = named_label("fieldLabel")
        self.announce_id = QLineEdit()
        self.announce_id.setMaxLength(ANNOUNCEMENT_MAX)
        self.announce_en_label = named_label("fieldLabel")
        self.announce_en = QLineEdit()
        self.announce_en.setMaxLength(ANNOUNCEMENT_MAX)
        self.announce_id_label.setWordWrap(True)
        self.announce_en_label.setWordWrap(True)
        self.announce_id_label.setBuddy(self.announce_id)
        self.announce_en_label.setBuddy(self.announce_en)
        self.announce_send = QPushButton()
        self.announce_id.textChanged.connect(self._update_enabled)
        self.announce_en.textChanged.connect(self._update_enabled)
        self.announce_send.clicked.connect(self.send_announcement)
        announce_box.addWidget(self.announce_id_label)
        announce_box.addWidget(self.announce_id)
        announce_box.addWidget(self.announce_en_label)
        announce_box.addWidget(self.announce_en)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.announce_send)
        announce_box.addLayout(row)
        announce_box.addStretch(1)

        self.figures_title = QLabel()
        figures_card, figures_box = card(self.figures_title)
        self.figures_table = self._table(len(FIGURE_COLUMNS))
        header = self.figures_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.figures_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures_summary = named_label("hint")
        self.figures_summary.setWordWrap(True)
        figures_box.addWidget(self.figures_table)
        figures_box.addWidget(self.figures_summary)
        # Every counter stays in view above the complaints (the tab scrolls instead).
        self.counters_table.setMinimumHeight(
            40 + 28 * max(4, len(self.link.office.counters) if self.link.office else 6))
        self.complaints_title = QLabel()
        complaints_card, complaints_box = card(self.complaints_title)
        self.complaints = ComplaintsPanel(self.link, self.lang)
        self.complaints.report.connect(self.report)
        complaints_box.addWidget(self.complaints)

        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(counters_card, 3)
        top.addWidget(devices_card, 2)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(services_card, 3)
        bottom.addWidget(announce_card, 2)

        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(12)
        outer.addLayout(top, 1)
        outer.addWidget(figures_card, 0)
        outer.addLayout(bottom, 0)
        outer.addWidget(complaints_card, 0)
        outer.addWidget(self.bookings)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    @staticmethod
    def _table(columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(28)
        table.setWordWrap(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    # ================================================================ language
    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.bookings.set_language(lang)
        self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.counters_title.setText(tr("supervisor.counters.title", lang))
        self.devices_title.setText(tr("supervisor.devices.title", lang))
        self.devices_none.setText(tr("supervisor.devices.none", lang))
        self.services_title.setText(tr("supervisor.services.title", lang))
        self.announce_title.setText(tr("supervisor.announce.title", lang))
        self.announce_id_label.setText(tr("supervisor.announce.id", lang))
        self.announce_en_label.setText(tr("supervisor.announce.en", lang))
        self.announce_send.setText(tr("supervisor.announce.send", lang))
        self.complaints_title.setText(tr("supervisor.complaints.title", lang))
        self.complaints.set_language(lang)
        self.counters_table.setHorizontalHeaderLabels(
            [tr(f"supervisor.col.{c}", lang) for c in COUNTER_COLUMNS])
        self.devices_table.setHorizontalHeaderLabels(
            [tr(f"supervisor.col.{c}", lang) for c in DEVICE_COLUMNS])
        self.figures_title.setText(tr("supervisor.figures.title", lang))
        self.figures_table.setHorizontalHeaderLabels(
            [tr(f"report.col.{c}", lang) for c in FIGURE_COLUMNS])
        self.show_figures()  # now, not at the next tick: no line stays in the old language
        for row in self.service_rows.values():
            row.quota.setSpecialValueText(tr("supervisor.quota.unlimited", lang))
            row.apply.setText(tr("supervisor.quota.apply", lang))
        self.refresh()

    # ================================================================ showing it
    @property
    def office(self) -> Office | None:
        return self.link.office

    @property
    def ready(self) -> bool:
        return self.link.connected and self.link.staff is not None

    def refresh(self) -> None:
        self._rebuild_services()
        self._show_counters()
        self._show_services()
        self._show_devices()
        self._update_enabled()

    def tick(self) -> None:
        self._show_counters()
        if self._figures_due:
            self.show_figures()

    def show_figures(self) -> None:
        """Today's figures (on the window's tick, not on every event: a busy
        hour sends many)."""
        self._figures_due = False
        lang = self.lang
        rows = self.live.per_service()
        table = self.figures_table
        table.setRowCount(len(rows))
        office = self.office

        def minutes(value: float | None) -> str:
            return "–" if value is None else shown_number(value, lang)

        for row, figures in enumerate(rows):
            service = office.services.get(figures.code) if office is not None else None
            name = f"{figures.code} · {service.spec.name.get(lang)}" if service else figures.code
            cells = (name, str(figures.served), str(figures.no_shows),
                     minutes(figures.wait_p50), minutes(figures.wait_p90))
            for column, text in enumerate(cells):
                item = self._set_cell(table, row, column, text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
        # As tall as its rows: the tab scrolls, not this table.
        header = table.horizontalHeader()
        table.setFixedHeight(max(header.height(), header.sizeHint().height())
                             + table.verticalHeader().defaultSectionSize() * max(1, len(rows))
                             + 2 * table.frameWidth() + 2)
        eta = self.live.eta()
        ikm = self.live.ikm()
        since = self.live.since
        lines = [
            tr("supervisor.figures.eta", lang, share=shown_number(eta.within * 100, lang),
               count=eta.tickets) if eta.within is not None
            else tr("supervisor.figures.eta_none", lang),
            tr("supervisor.figures.ikm", lang, value=shown(ikm.converted).replace(
                ".", "," if lang == "id" else "."), grade=ikm.grade,
               label=tr(f"skm.grade.{ikm.grade.lower()}", lang), count=ikm.respondents)
            if ikm.grade is not None else tr("supervisor.figures.ikm_none", lang),
        ]
        if since is not None and office is not None:
            lines.append(tr("supervisor.figures.since", lang,
                            time=since.astimezone(office.tz).strftime("%H:%M")))
        self.figures_summary.setText("\n".join(lines))

    def _show_counters(self) -> None:
        office = self.office
        counters = list(office.counters.values()) if office is not None else []
        table = self.counters_table
        table.setRowCount(len(counters))
        now = datetime.now(UTC)
        lang = self.lang
        for row, counter in enumerate(counters):
            ticket = (office.tickets.get(counter.ticket)
                      if office is not None and counter.ticket else None)
            span = elapsed_since(ticket_clock_start(ticket), now) if ticket else None
            ticket_text = ""
            if ticket is not None:
                ticket_text = f"{ticket.number} · {tr(f'status.{ticket.status.value}', lang)}"
            cells = (
                counter.spec.name.get(lang),
                tr(f"counter_state.{counter.state.value}", lang),
                counter.staff.name if counter.staff else "",
                ", ".join(counter.services) if counter.state is not CounterState.CLOSED else "",
                ticket_text,
                clock_text(span) if span is not None else "",
            )
            for column, text in enumerate(cells):
                self._set_cell(table, row, column, text)

    def _show_devices(self) -> None:
        office = self.office
        reports = list(office.devices.values()) if office is not None else []
        # Faults first, then the rest, newest first within each group.
        reports.sort(key=lambda r: (r.status in OK_STATUSES,
                                    -(r.at.timestamp() if r.at else 0.0)))
        table = self.devices_table
        table.setRowCount(len(reports))
        self.devices_none.setVisible(not any(r.status not in OK_STATUSES for r in reports))
        table.setVisible(bool(reports))
        for row, report in enumerate(reports):
            status, detail = device_status_text(report, self.lang)
            cells = (
                report.at.astimezone(office.tz).strftime("%H:%M:%S")
                if report.at is not None and office is not None else "",
                device_label(report, self.lang),
                status,
                detail,
            )
            fault = report.status not in OK_STATUSES
            for column, text in enumerate(cells):
                item = self._set_cell(table, row, column, text)
                item.setToolTip(text)
                if fault:
                    item.setBackground(QColor(RED))
                    item.setForeground(QColor(WHITE))
                else:
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
                    item.setData(Qt.ItemDataRole.ForegroundRole, None)

    @staticmethod
    def _set_cell(table: QTableWidget, row: int, column: int, text: str) -> QTableWidgetItem:
        item = table.item(row, column)
        if item is None:
            item = QTableWidgetItem(text)
            table.setItem(row, column, item)
        elif item.text() != text:
            item.setText(text)
        return item

    # ================================================================ services
    def _rebuild_services(self) -> None:
        office = self.office
        codes = list(office.services) if office is not None else []
        if list(self.service_rows) == codes:
            return
        for row in self.service_rows.values():
            for widget in row.widgets():
                self.services_grid.removeWidget(widget)
                widget.deleteLater()
        self.service_rows = {}
        for index, code in enumerate(codes):
            row = ServiceRow(code)
            row.quota.setSpecialValueText(tr("supervisor.quota.unlimited", self.lang))
            row.apply.setText(tr("supervisor.quota.apply", self.lang))
            row.toggle.clicked.connect(lambda _checked=False, c=code: self.toggle_service(c))
            row.apply.clicked.connect(lambda _checked=False, c=code: self.apply_quota(c))
            row.quota.valueChanged.connect(lambda _value, r=row: self._quota_edited(r))
            for column, widget in enumerate(row.widgets()):
                self.services_grid.addWidget(widget, index, column)
            self.service_rows[code] = row
        self.services_grid.setColumnStretch(0, 1)

    def _show_services(self) -> None:
        office = self.office
        if office is None:
            return
        lang = self.lang
        for code, row in self.service_rows.items():
            service = office.services[code]
            row.name.setText(f"{code} · {service.spec.name.get(lang)}")
            row.name.setToolTip(row.name.text())
            state = "open" if service.open else "closed"
            row.state.setText(tr(f"supervisor.service.{state}", lang))
            row.state.setStyleSheet(_service_badge(service.open))
            row.toggle.setText(tr("supervisor.service.close_action" if service.open
                                  else "supervisor.service.open_action", lang))
            row.counts.setText(tr("supervisor.service.counts", lang,
                                  waiting=office.waiting_count(code), issued=service.issued))
            if not row.quota_touched:
                wanted = QUOTA_UNLIMITED if service.quota is None else service.quota
                if row.quota.value() != wanted:
                    row.quota.blockSignals(True)
                    row.quota.setValue(wanted)
                    row.quota.blockSignals(False)

    def _quota_edited(self, row: ServiceRow) -> None:
        row.quota_touched = True
        self._update_enabled()

    def _update_enabled(self) -> None:
        ready = self.ready
        office = self.office
        for code, row in self.service_rows.items():
            busy = f"service:{code}" in self._inflight
            row.toggle.setEnabled(ready and not busy)
            row.quota.setEnabled(ready and not busy)
            current = office.services[code].quota if office is not None else None
            wanted = None if row.quota.value() == QUOTA_UNLIMITED else row.quota.value()
            row.apply.setEnabled(ready and not busy and wanted != current)
        self.announce_send.setEnabled(
            ready and "announce" not in self._inflight and bool(self.announce_id.text().strip())
        )

    # ================================================================ actions
    def toggle_service(self, code: str) -> None:
        office = self.office
        row = self.service_rows.get(code)
        if office is None or row is None or not row.toggle.isEnabled():
            return
        service = office.services[code]
        self._send(f"service:{code}", "service.update", self._service_saved(service),
                   service=code, open=not service.open)

    def apply_quota(self, code: str) -> None:
        office = self.office
        row = self.service_rows.get(code)
        if office is None or row is None or not row.apply.isEnabled():
            return
        value = row.quota.value()
        quota = None if value == QUOTA_UNLIMITED else value

        def saved(result: dict[str, Any]) -> None:
            row.quota_touched = False
            self._service_saved(office.services[code])(result)

        self._send(f"service:{code}", "service.update", saved, service=code, quota=quota)

    def send_announcement(self) -> None:
        if not self.announce_send.isEnabled():
            return
        indonesian = self.announce_id.text().strip()
        english = self.announce_en.text().strip() or indonesian

        def sent(_result: dict[str, Any]) -> None:
            self.announce_id.clear()
            self.announce_en.clear()
            self.report.emit("info", tr("supervisor.announce.sent", self.lang))

        self._send("announce", "announce", sent, text={"id": indonesian, "en": english})

    def _service_saved(self, service: Service) -> Callable[[dict[str, Any]], None]:
        def say(_result: dict[str, Any]) -> None:
            self.report.emit("info", tr("supervisor.service.saved", self.lang,
                                        name=service.spec.name.get(self.lang)))
        return say

    def _send(self, slot: str, type_: str, on_ok: Callable[[dict[str, Any]], None],
              **fields: Any) -> None:
        def answered(answer: Answer) -> None:
            self._inflight.discard(slot)
            if answer.ok:
                on_ok(answer.result)
            else:
                text = error_text(answer.code, self.lang)
                if answer.code == "disconnected":
                    text = tr("common.disconnected", self.lang)
                self.report.emit("error", text)
            self.refresh()

        self._inflight.add(slot)
        self.report.emit("clear", "")
        self.link.request(type_, answered, **fields)
        self.refresh()

    # ================================================================ events
    def _on_event(self, event: Event) -> None:
        self.refresh()
        if event.name == "ticket.issued" and event.extra.get("via") == "booking":
            self.bookings.load()  # a booking just checked in

    def _on_snapshot(self) -> None:
        self._seed_figures()
        self.refresh()
        self.bookings.refresh()
        self.bookings.load()

    def _seed_figures(self) -> None:
        office = self.office
        if office is not None:
            self.live.seed([ticket.to_wire() for ticket in office.tickets.values()],
                           datetime.now(UTC), office.day.isoformat())
            self._figures_due = True

    def _on_message(self, message: dict[str, Any]) -> None:
        try:
            event = EventMessage.from_wire(message)
        except WireError as exc:  # the mirror has applied it or refused it already
            log.error("an event the live figures cannot read: %s", exc)
            return
        self.live.apply(event.name, event.at, event.data)
        self._figures_due = True


def shown_number(value: float, lang: str) -> str:
    """One decimal, with Indonesian's decimal comma."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "id" else text


def device_label(report: DeviceStatus, lang: str) -> str:
    """The device's name, with its kind when the catalogue knows it (`kiosk-1 (Kios)`)."""
    key = f"supervisor.role.{report.role}"
    return f"{report.device} ({tr(key, lang)})" if key in CATALOGUE else report.device


def device_status_text(report: DeviceStatus, lang: str) -> tuple[str, str]:
    """(status, detail) as a person reads them. A kiosk reports a printer fault
    as `printer_error` with the reason code (`no_paper`, …) as its detail: the
    reason, when the catalogue knows it, says more than the status."""
    reason_key = f"supervisor.device.{report.detail}"
    if report.status not in OK_STATUSES and report.detail and reason_key in CATALOGUE:
        return tr(reason_key, lang), ""
    key = f"supervisor.device.{report.status}"
    if key not in CATALOGUE:
        return report.status, report.detail
    # A display reports its sound (`silent`, ...) with the English sentence of
    # that status as detail: the catalogue says it in the reader's language.
    voice_key = f"voice.status.{report.status}"
    return tr(key, lang), tr(voice_key, lang) if voice_key in CATALOGUE else report.detail


def _service_badge(is_open: bool) -> str:
    return state_badge_qss("open" if is_open else "closed")
