"""Qt parts of multi-step visits at the counter: the dialog that sends a ticket
back one step with its reason (documents missing), which goes into the audit
trail like an out-of-order call."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from antrean.i18n import tr
from counter.dialogs import REASON_MAX


class SendBackDialog(QDialog):
    """The reason a ticket goes back a step; OK only with a reason."""

    def __init__(self, number: str, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = tr("counter.send_back.title", lang, number=number)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        heading = QLabel(title)
        heading.setObjectName("cardTitle")
        heading.setWordWrap(True)
        self.reason_label = QLabel(tr("counter.send_back.reason", lang))
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_MAX)
        self.reason_label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox()
        self.ok_button: QPushButton = self.buttons.addButton(
            tr("counter.send_back.ok", lang), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            tr("counter.cancel", lang), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

    def reason_text(self) -> str:
        return self.reason.text().strip()
