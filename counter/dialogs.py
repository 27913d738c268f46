"""Qt dialogs for the two actions that need more than one key: choosing the
service a visitor is sent on to (F6), and calling a number out of order (F7),
which needs a reason because it goes into the audit trail."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from antrean.core.model import Service
from antrean.i18n import tr

NUMBER_PATTERN = r"[A-Za-z]{1,3}\d{1,4}"
REASON_MAX = 200


class TransferDialog(QDialog):
    """Pick the service the current ticket moves to; closed services cannot be picked."""

    def __init__(self, number: str, current_service: str, services: list[Service], lang: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("counter.transfer.title", lang, number=number))
        self.setMinimumSize(520, 420)
        self.heading = QLabel(tr("counter.transfer.title", lang, number=number))
        self.heading.setObjectName("cardTitle")
        self.heading.setWordWrap(True)
        self.choices = QListWidget()
        self.choices.setStyleSheet("QListWidget { font-size: 18px; } "
                                   "QListWidget::item { padding: 10px; }")
        for service in services:
            if service.code == current_service:
                continue
            name = service.spec.name.get(lang)
            label = f"{service.code} · {name}"
            item = QListWidgetItem(
                label if service.open else tr("counter.transfer.closed", lang, name=label)
            )
            item.setData(Qt.ItemDataRole.UserRole, service.code)
            if not service.open:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.choices.addItem(item)
        self.buttons = QDialogButtonBox()
        self.ok_button: QPushButton = self.buttons.addButton(
            tr("counter.transfer.ok", lang), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            tr("counter.cancel", lang), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.buttons)
        self.choices.currentItemChanged.connect(self._update_ok)
        self.choices.itemDoubleClicked.connect(self._accept_item)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def select(self, code: str) -> None:
        for row in range(self.choices.count()):
            item = self.choices.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                self.choices.setCurrentItem(item)

    def chosen(self) -> str | None:
        item = self.choices.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        code = item.data(Qt.ItemDataRole.UserRole)
        return str(code) if code else None

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.chosen() is not None)

    def _accept_item(self, item: QListWidgetItem) -> None:
        if self.chosen() is not None:
            self.accept()


class CallTicketDialog(QDialog):
    """A number and a reason; OK stays disabled until both are there."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("counter.call.title", lang))
        self.setMinimumWidth(520)
        self.heading = QLabel(tr("counter.call.title", lang))
        self.heading.setObjectName("cardTitle")
        self.number_label = QLabel(tr("counter.call.number", lang))
        self.number_label.setObjectName("fieldLabel")
        self.number = QLineEdit()
        self.number.setValidator(
            QRegularExpressionValidator(QRegularExpression(NUMBER_PATTERN))
        )
        self.number.setMaxLength(7)
        self.reason_label = QLabel(tr("counter.call.reason", lang))
        self.reason_label.setObjectName("fieldLabel")
        self.reason_label.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_MAX)
        self.number_label.setBuddy(self.number)
        self.reason_label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox()
        self.ok_button: QPushButton = self.buttons.addButton(
            tr("counter.call.ok", lang), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            tr("counter.cancel", lang), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.number_label)
        layout.addWidget(self.number)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addSpacing(8)
        layout.addWidget(self.buttons)
        self.number.textChanged.connect(self._update_ok)
        self.reason.textChanged.connect(self._update_ok)
        self.number.returnPressed.connect(self.reason.setFocus)
        self.reason.returnPressed.connect(self._accept_if_ready)
        self.buttons.accepted.connect(self._accept_if_ready)
        self.buttons.rejected.connect(self.reject)

    def ticket_number(self) -> str:
        return self.number.text().strip().upper()

    def reason_text(self) -> str:
        return self.reason.text().strip()

    def ready(self) -> bool:
        return self.number.hasAcceptableInput() and bool(self.reason_text())

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.ready())

    def _accept_if_ready(self) -> None:
        if self.ready():
            self.accept()
