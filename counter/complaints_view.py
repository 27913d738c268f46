"""Qt view of the public's complaints for supervisors: the list (newest first,
overdue ones flagged), one complaint's text, and the office's answer with the
next status (diproses, selesai, or ditolak with the reason).

Everything a visitor typed is shown as plain text (never Qt rich text): a
complaint with `<b>` or `<script>` in it shows those characters.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from antrean.core.office import Event
from antrean.i18n import error_text, tr
from antrean.qt.link import Answer, ServerLink
from antrean.qt.theme import RED
from antrean.views import ComplaintView, WireError, complaints_of
from counter.widgets import LinkedTab, named_label

COLUMNS = ("code", "filed", "category", "status", "text")
REPLY_MAX = 2000
log = logging.getLogger("antrean.counter")
PREVIEW = 80
ACTIONS = ("diproses", "selesai", "ditolak")
PANEL_MIN_HEIGHT = 560  # table, the complaint, the answer box and the buttons


class ComplaintsPanel(LinkedTab):
    """The supervisor's complaints: see, answer, close."""

    def __init__(self, link: ServerLink, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(link, lang, parent)
        self.complaints: list[ComplaintView] = []
        self.selected: str | None = None
        self.busy = False
        self.title = named_label("fieldLabel")
        self.empty = named_label("hint")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(170)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = named_label("complaintDetail")
        self.detail.setStyleSheet("font-size: 15px;")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # the visitor's own words
        self.detail.setMinimumHeight(150)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reply_label = named_label("fieldLabel")
        self.reply = QPlainTextEdit()
        self.reply.setMaximumHeight(90)
        self.reply.textChanged.connect(self._limit_reply)
        self.buttons = {action: QPushButton() for action in ACTIONS}
        for action, button in self.buttons.items():
            button.setObjectName("compact")
            button.clicked.connect(lambda _=False, a=action: self.answer(a))
        self.reply_label.setBuddy(self.reply)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in self.buttons.values():
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addWidget(self.detail)
        layout.addWidget(self.reply_label)
        layout.addWidget(self.reply)
        layout.addLayout(row)
        # Its whole height, always: the supervisor tab scrolls rather than squeeze it.
        self.setMinimumHeight(PANEL_MIN_HEIGHT)
        link.event_received.connect(self._on_event)
        self.retranslate()

    # ------------------------------------------------------------ language
    def retranslate(self) -> None:
        lang = self.lang
        self.empty.setText(tr("supervisor.complaints.none", lang))
        self.reply_label.setText(tr("supervisor.complaints.reply", lang))
        self.table.setHorizontalHeaderLabels(
            [tr(f"supervisor.complaints.col.{c}", lang) for c in COLUMNS])
        for action, button in self.buttons.items():
            button.setText(tr(f"supervisor.complaints.to.{action}", lang))
        self._show()

    # ------------------------------------------------------------ data
    def load(self) -> None:
        """Ask the server for the list (on showing, and after each complaint event)."""
        if not self.link.connected or self.link.staff is None:
            return

        def answered(answer: Answer) -> None:
            if answer.ok:
                try:
                    self.complaints = complaints_of(answer.result)
                except WireError as exc:
                    self.report.emit("error", error_text("internal", self.lang))
                    log.error("the complaint list cannot be read: %s", exc)
                    return
                self._show()

        self.link.request("complaint.list", answered)

    def _on_event(self, event: Event) -> None:
        if event.name.startswith("complaint."):
            self.load()

    def _limit_reply(self) -> None:
        text = self.reply.toPlainText()
        if len(text) > REPLY_MAX:
            self.reply.setPlainText(text[:REPLY_MAX])

    # ------------------------------------------------------------ showing
    def _show(self) -> None:
        lang = self.lang
        self.empty.setVisible(not self.complaints)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.complaints))
        for row, complaint in enumerate(self.complaints):
            overdue = complaint.overdue
            status = tr(f"web.complaint.status.{complaint.status}", lang)
            if overdue:
                status = f"{status} · {tr('supervisor.complaints.overdue', lang)}"
            text = " ".join(complaint.text.split())
            cells = (complaint.code, complaint.filed_at[:16].replace("T", " "),
                     category_text(complaint.category, lang), status,
                     text[:PREVIEW] + ("…" if len(text) > PREVIEW else ""))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)  # items show plain text
                if overdue and column == 3:
                    item.setForeground(QColor(RED))
                self.table.setItem(row, column, item)
            if complaint.code == self.selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._show_detail()

    def _selection_changed(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if rows:
            self.selected = self.complaints[min(rows)].code
        self._show_detail()

    def current(self) -> ComplaintView | None:
        for complaint in self.complaints:
            if complaint.code == self.selected:
                return complaint
        return None

    def _show_detail(self) -> None:
        complaint = self.current()
        lang = self.lang
        if complaint is None:
            self.detail.setText(tr("supervisor.complaints.choose", lang))
        else:
            who = " · ".join(v for v in (complaint.name, complaint.contact) if v)
            lines = [f"{complaint.code} · {category_text(complaint.category, lang)}"
                     + (f" · {tr('supervisor.complaints.ticket', lang)} {complaint.ticket}"
                        if complaint.ticket else ""),
                     tr("supervisor.complaints.deadline", lang,
                        date=complaint.deadline[:10]),
                     who or tr("supervisor.complaints.anonymous", lang),
                     "", complaint.text]
            if complaint.reply:
                lines += ["", f"{tr('web.complaint.reply', lang)}: {complaint.reply}"]
            self.detail.setText("\n".join(lines))
        closed = complaint is None or complaint.status in ("selesai", "ditolak")
        for action, button in self.buttons.items():
            button.setEnabled(not closed and not self.busy and not (
                action == "diproses" and complaint is not None
                and complaint.status == "diproses"))
        self.reply.setEnabled(not closed)

    # ------------------------------------------------------------ answering
    def answer(self, status: str) -> None:
        complaint = self.current()
        if complaint is None or self.busy:
            return
        reply = self.reply.toPlainText().strip()
        fields: dict[str, Any] = {"code": complaint.code, "status": status}
        if reply:
            fields["reply"] = reply

        def answered(result: Answer) -> None:
            self.busy = False
            if result.ok:
                self.reply.clear()
                self.report.emit("info", tr("supervisor.complaints.saved", self.lang,
                                            code=complaint.code))
                self.load()
            else:
                self.report.emit("error", self._error(result))
            self._show_detail()

        self.busy = True
        self._show_detail()
        self.link.request("complaint.update", answered, **fields)

    def _error(self, answer: Answer) -> str:
        if answer.code == "bad_request" and "reply" in (answer.message or ""):
            return tr("supervisor.complaints.needs_reply", self.lang)
        return error_text(answer.code, self.lang)


def category_text(key: str, lang: str) -> str:
    text = tr(f"web.category.{key}", lang)
    return key if text == f"web.category.{key}" else text


