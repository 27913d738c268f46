"""The kiosk window: a header (office, clock, language), the connection banner, and the
visitor's path through the screens — start, services, requirements, priority, ticket.

The window owns the visit (kiosk/visit.py) and every rule of the path: a fresh visit
per visitor, one ticket request per visit (retried by the server link with the same id
after a reconnect, so never issued twice), printing on a worker thread, printer faults
reported to the server, and the way back to the start when a screen is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from antrean.core.model import Priority, Service, Text
from antrean.core.office import Office
from antrean.i18n import DEFAULT_LANGUAGE, error_text, tr
from antrean.qt.link import Answer, ServerLink
from antrean.resources import asset_path
from antrean.views import IssuedTicket, Refusal, WireError
from kiosk.booking import BookingScreen, ScanBuffer, booking_stylesheet, ticket_notes
from kiosk.printing import (
    PrinterUnavailable,
    PrintJobRunner,
    TicketPrint,
    TicketSink,
    ticket_qr_payload,
)
from kiosk.screens import (
    IssuingScreen,
    PriorityScreen,
    RequirementsScreen,
    ServiceGridScreen,
    StartScreen,
    TicketScreen,
    button,
    load_logo,
    text_label,
)
from kiosk.style import Metrics, stylesheet
from kiosk.visit import PRINT_STATUS_KEYS, PrintState, Visit, availability, long_date

log = logging.getLogger("antrean.kiosk")

LOGO_PATH = asset_path("logo.png")
QUIT_SHORTCUT = "Ctrl+Alt+Q"
NARROW_HEADER_PX = 1300
ISSUING_SCREEN_DELAY_MS = 250
CHOOSE_ANOTHER = frozenset({"service_closed", "quota_exhausted", "not_found"})
PRINTER_OK = "ok"
PRINTER_ERROR = "printer_error"
_TOUCH_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.KeyPress,
    QEvent.Type.Wheel,
})


class _PrintResults(QObject):
    """Carries a print job's outcome from the printing thread to the UI thread."""

    finished = Signal(str, object)  # ticket id, PrinterUnavailable | None


class KioskWindow(QWidget):
    """The whole kiosk on one screen. `printer` is None when the kiosk has none."""

    quit_requested = Signal()  # staff asked to quit (the app ends its event loop)
    print_finished = Signal(str, object)  # ticket id, PrinterUnavailable | None

    def __init__(
        self,
        link: ServerLink,
        printer: TicketSink | None,
        *,
        lang: str = DEFAULT_LANGUAGE,
        idle_seconds: float = 30.0,
        ticket_seconds: float = 8.0,
        lock_close: bool = False,
        logo_path: Path = LOGO_PATH,
        office_name: str = "",
        timezone: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`office_name` and `timezone` (from the device file) stand in for the
        office's own until the server's first welcome gives them."""
        super().__init__()
        self._office_name = office_name
        self._timezone = timezone
        self._clock = clock or (lambda: datetime.now(UTC))  # tests pass their own
        self._scan = ScanBuffer()
        self._keys_clock = QElapsedTimer()
        self._keys_clock.start()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a scanner types into the window
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.link = link
        self.default_lang = lang
        self.visit = Visit(lang)
        self.lock_close = lock_close
        self.has_printer = printer is not None
        self._printer_reported: tuple[str, str] | None = None
        self._metrics: Metrics | None = None
        self._minute = -1

        self._print_results = _PrintResults(self)
        self._print_results.finished.connect(
            self._on_printed, Qt.ConnectionType.QueuedConnection
        )
        self._runner = (
            PrintJobRunner(printer, self._print_results.finished.emit)
            if printer is not None else None
        )

        logo = load_logo(logo_path)
        self._build_header(logo)
        self.banner = text_label("banner")
        self.banner.hide()
        self.start_screen = StartScreen(logo)
        self.services_screen = ServiceGridScreen()
        self.requirements_screen = RequirementsScreen()
        self.priority_screen = PriorityScreen()
        self.issuing_screen = IssuingScreen()
        self.ticket_screen = TicketScreen()
        self.booking_screen = BookingScreen()
        self.stack = QStackedWidget()
        for screen in (self.start_screen, self.services_screen, self.requirements_screen,
                       self.priority_screen, self.issuing_screen, self.ticket_screen,
                       self.booking_screen):
            self.stack.addWidget(screen)
        self._body = QVBoxLayout()
        self._body.addWidget(self.stack)
        column = QVBoxLayout(self)
        # The screen decides the window's size and the sizes follow it (resizeEvent):
        # the content's minimum at an earlier size must not hold the window bigger.
        column.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.banner)
        column.addLayout(self._body, 1)

        self.start_screen.take.connect(self._on_take)
        self.start_screen.booking.connect(self._on_booking)
        self.booking_screen.back.connect(self.reset)
        self.booking_screen.submitted.connect(self._check_in)
        self.booking_screen.walk_in.connect(self._on_service_chosen)
        self.services_screen.back.connect(self.reset)
        self.services_screen.chosen.connect(self._on_service_chosen)
        self.requirements_screen.back.connect(lambda: self._go(self.services_screen))
        self.requirements_screen.proceed.connect(self._on_requirements_read)
        self.priority_screen.back.connect(self._back_to_requirements)
        self.priority_screen.answered.connect(self._issue)
        self.ticket_screen.reprint.connect(self._reprint)
        self.ticket_screen.done.connect(self.reset)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_seconds * 1000))
        self.idle_timer.timeout.connect(self._on_idle)
        self.return_timer = QTimer(self)
        self.return_timer.setSingleShot(True)
        self.return_timer.setInterval(int(ticket_seconds * 1000))
        self.return_timer.timeout.connect(self.reset)
        self.issuing_timer = QTimer(self)
        self.issuing_timer.setSingleShot(True)
        self.issuing_timer.setInterval(ISSUING_SCREEN_DELAY_MS)
        self.issuing_timer.timeout.connect(self._show_issuing)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self._tick)
        self.clock_timer.start()

        self._quit_shortcut = QShortcut(QKeySequence(QUIT_SHORTCUT), self)
        self._quit_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self._quit_shortcut.activated.connect(self.quit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        link.connected_changed.connect(self._on_connection)
        link.snapshot_loaded.connect(self._on_office_changed)
        link.event_received.connect(lambda _event: self._refresh_services())
        link.refused.connect(self._on_refused)
        self._refused = False

        self._apply_metrics(Metrics.for_size(1024, 768))  # the smallest screen supported
        self._retranslate()
        self._on_office_changed()
        self._show_connection()

    # ------------------------------------------------------------------ header
    def _build_header(self, logo: QPixmap | None) -> None:
        self.header = QFrame()
        self.header.setObjectName("header")
        self.header_logo = QLabel()
        self._header_logo_source = logo
        self.header_name = text_label("headerName", align=Qt.AlignmentFlag.AlignLeft
                                      | Qt.AlignmentFlag.AlignVCenter)
        self.clock_time = text_label("clockTime", wrap=False)
        self.clock_date = text_label("clockDate", wrap=False)
        clock = QVBoxLayout()
        clock.setSpacing(0)
        clock.addWidget(self.clock_time)
        clock.addWidget(self.clock_date)
        self.language_button: QPushButton = button("languageButton")
        self.language_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.language_button.clicked.connect(self._switch_language)
        row = QHBoxLayout(self.header)
        row.addWidget(self.header_logo)
        row.addWidget(self.header_name, 1)
        row.addStretch(0)
        row.addLayout(clock)
        row.addSpacing(24)
        row.addWidget(self.language_button)
        self._header_row = row

    # ---------------------------------------------------------------- the path
    @property
    def office(self) -> Office | None:
        return self.link.office

    @property
    def lang(self) -> str:
        return self.visit.lang

    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def reset(self) -> None:
        """A new visitor: nothing of the previous one is kept, except a ticket request
        still on its way (it is finished and shown first, never dropped)."""
        if self.visit.issuing:
            return
        self.return_timer.stop()
        self.visit = Visit(self.default_lang)
        self._retranslate()
        self._go(self.start_screen)

    def _go(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        if screen is self.start_screen:
            self.setFocus()  # a scanner's keystrokes come to the window
        self._update_header()
        if screen is self.services_screen:
            self._refresh_services()
        self.idle_timer.start()

    def _on_take(self) -> None:
        if self.office is None:
            return  # no services known before the first welcome: nothing to choose from
        self._go(self.services_screen)

    # ------------------------------------------------------------ bookings
    def _on_booking(self) -> None:
        self.booking_screen.start(self.lang)
        self._go(self.booking_screen)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A scanner's keystrokes on the start screen: its code, when Enter ends it."""
        if self.current_screen() is not self.start_screen:
            super().keyPressEvent(event)
            return
        now = self._keys_clock.elapsed()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self._scan.enter(now)
            if code:
                self.booking_screen.start(self.lang, code.upper())
                self._go(self.booking_screen)
                self._check_in(code)
            return
        self._scan.key(event.text(), now)

    def _check_in(self, code: str) -> None:
        """Ask the server to check the booking in, once per visit (like a ticket)."""
        visit = self.visit
        if visit.request_id is not None:
            return
        code = code.strip().upper()
        if not code:
            self.booking_screen.show_message(tr("kiosk.booking.empty", self.lang), self.lang)
            return
        visit.request_id = self.link.new_request_id()
        self.link.request("booking.check_in", lambda answer: self._on_checked_in(visit, answer),
                          request_id=visit.request_id, code=code, lang=visit.lang)
        if self.link.connected:
            self.issuing_timer.start()
        else:
            self._show_issuing()

    def _on_checked_in(self, visit: Visit, answer: Answer) -> None:
        if visit is not self.visit:
            return
        if answer.ok:
            self._on_issued(visit, answer)
            return
        self.issuing_timer.stop()
        visit.request_id = None  # nothing issued: the visitor may try another code
        self._show_connection()
        refusal = Refusal.read(answer.raw)
        lang = self.lang
        code = self.booking_screen.code
        walk_in = ""
        if answer.code == "booking_early":
            text = tr("kiosk.booking.early", lang, time=refusal.time.replace(
                ":", "." if lang == "id" else ":"))
        elif answer.code == "booking_late":
            walk_in = refusal.walk_in_service
            text = tr("kiosk.booking.late_walk_in" if walk_in else "kiosk.booking.late", lang)
        elif answer.code == "booking_other_day":
            text = tr("kiosk.booking.other_day", lang, date=_day_text(refusal.date, lang))
        elif answer.code == "booking_used":
            text = tr("kiosk.booking.used", lang, code=code)
        elif answer.code == "not_found":
            text = tr("kiosk.booking.not_found", lang, code=code)
        elif refusal.reason is not None:
            text = refusal.reason.get(lang, "")
        else:
            text = error_text(answer.code or "internal", lang)
        self.booking_screen.show_message(text, lang, walk_in)
        self._go(self.booking_screen)

    def _on_service_chosen(self, code: str) -> None:
        service = self._service(code)
        if service is None or not self.link.connected or self.visit.issuing:
            return
        self.visit.service = code
        self.visit.refusal = ""
        self._show_refusal()
        self.requirements_screen.show_service(service, self.lang)
        self._go(self.requirements_screen)

    def _on_requirements_read(self) -> None:
        service = self._service(self.visit.service)
        if service is None:
            self._go(self.services_screen)
            return
        self.priority_screen.show_service(service, self.lang)
        self._go(self.priority_screen)

    def _back_to_requirements(self) -> None:
        if not self.visit.issuing:  # a ticket on its way is shown, not walked away from
            self._go(self.requirements_screen)

    def _issue(self, priority: bool) -> None:
        """Ask the server for the ticket, once per visit."""
        visit = self.visit
        if visit.service is None or visit.request_id is not None:
            return  # a second tap, or nothing chosen: never a second ticket
        visit.priority = Priority.PRIORITY if priority else Priority.REGULAR
        visit.request_id = self.link.new_request_id()
        self.link.request(
            "ticket.issue",
            lambda answer: self._on_issued(visit, answer),
            request_id=visit.request_id,
            service=visit.service,
            priority=visit.priority.value,
            lang=visit.lang,
        )
        # An answer usually comes within milliseconds: "please wait" only when it does
        # not, instead of a flash of it before every ticket.
        if self.link.connected:
            self.issuing_timer.start()
        else:
            self._show_issuing()

    def _show_issuing(self) -> None:
        if self.visit.issuing:
            self.issuing_screen.show_state(self.link.connected, self.lang)
            self._show_connection()
            self._go(self.issuing_screen)

    def _on_issued(self, visit: Visit, answer: Answer) -> None:
        if visit is not self.visit:
            return  # cannot happen while `reset` waits for answers; kept as a guard
        self.issuing_timer.stop()
        ticket = self._issued_ticket(answer)
        if ticket is None:
            visit.request_id = None  # nothing was issued: this visitor may choose again
            visit.refusal = answer.code or "internal"
            visit.refusal_reason = Refusal.read(answer.raw).reason
            self._show_connection()
            self._show_refusal()
            self._go(self.services_screen)
            return
        visit.ticket = ticket
        self._show_connection()
        self._show_ticket()
        self._go(self.ticket_screen)
        self._show_print_state(PrintState.PRINTING if self._runner is not None
                               else PrintState.MANUAL)
        # Paint the number before the printing thread starts competing for the CPU: the
        # visitor looks at the screen first.
        self.stack.repaint()
        self._print(visit)

    @staticmethod
    def _issued_ticket(answer: Answer) -> IssuedTicket | None:
        """The answer's ticket, or None when there is none (refused) or it is not the
        shape the protocol promises (logged; the visitor sees an internal error)."""
        raw = answer.result.get("ticket") if answer.ok else None
        if raw is None:
            return None
        try:
            return IssuedTicket.from_wire(raw)
        except WireError as exc:
            log.error("the server's ticket cannot be shown: %s", exc)
            return None

    def _show_refusal(self) -> None:
        """Why the server refused the ticket, in the visitor's language, over the grid."""
        code = self.visit.refusal
        lang = self.lang
        text = error_text(code, lang) if code else ""
        if self.visit.refusal_reason:
            text = str(self.visit.refusal_reason.get(lang, text))
        if code in CHOOSE_ANOTHER:
            text = f"{text} {tr('kiosk.services.try_other', lang)}"
        self.services_screen.show_notice(text)

    def _show_ticket(self) -> None:
        ticket = self.visit.ticket
        if ticket is None:
            return
        service = self._service(ticket.service)
        self.ticket_screen.show_ticket(ticket, service, self.lang, self._qr_payload(ticket))

    def _qr_payload(self, ticket: IssuedTicket) -> str:
        """The same payload the printed ticket carries (kiosk/printing.py)."""
        if ticket.url:  # the ticket's live page, from the issue's answer
            return ticket.url
        url = self.office.spec.ticket_url if self.office is not None else None
        return ticket_qr_payload(ticket.id, url)

    # ---------------------------------------------------------------- printing
    def _print(self, visit: Visit) -> None:
        ticket = visit.ticket
        if ticket is None:
            return
        if self._runner is None:
            self._show_print_state(PrintState.MANUAL)
            self.return_timer.stop()  # time to write the number down: the idle timer decides
            return
        self._show_print_state(PrintState.PRINTING)
        service = self._service(ticket.service)
        office = self.office
        job = TicketPrint.of(
            ticket,
            office.spec.name if office is not None else "",
            service.spec.name if service is not None else Text.from_wire(ticket.service),
            office.spec.ticket_url if office is not None else None,
            visit.lang,
        )
        notes = ticket_notes(ticket, service, visit.lang)  # booking code, step (issue 12)
        self._runner.submit(replace(job, footer=(*notes, *job.footer)) if notes else job)

    def _reprint(self) -> None:
        if self.visit.ticket is not None:
            self._print(self.visit)

    def _on_printed(self, ticket_id: str, error: PrinterUnavailable | None) -> None:
        self._report_printer(error)
        self.print_finished.emit(ticket_id, error)
        ticket = self.visit.ticket
        if ticket is None or ticket.id != ticket_id:
            return  # an earlier visitor's ticket: its outcome is not this visitor's business
        if error is None:
            self._show_print_state(PrintState.PRINTED)
            self.return_timer.start()
        else:
            self._show_print_state(PrintState.FAULT, error)

    def _show_print_state(self, state: PrintState,
                          error: PrinterUnavailable | None = None) -> None:
        lang = self.lang
        number = self.visit.ticket.number if self.visit.ticket is not None else ""
        key = PRINT_STATUS_KEYS.get(state)
        if key is not None:
            self.ticket_screen.show_print_state(state, tr(key, lang), "")
        else:
            reason = error.message(lang) if error is not None else tr("ticket.printer.error", lang)
            self.ticket_screen.show_print_state(
                state, reason, tr("kiosk.ticket.note_number", lang, number=number)
            )
        self.visit.print_state, self.visit.print_error = state, error

    def _report_printer(self, error: PrinterUnavailable | None) -> None:
        """Tell supervisors when the printer fails, and when it works again."""
        report = (PRINTER_OK, "") if error is None else (PRINTER_ERROR, error.reason_code)
        if report == self._printer_reported:
            return
        if error is None and self._printer_reported is None:
            # First good print since start: only news if the server still has us faulty.
            known = self.office.devices.get(self.link.device) if self.office else None
            if known is None or known.status == PRINTER_OK:
                self._printer_reported = report
                return
        self._printer_reported = report
        self.link.request("device.status", None, status=report[0], detail=report[1])

    # -------------------------------------------------------------- live data
    def _service(self, code: str | None) -> Service | None:
        office = self.office
        if office is None or code is None:
            return None
        return office.services.get(code)

    def _local_now(self) -> datetime:
        now = self._clock()
        if self.office is not None:
            return self.office.local(now)
        return now.astimezone(self._timezone)  # the device file's zone, else the machine's

    def _on_office_changed(self) -> None:
        office = self.office
        name = office.spec.name if office is not None else self._office_name
        self.start_screen.set_office(name)
        self.header_name.setText(name)
        self._show_connection()
        self._refresh_services()
        self._tick()

    def _refresh_services(self) -> None:
        office = self.office
        codes = list(office.services) if office is not None else []
        self.services_screen.set_services(codes)
        if office is None:
            return
        local = self._local_now()
        self.start_screen.show_closed(office.calendar.state(local).reason(self.lang))
        for code, tile in self.services_screen.tiles.items():
            service = office.services[code]
            waiting, eta = office.outlook(code)
            state = office.service_state(code, local)
            tile.show_service(service, waiting, eta, availability(service, local, state),
                              self.link.connected, self.lang)

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self._refused = False
        self._show_connection()
        self._refresh_services()
        if self.visit.issuing and not connected:
            self._show_issuing()
        elif self.visit.issuing:
            self.issuing_screen.show_state(connected, self.lang)

    def _on_refused(self, _code: str, _message: str) -> None:
        self._refused = True
        self._show_connection()

    def _show_connection(self) -> None:
        lang = self.lang
        # Before the first welcome there are no services to offer: no visit starts.
        self.start_screen.take_button.setEnabled(self.office is not None)
        if self.link.connected:
            self.banner.hide()
            return
        if self._refused:
            text = tr("kiosk.refused", lang)
        elif self.visit.issuing:
            text = tr("common.disconnected", lang)  # the issuing screen says the rest
        elif self.office is None:
            text = tr("kiosk.start.waiting", lang)
        else:
            text = tr("kiosk.offline", lang)
        self.banner.setText(text)
        self.banner.show()

    def _tick(self) -> None:
        local = self._local_now()
        self.clock_time.setText(local.strftime("%H:%M"))
        self.clock_date.setText(long_date(local, self.lang))
        if local.minute != self._minute:
            self._minute = local.minute
            self._refresh_services()  # opening hours move with the clock

    # ---------------------------------------------------------------- language
    def _switch_language(self) -> None:
        self.visit.lang = "en" if self.visit.lang == "id" else "id"
        self._retranslate()
        self.idle_timer.start()

    def _retranslate(self) -> None:
        lang = self.lang
        self.setWindowTitle(tr("app.title.kiosk", lang))
        self.language_button.setText(tr("common.language_switch", lang))
        self.start_screen.set_lang(lang)
        self.services_screen.set_lang(lang)
        self.booking_screen.set_lang(lang)
        service = self._service(self.visit.service)
        if service is not None:
            self.requirements_screen.show_service(service, lang)
            self.priority_screen.show_service(service, lang)
        if self.visit.issuing:
            self.issuing_screen.show_state(self.link.connected, lang)
        if self.visit.ticket is not None:
            self._show_ticket()
            self._show_print_state(self.visit.print_state, self.visit.print_error)
        self._show_refusal()
        self._refresh_services()
        self._show_connection()
        self._tick()

    def _update_header(self) -> None:
        on_start = self.current_screen() is self.start_screen
        # The start screen shows the name and emblem large; the header would repeat them.
        self.header_name.setVisible(not on_start)
        self.header_logo.setVisible(not on_start and self._header_logo_source is not None)
        # A narrow header keeps its room for the office name; the time stays.
        self.clock_date.setVisible(on_start or self.width() >= NARROW_HEADER_PX)

    # ------------------------------------------------------------- idle, size
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS and self.isVisible():
            self.idle_timer.start()
        return False

    def _on_idle(self) -> None:
        if self.visit.issuing:
            self.idle_timer.start()  # the ticket is on its way: wait for it
            return
        at_rest = self.current_screen() is self.start_screen and self.lang == self.default_lang
        if not at_rest:
            self.reset()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_metrics(Metrics.for_size(event.size().width(), event.size().height()))
        self._update_header()

    def _apply_metrics(self, m: Metrics) -> None:
        if m == self._metrics:
            return
        self._metrics = m
        self.setStyleSheet(stylesheet(m) + booking_stylesheet(m))
        margin = m.px(32, 12)
        self._body.setContentsMargins(margin, m.px(20, 10), margin, margin)
        self._header_row.setContentsMargins(margin, m.px(10, 6), margin, m.px(10, 6))
        logo = self._header_logo_source
        if logo is not None:
            side = m.px(84, 56)
            self.header_logo.setPixmap(logo.scaled(
                side, side, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        self.start_screen.apply_metrics(m)
        self.services_screen.set_columns(2 if m.portrait else 3)
        self.services_screen.apply_metrics(m)
        self.requirements_screen.apply_metrics(m)
        self.ticket_screen.apply_metrics(m)
        self.booking_screen.apply_metrics(m)
        self._update_header()

    # --------------------------------------------------------------- shutdown
    def quit(self) -> None:
        """Ctrl+Alt+Q: the staff's way out (a visitor has none)."""
        self.lock_close = False
        self.close()
        self.quit_requested.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.lock_close:
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the timers and finish the print jobs already queued."""
        self.idle_timer.stop()
        self.return_timer.stop()
        self.clock_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self._runner is not None:
            self._runner.shutdown(wait=True)
            self._runner = None


def _day_text(iso_day: str, lang: str) -> str:
    """`2026-03-09` as `9 Maret 2026` / `9 March 2026`."""
    try:
        day = datetime.fromisoformat(iso_day)
    except ValueError:
        return iso_day
    months = tr("kiosk.months", lang).split(",")
    return f"{day.day} {months[day.month - 1]} {day.year}"
