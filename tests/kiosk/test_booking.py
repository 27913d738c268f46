"""Checking in with a booking code at the kiosk, through the real server: typed
on the on-screen keyboard, scanned on the start screen (a scanner's fast
keystrokes and Enter), each refusal in its own words; and a Friday break shown
with its reopening time (the clock injected, not waited for)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.core.calendar import Calendar, Period, WeekHours
from antrean.core.model import Service
from antrean.views import IssuedTicket
from kiosk.booking import ScanBuffer, ticket_notes
from kiosk.printing import TicketPrint
from kiosk.window import KioskWindow
from tests.kiosk.conftest import MakeKiosk, server_tickets, staff_client, tap
from tests.kiosk.layout_check import clipped_text
from tests.kiosk.test_layout import untranslated
from tests.support import FakeClock, ServerThread, cached_demo_config

WEDNESDAY = date(2026, 3, 4)
FRIDAY = date(2026, 3, 6)


def jakarta(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh - 7, mm), UTC)  # Asia/Jakarta is UTC+7


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(jakarta(WEDNESDAY, 10, 5))


@pytest.fixture
def office_server(tmp_path: Path, clock: FakeClock) -> Iterator[ServerThread]:
    """The demo office with Friday prayers off, on a clock the test moves."""
    week = WeekHours({d: (Period.parse("08:00-12:00"), Period.parse("13:00-16:00"))
                      for d in range(1, 5)}
                     | {5: (Period.parse("08:00-11:30"), Period.parse("13:30-16:00"))})
    demo = cached_demo_config()
    config = replace(demo, office=replace(demo.office, calendar=Calendar(week)))
    server = ServerThread(config, f"sqlite:///{tmp_path / 'office.db'}", clock).start()
    yield server
    server.stop()


def add_booking(server: ServerThread, code: str, start: str = "10:00", end: str = "10:30",
                day: date = WEDNESDAY) -> None:
    staff_client(server).ok("booking.add", code=code, service="A", date=day.isoformat(),
                            start=start, end=end, name="Siti")


def kiosk(make_kiosk: MakeKiosk, server: ServerThread, clock: FakeClock,
          lang: str = "id") -> KioskWindow:
    return make_kiosk(server=server, clock=clock, lang=lang)


def type_on_screen(qtbot: QtBot, window: KioskWindow, code: str) -> None:
    for letter in code:
        tap(qtbot, window.booking_screen.keys[letter])


def test_check_in_by_typing_on_the_on_screen_keyboard(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk,
        clock: FakeClock) -> None:
    add_booking(office_server, "MP-0001")
    window = kiosk(make_kiosk, office_server, clock)
    tap(qtbot, window.start_screen.booking_button)
    assert window.current_screen() is window.booking_screen
    type_on_screen(qtbot, window, "MP-00X")
    tap(qtbot, window.booking_screen.delete_button)
    type_on_screen(qtbot, window, "01")
    assert window.booking_screen.code_edit.text() == "MP-0001"
    tap(qtbot, window.booking_screen.submit_button)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen, timeout=5000)
    assert window.ticket_screen.number_label.text() == "A001"
    assert window.ticket_screen.priority_label.text() == "Booking MP-0001"
    [ticket] = server_tickets(office_server)
    assert ticket["booking"] == "MP-0001" and ticket["slot_at"].startswith("2026-03-04T10:00")


class PaperTray:
    """A printer that keeps what it was given."""

    def __init__(self) -> None:
        self.printed: list[TicketPrint] = []

    def print_ticket(self, ticket: TicketPrint) -> None:
        self.printed.append(ticket)


def test_check_in_by_a_scanner_on_the_start_screen(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk,
        clock: FakeClock) -> None:
    add_booking(office_server, "MP-0002")
    tray = PaperTray()
    window = make_kiosk(server=office_server, clock=clock, lang="id", printer=tray)
    assert window.current_screen() is window.start_screen
    qtbot.keyClicks(window, "mp-0002")  # a scanner: one key every few ms
    qtbot.keyClick(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen, timeout=5000)
    assert [t["booking"] for t in server_tickets(office_server)] == ["MP-0002"]
    qtbot.waitUntil(lambda: bool(tray.printed), timeout=5000)
    assert tray.printed[0].footer[0] == "Booking MP-0002"  # the printed ticket says so too


def test_scanner_keystrokes_land_in_the_code_field_too(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk,
        clock: FakeClock) -> None:
    add_booking(office_server, "MP-0003")
    window = kiosk(make_kiosk, office_server, clock)
    tap(qtbot, window.start_screen.booking_button)
    qtbot.keyClicks(window.booking_screen.code_edit, "mp-0003")
    qtbot.keyClick(window.booking_screen.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_screen() is window.ticket_screen, timeout=5000)


def test_a_person_typing_slowly_on_the_start_screen_checks_nobody_in() -> None:
    scan = ScanBuffer()
    for n, letter in enumerate("MP-0004"):
        scan.key(letter, n * 300)
    assert scan.enter(7 * 300) is None
    for n, letter in enumerate("MP-0004"):
        scan.key(letter, 10_000 + n * 5)
    assert scan.enter(10_000 + 40) == "MP-0004"
    scan.key("A", 20_000)
    assert scan.enter(20_001) is None  # too short to be a code


def test_each_refusal_in_its_own_words(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk,
        clock: FakeClock) -> None:
    add_booking(office_server, "MP-EARLY", "11:00", "11:30")
    add_booking(office_server, "MP-LATE", "09:00", "09:30")
    add_booking(office_server, "MP-FRI", day=FRIDAY)
    add_booking(office_server, "MP-USED")
    window = kiosk(make_kiosk, office_server, clock)
    screen = window.booking_screen

    def check_in(code: str) -> str:
        window.reset()
        tap(qtbot, window.start_screen.booking_button)
        qtbot.keyClicks(screen.code_edit, code)
        tap(qtbot, screen.submit_button)
        qtbot.waitUntil(lambda: screen.message_label.isVisible()
                        or window.current_screen() is window.ticket_screen, timeout=5000)
        return screen.message_label.text()

    assert check_in("NOPE-1") == ("Kode booking NOPE-1 tidak ditemukan. "
                                  "Periksa kembali kode Anda.")
    assert not screen.keyboard.isVisible()  # the answer stands in the keyboard's place
    tap(qtbot, screen.retry_button)
    assert screen.keyboard.isVisible() and screen.code_edit.text() == ""
    assert check_in("NOPE-2").startswith("Kode booking NOPE-2")
    qtbot.keyClicks(screen.code_edit, "M")  # typing (or a scan) brings the keys back
    assert screen.keyboard.isVisible() and not screen.message_label.isVisible()
    assert check_in("MP-EARLY") == ("Anda datang terlalu awal. Silakan lapor kedatangan "
                                    "mulai pukul 10.30.")
    assert check_in("MP-FRI") == "Booking ini untuk tanggal 6 Maret 2026, bukan hari ini."
    assert check_in("MP-USED") == ""
    window.ticket_screen.done.emit()
    assert check_in("MP-USED") == "Kode booking MP-USED sudah dipakai untuk lapor kedatangan."
    late = check_in("MP-LATE")
    assert late.startswith("Waktu lapor kedatangan untuk booking ini sudah lewat.")
    assert screen.walk_in_button.isVisible()
    tap(qtbot, screen.walk_in_button)  # a regular number for the booking's service instead
    assert window.current_screen() is window.requirements_screen
    assert window.visit.service == "A"


def test_friday_break_shows_the_reopening_time(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk,
        clock: FakeClock) -> None:
    clock.now = jakarta(FRIDAY, 12, 10)
    window = kiosk(make_kiosk, office_server, clock)
    notice = window.start_screen.closed_label
    qtbot.waitUntil(notice.isVisible)
    assert notice.text() == "Istirahat — buka kembali pukul 13.30"
    tap(qtbot, window.start_screen.take_button)
    tile = window.services_screen.tiles["A"]
    assert not tile.isEnabled()
    assert tile.reason_label.text() == "Istirahat — buka kembali pukul 13.30"
    tap(qtbot, window.language_button)
    assert tile.reason_label.text() == "Break — opens again at 13:30"
    clock.now = jakarta(FRIDAY, 13, 30)
    window._tick()  # the kiosk's minute tick, without waiting a minute
    assert tile.isEnabled()
    assert not window.start_screen.closed_label.isVisible()


def test_printed_notes_for_a_step_and_a_booking() -> None:
    demo = cached_demo_config().office
    stay_permit = next(s for s in demo.services if s.code == "D")
    service = Service(stay_permit)
    assert ticket_notes(issued(step=1, steps=2), service, "id") == (
        "Tahap 1/2: Verifikasi berkas",)
    assert ticket_notes(issued(step=2, steps=2, booking="MP-1"), service, "en") == (
        "Booking MP-1", "Step 2/2: Interview & biometrics")
    assert ticket_notes(issued(step=1, steps=1), None, "id") == ()


def issued(**fields: object) -> IssuedTicket:
    return IssuedTicket.from_wire({"id": "2026-03-04-D001", "number": "D001", "service": "D",
                                   "status": "waiting", "issued_at": "2026-03-04T09:00:00+07:00",
                                   **fields})


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768), (1080, 1920)],
                         ids=lambda size: f"{size[0]}x{size[1]}")
def test_booking_screens_fit_every_kiosk(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk, clock: FakeClock,
        size: tuple[int, int], lang: str) -> None:
    """Nothing cut off or left untranslated, keys at least 90 px, at every size."""
    add_booking(office_server, "MP-LATE", "09:00", "09:30")
    window = make_kiosk(server=office_server, clock=clock, lang=lang, size=size)
    tap(qtbot, window.start_screen.booking_button)
    type_on_screen(qtbot, window, "MP-LATE")
    assert clipped_text(window) == [] and untranslated(window) == []
    assert min(key.height() for key in window.booking_screen.keys.values()) >= 90
    tap(qtbot, window.booking_screen.submit_button)
    qtbot.waitUntil(window.booking_screen.walk_in_button.isVisible, timeout=5000)
    assert clipped_text(window) == [] and untranslated(window) == []
    clock.now = jakarta(FRIDAY, 12, 10)
    window.reset()
    window._tick()
    assert window.start_screen.closed_label.isVisible()
    qtbot.waitUntil(lambda: clipped_text(window) == [])  # once the new date is laid out
    assert untranslated(window) == []


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768), (1080, 1920)],
                         ids=lambda size: f"{size[0]}x{size[1]}")
def test_a_visit_in_steps_says_so_before_the_queue(
        qtbot: QtBot, office_server: ServerThread, make_kiosk: MakeKiosk, clock: FakeClock,
        size: tuple[int, int], lang: str) -> None:
    window = make_kiosk(server=office_server, clock=clock, lang=lang, size=size)
    tap(qtbot, window.start_screen.take_button)
    tap(qtbot, window.services_screen.tiles["D"])
    steps = window.requirements_screen.steps_label
    assert steps.isVisible()
    assert steps.text() == {
        "id": "Layanan ini dalam 2 tahap: 1. Verifikasi berkas → 2. Wawancara & biometrik",
        "en": "This service has 2 steps: 1. Document check → 2. Interview & biometrics",
    }[lang]
    assert clipped_text(window) == [] and untranslated(window) == []
    tap(qtbot, window.requirements_screen.back_button)
    tap(qtbot, window.services_screen.tiles["A"])
    assert not window.requirements_screen.steps_label.isVisible()
