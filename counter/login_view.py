"""Qt view for staff login: username and PIN, and a plain answer when they are wrong."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from antrean.i18n import error_text, tr
from antrean.qt.link import Answer
from antrean.views import Refusal
from counter.widgets import named_label


class LoginView(QWidget):
    """The console's first screen: nothing else works before a login."""

    submitted = Signal(str, str)  # username, pin

    def __init__(self, counter_id: str, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counter_id = counter_id
        self.lang = lang
        self._connected = False
        self._checking = False
        self._refusal: Answer | None = None

        card = QFrame()
        card.setObjectName("card")
        card.setFixedWidth(460)
        self.title = named_label("loginTitle")
        self.subtitle = named_label("loginSubtitle")
        self.username_label = named_label("fieldLabel")
        self.username = QLineEdit()
        self.username.setMaxLength(64)
        self.pin_label = named_label("fieldLabel")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setValidator(QRegularExpressionValidator(r"\d{0,12}"))
        self.submit = QPushButton()
        self.submit.setMinimumHeight(52)
        self.error = named_label("loginError")
        self.error.setWordWrap(True)
        self.username_label.setBuddy(self.username)
        self.pin_label.setBuddy(self.pin)

        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(12)
        inner.addWidget(self.username_label)
        inner.addWidget(self.username)
        inner.addWidget(self.pin_label)
        inner.addWidget(self.pin)
        inner.addSpacing(8)
        inner.addWidget(self.submit)
        inner.addWidget(self.error)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.username.textChanged.connect(self._update_enabled)
        self.pin.textChanged.connect(self._update_enabled)
        self.username.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        self.submit.clicked.connect(self._submit)
        self.retranslate()

    # ------------------------------------------------------------------ state
    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("counter.login.title", self.lang))
        self.subtitle.setText(tr("counter.login.subtitle", self.lang, counter=self.counter_id))
        self.username_label.setText(tr("counter.login.username", self.lang))
        self.pin_label.setText(tr("counter.login.pin", self.lang))
        self.submit.setText(
            tr("counter.login.checking" if self._checking else "counter.login.submit", self.lang)
        )
        self.error.setText(
            login_error_text(self._refusal, self.lang) if self._refusal is not None else ""
        )

    def set_connected(self, connected: bool) -> None:
        self._connected = connected
        self._update_enabled()

    def reset(self) -> None:
        """Back to an empty form (after a logout)."""
        self._checking = False
        self._refusal = None
        self.username.clear()
        self.pin.clear()
        self.retranslate()
        self._update_enabled()
        self.username.setFocus()

    def _update_enabled(self) -> None:
        filled = bool(self.username.text().strip()) and bool(self.pin.text())
        self.submit.setEnabled(self._connected and filled and not self._checking)

    def _submit(self) -> None:
        if not self.submit.isEnabled():
            return
        self._checking = True
        self._refusal = None
        self.retranslate()
        self._update_enabled()
        self.submitted.emit(self.username.text().strip(), self.pin.text())

    # ---------------------------------------------------------------- answers
    def show_refusal(self, answer: Answer) -> None:
        """A refused login, said plainly; the PIN is cleared for the next try."""
        self._checking = False
        self._refusal = answer
        self.pin.clear()
        self.retranslate()
        self._update_enabled()
        self.pin.setFocus()

    def accepted(self) -> None:
        self._checking = False
        self._refusal = None
        self.pin.clear()
        self.retranslate()
        self._update_enabled()


def login_error_text(answer: Answer, lang: str) -> str:
    locked = Refusal.read(answer.raw).locked_seconds
    if answer.code == "unauthorized" and locked > 0:
        return tr("counter.login.locked", lang, n=max(1, math.ceil(locked / 60)))
    if answer.code == "unauthorized":
        return tr("counter.login.wrong", lang)
    if answer.code == "forbidden":
        return tr("counter.login.forbidden", lang)
    if answer.code == "disconnected":
        return tr("common.disconnected", lang)
    return error_text(answer.code, lang)
