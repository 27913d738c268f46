"""Checking in with a booking code: the screen with its on-screen keyboard, and
the reader of a barcode/QR scanner's keystrokes.

A scanner is a keyboard: it types the code fast and ends it with Enter. On the
booking screen its keystrokes land in the code field like a visitor's typing;
on the start screen `ScanBuffer` collects them and hands over the code when
the Enter comes, if the keys came at a scanner's pace (a person leaning on the
keyboard does not check anybody in).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from antrean.core.model import Service
from antrean.i18n import tr
from antrean.qt.theme import BLUE, NAVY, RED, WHITE
from antrean.views import IssuedTicket
from kiosk.screens import text_label
from kiosk.style import Metrics

KEY_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM")
MAX_CODE = 40
SCANNER_GAP_MS = 80  # scanners type a key every few ms; people take 100 ms and more
SCANNER_MIN_LENGTH = 4


@dataclass
class ScanBuffer:
    """Keystrokes at a scanner's pace, up to the Enter that ends a code."""

    max_gap_ms: int = SCANNER_GAP_MS
    min_length: int = SCANNER_MIN_LENGTH
    chars: list[str] = field(default_factory=list)
    last_ms: int | None = None

    def key(self, text: str, now_ms: int) -> None:
        if self.last_ms is None or now_ms - self.last_ms > self.max_gap_ms:
            self.chars = []  # too slow to be one scan: start again
        self.last_ms = now_ms
        if text and text.isprintable() and len(self.chars) < MAX_CODE:
            self.chars.append(text)

    def enter(self, now_ms: int) -> str | None:
        """The scanned code, or None when this Enter does not end a scan."""
        fast = self.last_ms is not None and now_ms - self.last_ms <= self.max_gap_ms
        code = "".join(self.chars).strip()
        self.chars, self.last_ms = [], None
        return code if fast and len(code) >= self.min_length else None


class BookingScreen(QWidget):
    """The code field, a keyboard of big keys, Check in; what the server said
    takes the keyboard's place (with "try another code"), so that even a
    768-pixel kiosk has room for a long message and 90-pixel keys."""

    submitted = Signal(str)
    back = Signal()
    walk_in = Signal(str)  # the service a late visitor may take a regular number for

    def __init__(self) -> None:
        super().__init__()
        self.title_label = text_label("screenTitle")
        self.hint_label = text_label("hint")
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("bookingCode")
        self.code_edit.setMaxLength(MAX_CODE)
        self.code_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_edit.returnPressed.connect(self._submit)
        self.code_edit.textEdited.connect(self._upper)
        self.code_edit.textEdited.connect(self._typing_again)
        self.message_label = text_label("bookingMessage")
        self.keys: dict[str, QPushButton] = {}
        self.keyboard = QWidget()
        self._grid = QGridLayout(self.keyboard)
        self._grid.setContentsMargins(0, 0, 0, 0)
        for row, letters in enumerate(KEY_ROWS):
            for col, letter in enumerate(letters):
                key = _key(letter, "bookingKey")
                key.clicked.connect(lambda _=False, typed=letter: self._type(typed))
                self._grid.addWidget(key, row, col)
                self.keys[letter] = key
        self.delete_button = _key("", "bookingDelete")
        self.delete_button.clicked.connect(self.code_edit.backspace)
        self._grid.addWidget(self.delete_button, 3, 7, 1, 3)
        self.back_button = _key("", "backButton")
        self.back_button.clicked.connect(self.back)
        self._walk_in_service: str = ""
        self.walk_in_button = _key("", "walkInButton")
        self.walk_in_button.hide()
        self.walk_in_button.clicked.connect(lambda: self.walk_in.emit(self._walk_in_service))
        self.submit_button = _key("", "continueButton")
        self.submit_button.clicked.connect(self._submit)
        self.retry_button = _key("", "retryButton")
        self.retry_button.clicked.connect(self._try_again)

        self.answer = QWidget()  # what the server said, in the keyboard's place
        answer_column = QVBoxLayout(self.answer)
        answer_column.setContentsMargins(0, 0, 0, 0)
        answer_column.addWidget(self.message_label)
        answer_buttons = QHBoxLayout()
        answer_buttons.addWidget(self.retry_button)
        answer_buttons.addStretch(1)
        answer_buttons.addWidget(self.walk_in_button)
        answer_column.addLayout(answer_buttons)
        answer_column.addStretch(1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.keyboard)
        self.pages.addWidget(self.answer)
        # Landscape: Back and Check in beside the code; portrait (narrow): below.
        self._code_row = QHBoxLayout()
        self._actions_row = QHBoxLayout()
        self._rows = (answer_buttons, self._code_row, self._actions_row)
        self._portrait: bool | None = None
        self._place_buttons(portrait=False)
        column = QVBoxLayout(self)
        column.addWidget(self.title_label)
        column.addWidget(self.hint_label)
        column.addLayout(self._code_row)
        column.addWidget(self.pages)
        column.addLayout(self._actions_row)
        column.addStretch(1)

    @property
    def code(self) -> str:
        return self.code_edit.text().strip().upper()

    def start(self, lang: str, code: str = "") -> None:
        """A fresh screen for a new code (or showing a scanned one)."""
        self.code_edit.setText(code)
        self.show_message("", lang)
        self.code_edit.setFocus()

    def set_lang(self, lang: str) -> None:
        self.title_label.setText(tr("kiosk.booking.title", lang))
        self.hint_label.setText(tr("kiosk.booking.hint", lang))
        self.delete_button.setText(tr("kiosk.booking.delete", lang))
        self.back_button.setText(tr("kiosk.back", lang))
        self.submit_button.setText(tr("kiosk.booking.check_in", lang))
        self.walk_in_button.setText(tr("kiosk.booking.walk_in", lang))
        self.retry_button.setText(tr("kiosk.booking.retry", lang))
        self.code_edit.setPlaceholderText(tr("kiosk.booking.placeholder", lang))

    def show_message(self, text: str, lang: str, walk_in_service: str = "") -> None:
        """The server's answer in place of the keyboard (empty: the keyboard)."""
        self.message_label.setText(text)
        self._walk_in_service = walk_in_service
        self.walk_in_button.setVisible(bool(walk_in_service))
        self.pages.setCurrentWidget(self.answer if text else self.keyboard)

    def apply_metrics(self, m: Metrics) -> None:
        spacing = m.px(12, 6)
        self._grid.setHorizontalSpacing(spacing)
        self._grid.setVerticalSpacing(spacing)
        for row in self._rows:
            row.setSpacing(m.px(16, 8))
        self._place_buttons(m.portrait)

    def _place_buttons(self, portrait: bool) -> None:
        if portrait == self._portrait:
            return
        self._portrait = portrait
        for row in (self._code_row, self._actions_row):
            while row.count():
                row.takeAt(0)
        if portrait:
            self._code_row.addWidget(self.code_edit, 1)
            self._actions_row.addWidget(self.back_button)
            self._actions_row.addStretch(1)
            self._actions_row.addWidget(self.submit_button)
        else:
            self._code_row.addWidget(self.back_button)
            self._code_row.addWidget(self.code_edit, 1)
            self._code_row.addWidget(self.submit_button)

    def _try_again(self) -> None:
        self.code_edit.clear()
        self.show_message("", "")
        self.code_edit.setFocus()

    def _typing_again(self, _text: str) -> None:
        """A new code typed or scanned over an answer: back to the keyboard."""
        if self.pages.currentWidget() is self.answer:
            self.show_message("", "")

    def _type(self, letter: str) -> None:
        self.code_edit.insert(letter)
        self.code_edit.setFocus()

    def _upper(self, text: str) -> None:
        if text != text.upper():
            position = self.code_edit.cursorPosition()
            self.code_edit.setText(text.upper())
            self.code_edit.setCursorPosition(position)

    def _submit(self) -> None:
        self.submitted.emit(self.code)


def booking_stylesheet(m: Metrics) -> str:
    return f"""
QLineEdit#bookingCode {{
    font-size: {m.px(56, 32)}px; font-weight: bold; color: {NAVY}; background: {WHITE};
    border: 4px solid {BLUE}; border-radius: {m.px(14)}px; min-height: {m.touch(110)}px;
    letter-spacing: 4px;
}}
QPushButton#bookingKey, QPushButton#bookingDelete {{
    background: {WHITE}; color: {NAVY}; border: 3px solid {BLUE}; padding: 0;
    font-size: {m.px(40, 28)}px; font-weight: bold; min-height: {m.touch(96)}px;
    border-radius: {m.px(12)}px;
}}
QPushButton#bookingKey:pressed, QPushButton#bookingDelete:pressed {{ background: #dbe7fb; }}
QPushButton#walkInButton {{ background: {BLUE}; color: {WHITE}; }}
QPushButton#retryButton {{ background: {WHITE}; color: {NAVY}; border: 3px solid {BLUE}; }}
QLabel#bookingMessage {{
    background: #fff3cd; color: {NAVY}; border: 3px solid {RED}; border-radius: {m.px(12)}px;
    font-size: {m.px(34, 28)}px; font-weight: bold; padding: {m.px(14)}px {m.px(20)}px;
}}
QPushButton#bookingButton {{
    background: {WHITE}; color: {NAVY}; border: 4px solid {BLUE}; border-radius: {m.px(24)}px;
    font-size: {m.px(40, 28)}px; font-weight: bold; min-height: {m.touch(120)}px;
    min-width: {m.px(760)}px;
}}
QPushButton#bookingButton:pressed {{ background: #dbe7fb; }}
QLabel#closedNotice {{
    background: #fff3cd; color: {NAVY}; border: 4px solid {RED}; border-radius: {m.px(16)}px;
    font-size: {m.px(42, 30)}px; font-weight: bold; padding: {m.px(18)}px {m.px(28)}px;
}}
"""


def _key(text: str, name: str) -> QPushButton:
    key = QPushButton(text)
    key.setObjectName(name)
    key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the code field keeps the focus
    return key


def ticket_notes(ticket: IssuedTicket, service: Service | None, lang: str) -> tuple[str, ...]:
    """The lines a printed ticket adds for a booking and for a visit in steps."""
    notes: list[str] = []
    if ticket.booking:
        notes.append(tr("kiosk.ticket.booking", lang, code=ticket.booking))
    step, steps = ticket.step, ticket.steps
    if service is not None and steps > 1 and step <= len(service.spec.steps):
        notes.append(tr("step.of", lang, step=step, steps=steps,
                        name=service.spec.steps[step - 1].get(lang)))
    return tuple(notes)
