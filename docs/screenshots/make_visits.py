"""Regenerates the screenshots of issue 12 (calendar, bookings, multi-step visits):

- kiosk-booking-*, kiosk-booking-early-*, kiosk-booking-late-*: checking in with a
  booking code (on-screen keyboard; too early; too late with a walk-in offered);
- kiosk-break-start-*, kiosk-break-services-*: the Friday prayer break on the kiosk;
- kiosk-requirements-steps-*, kiosk-ticket-step-*, kiosk-ticket-booking-*: a visit in
  two steps (before queueing, and its ticket) and a booked ticket;
- counter-step-*: the console at a visit's second step (what comes next, Send back);
- counter-send-back-*: the reason dialog; counter-bookings-*: the supervisor's bookings;
- display-step-*: the waiting-room display calling a visit's second step;

in Indonesian and English, against a real demo server on an injected clock.

    .venv/bin/python docs/screenshots/make_visits.py

Exits with 1 and names them if any kiosk text is cut off (tests/kiosk/layout_check.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget  # noqa: E402

from antrean.core.calendar import Calendar, Period, WeekHours  # noqa: E402
from antrean.qt.link import ServerLink  # noqa: E402
from antrean.qt.theme import apply_theme, ensure_app  # noqa: E402
from counter.desk import Action  # noqa: E402
from counter.window import ConsoleSettings, CounterWindow  # noqa: E402
from display.voice import Announcer  # noqa: E402
from display.window import DisplayOptions, DisplayWindow  # noqa: E402
from kiosk.printing import TicketPrinter  # noqa: E402
from kiosk.window import KioskWindow  # noqa: E402
from tests.kiosk.layout_check import clipped_text  # noqa: E402
from tests.support import FakeClock, ServerThread, WireClient, cached_demo_config  # noqa: E402

OUT = Path(__file__).resolve().parent
KIOSK_SIZES = ((1920, 1080), (1024, 768), (1080, 1920))
CONSOLE = (1366, 768)
LANGS = ("id", "en")
WEDNESDAY = date(2026, 3, 4)
FRIDAY = date(2026, 3, 6)
problems: list[str] = []


def jakarta(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh - 7, mm), UTC)


def pump(seconds: float = 0.1) -> None:
    deadline = QDeadlineTimer(int(seconds * 1000))
    while not deadline.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = QDeadlineTimer(int(timeout * 1000))
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError("the screen did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def tap(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton,
                     pos=QPoint(widget.width() // 2, widget.height() // 2))
    pump(0.05)


def save(widget: QWidget, name: str, lang: str, check: bool = False,
         dialog: QWidget | None = None) -> None:
    pump(0.15)
    image = widget.grab()
    if dialog is not None:
        over = dialog.grab()
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 90))
        painter.drawPixmap((image.width() - over.width()) // 2,
                           (image.height() - over.height()) // 2, over)
        painter.end()
    path = OUT / f"{name}-{lang}-{image.width()}x{image.height()}.png"
    image.save(str(path))
    print(path.relative_to(ROOT))
    if check:
        problems.extend(f"{path.name}: {p}" for p in clipped_text(widget))


def office_with_calendar() -> object:
    week = WeekHours({d: (Period.parse("08:00-12:00"), Period.parse("13:00-16:00"))
                      for d in range(1, 5)}
                     | {5: (Period.parse("08:00-11:30"), Period.parse("13:30-16:00"))})
    demo = cached_demo_config()
    return replace(demo, office=replace(demo.office, calendar=Calendar(week)))


def kiosk(server: ServerThread, clock: FakeClock, size: tuple[int, int], lang: str,
          work: Path, device: str) -> KioskWindow:
    link = ServerLink(server.url, "kiosk", device, "demo-kiosk")
    window = KioskWindow(link, TicketPrinter(f"preview://{work}"), lang=lang,
                         idle_seconds=600, clock=clock)
    window.resize(*size)
    window.show()
    link.start()
    wait_for(lambda: link.connected)
    pump()
    return window


def close(window: QWidget, link: ServerLink) -> None:
    link.stop()
    window.close()
    window.deleteLater()
    pump(0.1)


def kiosk_shots(work: Path) -> None:
    clock = FakeClock(jakarta(WEDNESDAY, 10, 5))
    server = ServerThread(office_with_calendar(), f"sqlite:///{work / 'kiosk.db'}",  # type: ignore[arg-type]
                          clock).start()
    supervisor = WireClient(server.url, "supervisor", "supervisor-shots")
    supervisor.login()
    for code, start, end in (("MP-7Q2K9A", "10:00", "10:30"), ("MP-4H8T1C", "11:30", "12:00"),
                             ("MP-9X3M5D", "09:00", "09:30")):
        supervisor.ok("booking.add", code=code, service="A", date=WEDNESDAY.isoformat(),
                      start=start, end=end)
    kiosk_client = WireClient(server.url, "kiosk", "kiosk-busy")
    for service in "AAAB":
        kiosk_client.ok("ticket.issue", service=service)
    device = 0
    try:
        for size in KIOSK_SIZES:
            for lang in LANGS:
                device += 1
                window = kiosk(server, clock, size, lang, work, f"kiosk-{device}")
                save(window, "kiosk-start", lang, check=True)
                tap(window.start_screen.booking_button)
                for letter in "MP-4H8T1C":
                    tap(window.booking_screen.keys[letter])
                save(window, "kiosk-booking", lang, check=True)
                tap(window.booking_screen.submit_button)
                wait_for(window.booking_screen.message_label.isVisible)
                save(window, "kiosk-booking-early", lang, check=True)
                window.booking_screen.code_edit.setText("MP-9X3M5D")
                tap(window.booking_screen.submit_button)
                wait_for(window.booking_screen.walk_in_button.isVisible)
                save(window, "kiosk-booking-late", lang, check=True)
                close(window, window.link)
        # One booked ticket and one two-step ticket, per language (at full HD).
        for lang in LANGS:
            device += 1
            window = kiosk(server, clock, KIOSK_SIZES[0], lang, work, f"kiosk-{device}")
            if lang == "id":
                QTest.keyClicks(window, "MP-7Q2K9A")  # a scanner on the start screen
                QTest.keyClick(window, Qt.Key.Key_Return)
                wait_for(lambda w=window: w.current_screen() is w.ticket_screen)  # type: ignore[misc]
                save(window, "kiosk-ticket-booking", lang, check=True)
                tap(window.ticket_screen.done_button)
            tap(window.start_screen.take_button)
            tap(window.services_screen.tiles["D"])
            save(window, "kiosk-requirements-steps", lang, check=True)
            tap(window.requirements_screen.continue_button)
            tap(window.priority_screen.no_button)
            wait_for(lambda w=window: w.current_screen() is w.ticket_screen)  # type: ignore[misc]
            save(window, "kiosk-ticket-step", lang, check=True)
            close(window, window.link)
        clock.now = jakarta(FRIDAY, 12, 10)
        for size in KIOSK_SIZES:
            for lang in LANGS:
                device += 1
                window = kiosk(server, clock, size, lang, work, f"kiosk-{device}")
                save(window, "kiosk-break-start", lang, check=True)
                tap(window.start_screen.take_button)
                save(window, "kiosk-break-services", lang, check=True)
                close(window, window.link)
    finally:
        supervisor.close()
        kiosk_client.close()
        server.stop()


def console_and_display_shots(work: Path) -> None:
    # The console times a call with the real clock: the server runs on it too.
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=3, seconds=20))
    local = clock.now.astimezone(ZoneInfo("Asia/Jakarta"))
    today = local.date()
    now_slot = local.strftime("%H:%M")  # a slot that has just begun, to check in
    now_end = (local + timedelta(minutes=30)).strftime("%H:%M")
    server = ServerThread(cached_demo_config(), f"sqlite:///{work / 'console.db'}",
                          clock).start()
    kiosk_client = WireClient(server.url, "kiosk", "kiosk-1")
    for service in "DDA":
        kiosk_client.ok("ticket.issue", service=service)
    first = WireClient(server.url, "counter", "counter-4")
    first.login()
    first.ok("counter.open", counter="4", services=["D"], steps=["D:1"])
    first.ok("ticket.call_next", counter="4")
    first.ok("ticket.complete", ticket="D001")
    display_link = ServerLink(server.url, "display", "display-1", "demo-display")
    display = DisplayWindow(display_link, DisplayOptions(), Announcer(enabled=False),
                            clock=clock)
    display.resize(1920, 1080)
    display.show()
    display_link.start()
    window = CounterWindow(ConsoleSettings(
        server=server.url, device="counter-6", token="demo-counter", counter="6",
        supervisor_token="demo-supervisor", lang="id"))
    window.resize(*CONSOLE)
    window.show()
    window.start()
    try:
        wait_for(lambda: window.link.connected and display_link.connected)
        window.login_view.username.setText("demo")
        window.login_view.pin.setText("1234")
        QTest.keyClick(window.login_view.pin, Qt.Key.Key_Return)
        wait_for(lambda: window.logged_in and window.supervisor is not None)
        desk = window.desk
        for key, box in desk.step_boxes.items():
            box.setChecked(key == "D:2")
        for code, box in desk.service_boxes.items():
            box.setChecked(code == "D")
        tap(desk.open_button)
        wait_for(lambda: not desk.busy and desk.buttons[Action.CALL_NEXT].isEnabled())
        window.press(Action.CALL_NEXT)
        wait_for(lambda: not desk.busy and desk.ticket_step.isVisible())
        wait_for(lambda: display.now_calling.step_text() != "")
        for lang in LANGS:
            window.set_language(lang)
            save(window, "counter-step", lang)
        save(display, "display-step", "id")
        tap(desk.send_back_button)
        dialog = desk.send_back_dialog
        assert dialog is not None
        for lang in LANGS:
            window.set_language(lang)
            dialog.close()
            tap(desk.send_back_button)
            dialog = desk.send_back_dialog
            assert dialog is not None
            QTest.keyClicks(dialog.reason, "Surat sponsor belum ada" if lang == "id"
                            else "Sponsor's letter missing")
            save(window, "counter-send-back", lang, dialog=dialog)
        dialog.close()
        supervisor = window.supervisor
        assert supervisor is not None
        view = supervisor.bookings
        supervisor_client = WireClient(server.url, "supervisor", "supervisor-shots")
        supervisor_client.login()
        for code, start, end, name in (("MP-7Q2K9A", "08:00", "08:30", "Siti Rahmawati"),
                                       ("MP-4H8T1C", "08:30", "09:00", "Budi Santoso"),
                                       ("MP-2B6R8E", now_slot, now_end, "John Smith")):
            supervisor_client.ok("booking.add", code=code, service="A",
                                 date=today.isoformat(), start=start, end=end, name=name)
        kiosk_client.ok("booking.check_in", code="MP-2B6R8E")
        supervisor_client.ok("booking.cancel", code="MP-4H8T1C")
        supervisor_client.close()
        view.load()
        wait_for(lambda: view.table.rowCount() == 3)
        window.tabs.setCurrentWidget(supervisor)
        view.code.setText("MP-5K2J7W")
        for lang in LANGS:
            window.set_language(lang)
            window.resize(1366, 1000)
            pump(0.2)
            supervisor_scroll_to(supervisor, view)
            save(window, "counter-bookings", lang)
    finally:
        window.stop()
        display_link.stop()
        kiosk_client.close()
        first.close()
        pump(0.3)
        server.stop()


def supervisor_scroll_to(supervisor: QWidget, view: QWidget) -> None:
    area = supervisor.findChild(QScrollArea)
    if area is not None:
        area.ensureWidgetVisible(view, 0, 0)
    pump(0.1)


def main() -> int:
    app = ensure_app(["make_visits"])
    assert isinstance(app, QApplication)
    apply_theme(app)
    with tempfile.TemporaryDirectory() as folder:
        kiosk_shots(Path(folder))
        console_and_display_shots(Path(folder))
    for problem in problems:
        print(f"CUT OFF: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
