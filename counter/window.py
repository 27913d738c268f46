"""The counter console's window: header, connection banner, login, the
counter tab, the supervisor tab (for supervisors) and one message bar.

The console holds one `ServerLink` in the counter role. When the console is
given a supervisor token and the logged-in member of staff is a supervisor,
it opens a second link in the supervisor role (same credentials) for the
supervisor tab: the server checks each side by its own role.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from antrean.i18n import tr
from antrean.qt.link import Answer, ServerLink
from antrean.qt.theme import GREEN, RED, WHITE
from counter.desk import SHORTCUT_KEYS, Action
from counter.desk_view import DeskView
from counter.login_view import LoginView, login_error_text
from counter.style import CONSOLE_QSS
from counter.supervisor_view import SupervisorView
from counter.survey_qr import SurveyQrWindow

TICK_MS = 1000
INFO_VISIBLE_MS = 8000


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    """What the command line says about this console."""

    server: str
    device: str
    token: str
    counter: str
    supervisor_token: str | None = None
    lang: str = "id"

    @property
    def supervisor_device(self) -> str:
        return f"{self.device}-supervisor"


class CounterWindow(QWidget):
    """The staff console for one counter."""

    def __init__(self, settings: ConsoleSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.lang = settings.lang
        self.setObjectName("console")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(CONSOLE_QSS)
        self.link = ServerLink(settings.server, "counter", settings.device, settings.token, self)
        self.supervisor_link: ServerLink | None = None
        self.supervisor: SupervisorView | None = None
        self.refusal = ""

        self._build()
        self.link.connected_changed.connect(self._on_connection)
        self.link.refused.connect(self._on_refused)
        self.link.snapshot_loaded.connect(self._show_header)

        for action, key in SHORTCUT_KEYS.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda a=action: self.press(a))

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(INFO_VISIBLE_MS)
        self._message_timer.timeout.connect(lambda: self.show_message("clear", ""))
        self.retranslate()
        self._on_connection(False)

    # ================================================================ layout
    def _build(self) -> None:
        header = QFrame()
        header.setObjectName("header")
        self.title = QLabel()
        self.title.setObjectName("headerTitle")
        self.staff_label = QLabel()
        self.staff_label.setObjectName("headerStaff")
        self.connection = QLabel()
        self.connection.setObjectName("connection")
        self.language_button = QPushButton()
        self.language_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.language_button.clicked.connect(self.toggle_language)
        self.logout_button = QPushButton()
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.logout_button.clicked.connect(self.logout)
        row = QHBoxLayout(header)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(14)
        row.addWidget(self.title)
        row.addWidget(self.staff_label)
        row.addStretch(1)
        row.addWidget(self.connection)
        row.addWidget(self.language_button)
        row.addWidget(self.logout_button)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)

        self.login_view = LoginView(self.settings.counter, self.lang)
        self.login_view.submitted.connect(self._log_in)
        self.desk = DeskView(self.link, self.settings.counter, self.lang)
        self.desk.report.connect(self.show_message)
        self.survey_qr: SurveyQrWindow | None = None  # made on the first finished visit
        self.desk.survey_ready.connect(self.show_survey_qr)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.desk, "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login_view)
        self.stack.addWidget(self.tabs)

        self.message = QLabel()
        self.message.setObjectName("messageIdle")
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(44)
        self.message.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)

    # ================================================================ lifecycle
    def start(self) -> None:
        self.link.start()
        self._tick.start()

    def show_survey_qr(self, number: str, url: str) -> None:
        """The survey's QR for the visitor just served (docs/visitor.md)."""
        if self.survey_qr is None:
            self.survey_qr = SurveyQrWindow(self.lang)
        self.survey_qr.show_for(number, url)
        self.activateWindow()  # the keyboard stays with the console (function keys)

    def stop(self) -> None:
        if self.survey_qr is not None:
            self.survey_qr.close()
            self.survey_qr.deleteLater()
            self.survey_qr = None
        self._tick.stop()
        self._close_supervisor()
        self.link.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        super().closeEvent(event)

    @property
    def logged_in(self) -> bool:
        return self.link.staff is not None

    def press(self, action: Action) -> None:
        """A function key: the counter tab's button for it, from any tab, once
        logged in (the button's own enabled state still decides; a key that
        cannot act says why in the message bar)."""
        if not self.logged_in:
            self.show_message("info", tr("counter.why.login", self.lang))
            return
        self.tabs.setCurrentWidget(self.desk)
        button = self.desk.buttons[action]
        if button.isEnabled():
            button.click()
        else:
            self.show_message("info", self.desk.why_not(action))

    # ================================================================ language
    def toggle_language(self) -> None:
        self.set_language("en" if self.lang == "id" else "id")

    def set_language(self, lang: str) -> None:
        if lang != self.lang:
            self.lang = lang
            self.retranslate()

    def retranslate(self) -> None:
        lang = self.lang
        self.setWindowTitle(tr("app.title.counter", lang, counter=self.settings.counter))
        self.language_button.setText(tr("common.language_switch", lang))
        self.logout_button.setText(tr("counter.logout", lang))
        self.tabs.setTabText(self.tabs.indexOf(self.desk), tr("counter.tab.desk", lang))
        self.login_view.set_language(lang)
        self.desk.set_language(lang)
        if self.survey_qr is not None:
            self.survey_qr.set_language(lang)
        if self.supervisor is not None:
            self.supervisor.set_language(lang)
            self.tabs.setTabText(self.tabs.indexOf(self.supervisor), tr("supervisor.tab", lang))
        self._show_header()
        self._show_connection()
        self.show_message("clear", "")

    # ================================================================ header, banner, messages
    def _show_header(self) -> None:
        office = self.link.office
        counter = office.counters.get(self.settings.counter) if office is not None else None
        name = (counter.spec.name.get(self.lang) if counter is not None
                else tr("counter.title", self.lang, counter=self.settings.counter))
        self.title.setText(name)
        staff = self.link.staff
        self.staff_label.setText(
            tr("counter.staff", self.lang, name=staff.name) if staff else ""
        )
        self.logout_button.setVisible(staff is not None)

    def _show_connection(self) -> None:
        connected = self.link.connected
        self.connection.setText(
            tr("common.connected" if connected else "counter.offline", self.lang)
        )
        self.connection.setStyleSheet(f"background: {GREEN if connected else RED};"
                                      f" color: {WHITE};")
        self.banner.setText(
            tr("counter.refused" if self.refusal else "common.disconnected", self.lang)
        )
        self.banner.setVisible(not connected)

    def show_message(self, kind: str, text: str) -> None:
        """One line for what just happened: info fades, errors stay until the next action."""
        self._message_timer.stop()
        if kind == "clear" or not text:
            self.message.setText("")
            self.message.setObjectName("messageIdle")
        else:
            self.message.setText(text)
            self.message.setObjectName({"error": "messageError", "pending": "messagePending"}
                                       .get(kind, "messageInfo"))
            if kind == "info":
                self._message_timer.start()
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self.refusal = ""
        self.login_view.set_connected(connected)
        self._show_connection()
        if connected and self.desk.busy is False and self.message.objectName() == "messagePending":
            self.show_message("clear", "")

    def _on_refused(self, code: str, message: str) -> None:
        self.refusal = message or code
        self._show_connection()

    def _on_tick(self) -> None:
        if self.logged_in:
            self.desk.tick()
            if self.supervisor is not None:
                self.supervisor.tick()

    # ================================================================ login, logout
    def _log_in(self, username: str, pin: str) -> None:
        def answered(answer: Answer) -> None:
            if not answer.ok:
                self.login_view.show_refusal(answer)
                return
            self.login_view.accepted()
            self.stack.setCurrentWidget(self.tabs)
            self.tabs.setCurrentWidget(self.desk)
            self._show_header()
            self.desk.refresh()
            self.desk.start_figures()
            self.show_message("clear", "")
            roles = self.link.staff.roles if self.link.staff is not None else ()
            if "supervisor" in roles and self.settings.supervisor_token:
                self._open_supervisor(username, pin)

        self.link.login(username, pin, answered)

    def logout(self) -> None:
        """Back to the login screen; the counter itself stays as it is."""
        for dialog in (self.desk.transfer_dialog, self.desk.call_dialog):
            if dialog is not None:
                dialog.reject()
        self.desk.stop_figures()
        self._close_supervisor()
        self.link.logout()
        self.stack.setCurrentWidget(self.login_view)
        self.login_view.reset()
        self._show_header()
        self.show_message("clear", "")

    # ================================================================ supervisor tab
    def _open_supervisor(self, username: str, pin: str) -> None:
        token = self.settings.supervisor_token
        if token is None:
            return
        link = ServerLink(self.settings.server, "supervisor", self.settings.supervisor_device,
                          token, self)
        self.supervisor_link = link

        def answered(answer: Answer) -> None:
            if link is not self.supervisor_link:
                return  # logged out meanwhile
            if not answer.ok:
                self._supervisor_unavailable(login_error_text(answer, self.lang))
                return
            view = SupervisorView(link, self.lang)
            view.report.connect(self.show_message)
            self.supervisor = view
            self.tabs.addTab(view, tr("supervisor.tab", self.lang))
            view.refresh()

        def refused(_code: str, _message: str) -> None:
            if link is self.supervisor_link:
                self._supervisor_unavailable(tr("supervisor.token_refused", self.lang))

        link.refused.connect(refused)
        link.start()
        link.login(username, pin, answered)

    def _supervisor_unavailable(self, reason: str) -> None:
        self._close_supervisor()
        self.show_message("error", tr("supervisor.unavailable", self.lang, reason=reason))

    def _close_supervisor(self) -> None:
        link, view = self.supervisor_link, self.supervisor
        self.supervisor_link = None
        self.supervisor = None
        if view is not None:
            self.tabs.removeTab(self.tabs.indexOf(view))
            view.deleteLater()
        if link is not None:
            if link.staff is not None:
                link.logout()
            link.stop()
            link.deleteLater()
