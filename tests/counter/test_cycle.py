"""The counter's day against a real server: open, call, recall, start, done,
no-show, transfer, call a specific number with a reason, pause and close —
by clicking the buttons and by pressing their function keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.core.model import CounterState, Status
from antrean.i18n import error_text
from antrean.session import Answer
from counter.desk import Action, DeskRequest
from counter.window import CounterWindow
from tests.counter.console_driver import Console, activate, log_in, open_desk, stored_events
from tests.support import ServerThread, WireClient


@pytest.fixture
def kiosk(live_server: ServerThread) -> Iterator[WireClient]:
    client = WireClient(live_server.url, "kiosk", "kiosk-1")
    yield client
    client.close()


def click(qtbot: QtBot, window: CounterWindow, action: Action) -> None:
    button = window.desk.buttons[action]
    assert button.isEnabled(), f"{action} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def settle(qtbot: QtBot, window: CounterWindow) -> None:
    """Wait until the answer and its event have both arrived."""
    qtbot.waitUntil(lambda: not window.desk.busy, timeout=5000)


def enabled(window: CounterWindow) -> set[Action]:
    return {action for action, button in window.desk.buttons.items() if button.isEnabled()}


def server_ticket(server: ServerThread, number: str) -> Status:
    return server.call(lambda: server.server.office.find_ticket(number).status)


def test_open_shows_the_configured_services(qtbot: QtBot, console: Console,
                                            live_server: ServerThread) -> None:
    window = console("1")
    log_in(qtbot, window)
    desk = window.desk
    assert enabled(window) == set()  # closed: nothing to do yet
    assert desk.state_badge.text() == "Tutup"
    assert [c for c, box in desk.service_boxes.items() if box.isChecked()] == ["A", "B"]
    # Serve C too today.
    qtbot.mouseClick(desk.service_boxes["C"], Qt.MouseButton.LeftButton)
    assert desk.open_button.text() == "Buka loket"
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert desk.state_badge.text() == "Buka"
    counter = live_server.call(lambda: live_server.server.office.counters["1"])
    assert counter.state is CounterState.OPEN and counter.services == ("A", "B", "C")
    assert counter.staff is not None and counter.staff.username == "demo"
    assert window.message.text() == "Loket dibuka."
    # Nobody waits: calling next makes no sense yet, a specific number might.
    assert enabled(window) == {Action.CALL_SPECIFIC, Action.PAUSE_RESUME}


def test_full_cycle_call_recall_start_done(qtbot: QtBot, console: Console, kiosk: WireClient,
                                           live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    kiosk.ok("ticket.issue", service="A")
    kiosk.ok("ticket.issue", service="B", priority="priority")
    qtbot.waitUntil(lambda: desk.waiting_count.text() == "Menunggu: 2")
    assert [label.text() for label in desk.next_labels if label.isVisible()] == ["B001 ★", "A001"]

    click(qtbot, window, Action.CALL_NEXT)
    settle(qtbot, window)
    assert desk.ticket_number.text() == "B001"  # the priority lane first
    assert desk.priority_badge.isVisible()
    assert desk.ticket_service.text() == "B · Penggantian Paspor"
    assert desk.ticket_status.text() == "Status: Dipanggil"
    assert desk.ticket_clock.text().startswith("00:0")
    assert window.message.text() == "Nomor B001 dipanggil."
    assert enabled(window) == {Action.RECALL, Action.START, Action.COMPLETE, Action.NO_SHOW,
                               Action.TRANSFER}
    assert desk.waiting_count.text() == "Menunggu: 1"

    click(qtbot, window, Action.RECALL)
    settle(qtbot, window)
    assert "panggilan ke-2" in desk.ticket_detail.text()
    assert window.message.text() == "Nomor B001 dipanggil ulang (panggilan ke-2)."

    click(qtbot, window, Action.START)
    settle(qtbot, window)
    assert desk.ticket_status.text() == "Status: Dilayani"
    assert enabled(window) == {Action.COMPLETE, Action.TRANSFER}

    click(qtbot, window, Action.COMPLETE)
    settle(qtbot, window)
    assert desk.ticket_number.text() == ""
    assert desk.ticket_service.text() == "Belum ada nomor yang dipanggil"
    assert server_ticket(live_server, "B001") is Status.DONE
    qtbot.waitUntil(lambda: desk.figure_values["served"].text() == "1")
    assert desk.figure_values["no_show"].text() == "0"
    names = [e["name"] for e in stored_events(live_server)
             if e["data"].get("ticket", {}).get("number") == "B001"]
    assert names == ["ticket.issued", "ticket.called", "ticket.called", "ticket.started",
                     "ticket.completed"]


def test_no_show(qtbot: QtBot, console: Console, kiosk: WireClient,
                 live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: window.desk.buttons[Action.CALL_NEXT].isEnabled())
    click(qtbot, window, Action.CALL_NEXT)
    settle(qtbot, window)
    click(qtbot, window, Action.NO_SHOW)
    settle(qtbot, window)
    assert window.message.text() == "A001 ditandai tidak hadir."
    assert server_ticket(live_server, "A001") is Status.NO_SHOW
    qtbot.waitUntil(lambda: window.desk.figure_values["no_show"].text() == "1")
    assert window.desk.figure_values["served"].text() == "0"


def test_transfer_with_the_picker(qtbot: QtBot, console: Console, kiosk: WireClient,
                                  live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: desk.buttons[Action.CALL_NEXT].isEnabled())
    click(qtbot, window, Action.CALL_NEXT)
    settle(qtbot, window)
    click(qtbot, window, Action.TRANSFER)
    dialog = desk.transfer_dialog
    assert dialog is not None and dialog.isVisible()
    labels = [dialog.choices.item(i).text() for i in range(dialog.choices.count())]
    assert labels == ["B · Penggantian Paspor", "C · Pengambilan Paspor", "D · Izin Tinggal",
                      "E · Informasi & Pengaduan"]  # not its own service
    assert not dialog.ok_button.isEnabled()
    dialog.select("C")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.message.text() == "A001 dialihkan ke C · Pengambilan Paspor."
    assert desk.ticket_number.text() == ""
    ticket = live_server.call(lambda: live_server.server.office.find_ticket("A001"))
    assert ticket.status is Status.WAITING and ticket.service == "C"
    assert ticket.counter is None


def test_cancelled_transfer_changes_nothing(qtbot: QtBot, console: Console, kiosk: WireClient,
                                            live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: window.desk.buttons[Action.CALL_NEXT].isEnabled())
    click(qtbot, window, Action.CALL_NEXT)
    settle(qtbot, window)
    click(qtbot, window, Action.TRANSFER)
    dialog = window.desk.transfer_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert server_ticket(live_server, "A001") is Status.CALLED
    assert window.desk.ticket_number.text() == "A001"


def test_call_specific_needs_a_reason_and_is_audited(
    qtbot: QtBot, console: Console, kiosk: WireClient, live_server: ServerThread
) -> None:
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    kiosk.ok("ticket.issue", service="A")
    kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: desk.waiting_count.text() == "Menunggu: 2")
    click(qtbot, window, Action.CALL_SPECIFIC)
    dialog = desk.call_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.number, "a002")
    assert not dialog.ok_button.isEnabled()  # a number alone is not enough
    qtbot.keyClicks(dialog.reason, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    qtbot.keyClicks(dialog.reason, "Ibu hamil, kembali dari fotokopi")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert desk.ticket_number.text() == "A002"
    assert window.message.text() == "Nomor A002 dipanggil di luar urutan (alasan dicatat)."
    called = stored_events(live_server, "ticket.called")
    assert len(called) == 1
    assert called[0]["data"]["ticket"]["number"] == "A002"
    assert called[0]["data"]["reason"] == "Ibu hamil, kembali dari fotokopi"
    assert called[0]["data"]["via"] == "specific"
    assert called[0]["staff"] == "demo" and called[0]["device"] == "counter-1"


def test_call_specific_unknown_number(qtbot: QtBot, console: Console,
                                      live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    click(qtbot, window, Action.CALL_SPECIFIC)
    dialog = window.desk.call_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.number, "D123")
    qtbot.keyClicks(dialog.reason, "Dicari di ruang tunggu")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.message.text() == "Nomor D123 tidak ada hari ini."
    assert window.message.objectName() == "messageError"
    assert window.desk.ticket_number.text() == ""
    assert stored_events(live_server, "ticket.called") == []


def test_function_keys_drive_the_whole_cycle(qtbot: QtBot, console: Console, kiosk: WireClient,
                                             live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    for _ in range(2):
        kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: desk.waiting_count.text() == "Menunggu: 2")
    activate(qtbot, window)
    assert [desk.buttons[a].text().split("\n")[0] for a in Action] == [
        "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"]

    def press(key: Qt.Key) -> None:
        qtbot.keyClick(window, key)
        settle(qtbot, window)

    press(Qt.Key.Key_F1)
    assert desk.ticket_number.text() == "A001"
    press(Qt.Key.Key_F2)
    assert "panggilan ke-2" in desk.ticket_detail.text()
    press(Qt.Key.Key_F3)
    assert desk.ticket_status.text() == "Status: Dilayani"
    press(Qt.Key.Key_F5)  # no-show makes no sense while serving: nothing happens
    assert server_ticket(live_server, "A001") is Status.SERVING
    press(Qt.Key.Key_F4)
    assert server_ticket(live_server, "A001") is Status.DONE
    press(Qt.Key.Key_F1)
    assert desk.ticket_number.text() == "A002"
    press(Qt.Key.Key_F5)
    assert server_ticket(live_server, "A002") is Status.NO_SHOW
    press(Qt.Key.Key_F8)
    assert desk.state_badge.text() == "Istirahat"
    assert desk.buttons[Action.PAUSE_RESUME].text() == "F8\nLanjutkan"
    assert enabled(window) == {Action.PAUSE_RESUME}
    press(Qt.Key.Key_F8)
    assert desk.state_badge.text() == "Buka"
    assert window.message.text() == "Loket dibuka kembali."
    counter = live_server.call(lambda: live_server.server.office.counters["1"])
    assert counter.state is CounterState.OPEN and counter.services == ("A", "B")
    qtbot.keyClick(window, Qt.Key.Key_F6)  # transfer with no ticket: nothing opens
    qtbot.keyClick(window, Qt.Key.Key_F7)  # calling a number opens its dialog
    assert desk.transfer_dialog is None
    assert desk.call_dialog is not None and desk.call_dialog.isVisible()
    desk.call_dialog.reject()


def test_close_the_counter(qtbot: QtBot, console: Console, live_server: ServerThread) -> None:
    window = console("1", lang="en")
    open_desk(qtbot, window)
    desk = window.desk
    assert desk.open_button.text() == "Save services"
    assert not desk.open_button.isEnabled()  # nothing changed yet
    qtbot.mouseClick(desk.service_boxes["E"], Qt.MouseButton.LeftButton)
    assert desk.open_button.isEnabled()
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.message.text() == "Counter services saved."
    assert live_server.call(lambda: live_server.server.office.counters["1"].services) == (
        "A", "B", "E")
    qtbot.mouseClick(desk.close_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert desk.state_badge.text() == "Closed"
    assert window.message.text() == "Counter closed."
    assert enabled(window) == set()


def test_a_counter_the_office_does_not_have(qtbot: QtBot, console: Console) -> None:
    window = console("9")
    log_in(qtbot, window)
    desk = window.desk
    assert desk.counter_hint.text() == "Loket 9 tidak ada di konfigurasi kantor."
    assert window.title.text() == "Loket 9"
    assert not desk.open_button.isEnabled()
    assert enabled(window) == set()


def test_services_cannot_be_changed_during_a_break(qtbot: QtBot, console: Console) -> None:
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    click(qtbot, window, Action.PAUSE_RESUME)
    settle(qtbot, window)
    qtbot.mouseClick(desk.service_boxes["D"], Qt.MouseButton.LeftButton)
    assert not desk.open_button.isEnabled()  # F8 resumes; saving would reopen
    assert desk.close_button.isEnabled()


def test_an_answer_the_console_cannot_read_is_an_error_not_a_crash(
        qtbot: QtBot, console: Console, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A call-next answer whose ticket lacks its fields (a broken server, a bad
    proxy): the console says so in the staff's language and does not wait for an
    echo that cannot be matched."""
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    reports: list[tuple[str, str]] = []
    desk.report.connect(lambda kind, text: reports.append((kind, text)))
    callbacks: list[Callable[[Answer], None]] = []

    def request(type_: str, callback: Callable[[Answer], None], **fields: object) -> str:
        callbacks.append(callback)
        return "test-1"

    monkeypatch.setattr(desk.link, "request", request)
    desk.send(DeskRequest("ticket.call_next", {"counter": "1"}, "counter.done.called"))
    assert desk.busy
    callbacks[0](Answer(True, {"ticket": {"id": "2026-11-23-A001", "number": "A001"}}))
    assert reports[-1] == ("error", error_text("internal", "id"))
    assert not desk.busy  # no echo to wait for
    assert "the answer to ticket.call_next cannot be read: ticket: 'service'" in caplog.text
