"""The console's side of issue 12 against a real server: the ticket's step and
what comes next, sending a ticket back a step with a reason, a booked
ticket's badge, and the supervisor's bookings (add and cancel by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from pytestqt.qtbot import QtBot

from counter.desk import Action
from counter.window import CounterWindow
from server.config import StaffMember
from server.demo import DEMO_HASHES
from tests.counter.console_driver import Console, log_in, open_desk, stored_events
from tests.counter.test_supervisor import supervisor_console
from tests.support import FakeClock, ServerThread, WireClient, cached_demo_config


def press(qtbot: QtBot, window: CounterWindow, action: Action) -> None:
    qtbot.waitUntil(lambda: window.desk.buttons[action].isEnabled(), timeout=5000)
    window.press(action)
    qtbot.waitUntil(lambda: not window.desk.busy, timeout=5000)


def test_send_back_a_step_with_a_reason(qtbot: QtBot, console: Console,
                                         live_server: ServerThread) -> None:
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="D")
    window = console("4")
    open_desk(qtbot, window)
    desk = window.desk
    press(qtbot, window, Action.CALL_NEXT)
    assert not desk.send_back_button.isVisible()  # step 1: nowhere to go back to
    press(qtbot, window, Action.COMPLETE)
    assert "D001 selesai di tahap ini" in window.message.text()
    press(qtbot, window, Action.CALL_NEXT)
    assert desk.ticket_step.text() == "Tahap 2/2: Wawancara & biometrik · Tahap terakhir"
    assert desk.send_back_button.isVisible() and desk.send_back_button.isEnabled()
    qtbot.mouseClick(desk.send_back_button, Qt.MouseButton.LeftButton)
    dialog = desk.send_back_dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()  # a reason first
    qtbot.keyClicks(dialog.reason, "Surat sponsor belum ada")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not desk.busy and desk.desk().ticket is None, timeout=5000)
    ticket = live_server.call(lambda: live_server.server.office.find_ticket("D001"))
    assert (ticket.status.value, ticket.step) == ("waiting", 1)
    [event] = stored_events(live_server, "ticket.sent_back")
    assert event["data"]["reason"] == "Surat sponsor belum ada"
    assert event["staff"] == "demo"
    kiosk.close()


@pytest.fixture
def clocked_server(tmp_path: Path) -> Iterator[ServerThread]:
    """The demo office at 10:05 on a Wednesday (office time), whatever the hour."""
    clock = FakeClock(datetime(2026, 3, 4, 3, 5, tzinfo=UTC))
    thread = ServerThread(cached_demo_config(), f"sqlite:///{tmp_path / 'o.db'}", clock).start()
    yield thread
    thread.stop()


def test_booked_ticket_shows_its_mark(qtbot: QtBot, clocked_server: ServerThread,
                                      console: Console) -> None:
    supervisor = WireClient(clocked_server.url, "supervisor", "supervisor-x")
    supervisor.login()
    supervisor.ok("booking.add", code="MP-1234", service="A", date="2026-03-04",
                  start="10:00", end="10:30")
    kiosk = WireClient(clocked_server.url, "kiosk", "kiosk-1")
    kiosk.ok("booking.check_in", code="MP-1234")
    kiosk.ok("ticket.issue", service="A", priority="priority")
    window = console("1", server=clocked_server)
    open_desk(qtbot, window)
    desk = window.desk
    # Waiting: the booked ticket (its slot has begun) and a priority one, each marked.
    assert [label.text() for label in desk.next_labels if label.isVisible()] == [
        "A001 ◆", "A002 ★"]
    assert desk.priority_legend.text() == "★ = Prioritas · ◆ = booking (janji temu)"
    press(qtbot, window, Action.CALL_NEXT)
    badge = window.desk.priority_badge
    assert badge.isVisible() and badge.text() == "◆ Booking MP-1234"
    kiosk.close()
    supervisor.close()


def test_supervisor_adds_and_cancels_a_booking_by_hand(
        qtbot: QtBot, console: Console, live_server: ServerThread) -> None:
    _, view = supervisor_console(qtbot, console)
    bookings = view.bookings
    assert bookings.none_label.text() == "Belum ada booking hari ini."
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    qtbot.keyClicks(bookings.code, "mp-7777")
    bookings.service.setCurrentIndex(bookings.service.findData("B"))
    bookings.date.setDate(QDate(today.year, today.month, today.day))
    bookings.start.setTime(QTime(9, 0))
    assert bookings.end.time() == QTime(9, 30)  # a slot is 30 minutes unless changed
    qtbot.keyClicks(bookings.name, "Budi")
    qtbot.mouseClick(bookings.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bookings.table.rowCount() == 1, timeout=5000)
    row = [bookings.table.item(0, c).text() for c in range(5)]
    assert row == ["MP-7777", "B", "09:00–09:30", "Budi", "Terjadwal"]
    qtbot.mouseClick(bookings.cancel_buttons["MP-7777"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bookings.table.item(0, 4).text() == "Dibatalkan", timeout=5000)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    assert kiosk.request("booking.check_in", code="MP-7777")["code"] == "not_found"
    kiosk.close()


@pytest.fixture
def skilled_server(tmp_path: Path) -> Iterator[ServerThread]:
    """The demo office plus Rina, who checks documents (D step 1) and nothing else."""
    demo = cached_demo_config()
    rina = StaffMember("rina", "Rina", ("counter",), DEMO_HASHES["1234"], ("D:1",))
    thread = ServerThread(replace(demo, staff=(*demo.staff, rina)),
                          f"sqlite:///{tmp_path / 's.db'}").start()
    yield thread
    thread.stop()


def test_steps_are_ticked_by_the_staffs_skills(qtbot: QtBot, skilled_server: ServerThread,
                                               console: Console) -> None:
    window = console("4", server=skilled_server)
    log_in(qtbot, window, "rina", "1234")
    desk = window.desk
    qtbot.waitUntil(lambda: desk.step_boxes["D:1"].isChecked()
                    and not desk.step_boxes["D:2"].isChecked(), timeout=5000)
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not desk.busy and desk.counter() is not None
                    and desk.counter().state.value == "open", timeout=5000)  # type: ignore[union-attr]
    assert desk.counter().steps == ("D:1",)  # type: ignore[union-attr]
    # Ticking the step Rina may not serve is refused by the server, naming it.
    qtbot.mouseClick(desk.step_boxes["D:2"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "D2 · Wawancara & biometrik" in window.message.text(),
                    timeout=5000)
    assert window.message.text().startswith("Anda tidak berwenang melayani: D2")
