"""Two consoles at once, and the server's refusals: the server decides, the
console says why in the staff's language, and nothing breaks or changes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.core.model import Status
from counter.desk import Action
from tests.counter.console_driver import Console, log_in, open_desk, stored_events
from tests.support import ServerThread, WireClient, open_counter


def test_two_consoles_race_for_the_last_ticket(qtbot: QtBot, console: Console,
                                               live_server: ServerThread) -> None:
    first, second = console("1"), console("2")
    open_desk(qtbot, first)
    open_desk(qtbot, second)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    for window in (first, second):
        qtbot.waitUntil(window.desk.buttons[Action.CALL_NEXT].isEnabled)
    # Both press "call next" before either hears back.
    first.desk.buttons[Action.CALL_NEXT].click()
    second.desk.buttons[Action.CALL_NEXT].click()
    qtbot.waitUntil(lambda: not first.desk.busy and not second.desk.busy, timeout=5000)
    numbers = sorted(w.desk.ticket_number.text() for w in (first, second))
    assert numbers == ["", "A001"]
    winner, loser = (first, second) if first.desk.ticket_number.text() else (second, first)
    assert winner.message.text() == "Nomor A001 dipanggil."
    assert loser.message.text() == "Tidak ada antrean yang menunggu."
    assert len(stored_events(live_server, "ticket.called")) == 1
    # The loser's console is still fine: it can call the next one.
    kiosk.ok("ticket.issue", service="B")
    qtbot.waitUntil(loser.desk.buttons[Action.CALL_NEXT].isEnabled)
    qtbot.mouseClick(loser.desk.buttons[Action.CALL_NEXT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loser.desk.ticket_number.text() == "B001")
    kiosk.close()


def test_ticket_already_called_by_another_counter(qtbot: QtBot, console: Console,
                                                  live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    other = WireClient(live_server.url, "counter", "counter-2")
    open_counter(other, "2", ["A"])
    other.ok("ticket.call_next", counter="2")
    qtbot.waitUntil(lambda: window.desk.waiting_count.text() == "Menunggu: 0")
    qtbot.mouseClick(window.desk.buttons[Action.CALL_SPECIFIC], Qt.MouseButton.LeftButton)
    dialog = window.desk.call_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.number, "A001")
    qtbot.keyClicks(dialog.reason, "Dipanggil dari ruang tunggu")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.message.text()) and not window.desk.busy)
    assert window.message.text() == "Nomor A001 sudah dipanggil oleh loket 2."
    assert window.message.objectName() == "messageError"
    assert window.desk.ticket_number.text() == ""
    ticket = live_server.call(lambda: live_server.server.office.find_ticket("A001"))
    assert ticket.status is Status.CALLED and ticket.counter == "2" and ticket.calls == 1
    # Nothing broken: the console still works.
    assert window.desk.buttons[Action.CALL_SPECIFIC].isEnabled()
    kiosk.close()
    other.close()


def test_counter_open_on_another_device(qtbot: QtBot, console: Console,
                                        live_server: ServerThread) -> None:
    other = WireClient(live_server.url, "counter", "counter-1-old")
    open_counter(other, "1", ["A"])
    window = console("1", lang="en")
    log_in(qtbot, window)
    desk = window.desk
    assert desk.counter_hint.text() == "This counter is open on device counter-1-old."
    assert not desk.open_button.isEnabled()
    assert {a for a, b in desk.buttons.items() if b.isEnabled()} == set()
    # Closed there, it can be opened here.
    other.ok("counter.close", counter="1")
    qtbot.waitUntil(desk.open_button.isEnabled)
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.state_badge.text() == "Open" and not desk.busy)
    other.close()


def test_transfer_to_a_service_closed_meanwhile(qtbot: QtBot, console: Console,
                                                live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(window.desk.buttons[Action.CALL_NEXT].isEnabled)
    qtbot.mouseClick(window.desk.buttons[Action.CALL_NEXT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.desk.buttons[Action.TRANSFER].isEnabled)
    qtbot.mouseClick(window.desk.buttons[Action.TRANSFER], Qt.MouseButton.LeftButton)
    dialog = window.desk.transfer_dialog
    assert dialog is not None
    dialog.select("C")
    # A supervisor closes C while the picker is open.
    supervisor = WireClient(live_server.url, "supervisor", "supervisor-1")
    supervisor.login()
    supervisor.ok("service.update", service="C", open=False)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.message.objectName() == "messageError")
    assert window.message.text() == "Layanan ini sedang tutup."
    ticket = live_server.call(lambda: live_server.server.office.find_ticket("A001"))
    assert ticket.status is Status.CALLED and ticket.service == "A" and ticket.counter == "1"
    assert window.desk.ticket_number.text() == "A001"
    # The next picker shows C closed and will not let it be chosen.
    qtbot.mouseClick(window.desk.buttons[Action.TRANSFER], Qt.MouseButton.LeftButton)
    dialog = window.desk.transfer_dialog
    assert dialog is not None
    dialog.select("C")
    assert dialog.chosen() is None and not dialog.ok_button.isEnabled()
    assert dialog.choices.item(1).text() == "C · Pengambilan Paspor (tutup)"
    dialog.reject()
    kiosk.close()
    supervisor.close()
