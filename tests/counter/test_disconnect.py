"""A console that loses the server: banner, actions disabled, reconnect and
resync by itself, and an action in flight retried with the same request id —
done exactly once."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.core.model import Status
from counter.desk import Action, DeskRequest
from counter.window import CounterWindow
from tests.counter.console_driver import Console, open_desk, stored_events
from tests.support import ServerThread, WireClient


def sent_frames(window: CounterWindow) -> list[dict[str, Any]]:
    """Record every frame the console's link sends from now on."""
    frames: list[dict[str, Any]] = []
    socket = window.link._socket
    send = socket.sendTextMessage

    def recording(text: str) -> int:
        frames.append(json.loads(text))
        return int(send(text))

    socket.sendTextMessage = recording  # type: ignore[method-assign]
    return frames


def test_server_gone_then_back(qtbot: QtBot, console: Console,
                               live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    kiosk.close()
    desk = window.desk
    qtbot.waitUntil(desk.buttons[Action.CALL_NEXT].isEnabled)
    assert not window.banner.isVisible()

    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert window.banner.text() == "Koneksi ke server terputus. Menyambung kembali…"
    assert window.connection.text() == "Terputus"
    assert not any(button.isEnabled() for button in desk.buttons.values())
    assert not desk.open_button.isEnabled() and not desk.close_button.isEnabled()

    restarted = live_server.restart()
    try:
        qtbot.waitUntil(lambda: window.link.connected, timeout=15000)
        assert not window.banner.isVisible()
        assert window.connection.text() == "Tersambung"
        # Resynchronised and logged in again by itself: the work goes on.
        qtbot.waitUntil(desk.buttons[Action.CALL_NEXT].isEnabled)
        qtbot.mouseClick(desk.buttons[Action.CALL_NEXT], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: desk.ticket_number.text() == "A001" and not desk.busy)
        assert window.message.objectName() == "messageInfo"
    finally:
        window.stop()
        restarted.stop_while(qtbot.waitUntil)


def test_lost_answer_is_retried_with_the_same_id(qtbot: QtBot, console: Console,
                                                 live_server: ServerThread) -> None:
    """The connection dies after the server did the call but before its answer
    arrived: the console asks again with the same id and gets the original
    answer, so the visitor is called once."""
    window = console("1")
    open_desk(qtbot, window)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    kiosk.ok("ticket.issue", service="A")
    kiosk.close()
    desk = window.desk
    qtbot.waitUntil(lambda: desk.waiting_count.text() == "Menunggu: 2")
    link = window.link
    frames = sent_frames(window)
    dropped: list[str] = []

    def lose_the_answer(text: str) -> None:
        message = json.loads(text)
        if (not dropped and message.get("type") == "ok"
                and message.get("id") == desk.requests.request_id):
            dropped.append(text)
            link._socket.abort()  # the line drops before the answer is read
            return
        link._on_text(text)

    link._socket.textMessageReceived.disconnect(link._on_text)
    link._socket.textMessageReceived.connect(lose_the_answer)

    qtbot.mouseClick(desk.buttons[Action.CALL_NEXT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dropped), timeout=5000)
    qtbot.waitUntil(lambda: desk.ticket_number.text() == "A001" and not desk.busy,
                    timeout=10000)
    calls = [f for f in frames if f["type"] == "ticket.call_next"]
    assert len(calls) == 2 and calls[0]["id"] == calls[1]["id"]
    called = stored_events(live_server, "ticket.called")
    assert [e["data"]["ticket"]["number"] for e in called] == ["A001"]
    assert window.message.text() == "Nomor A001 dipanggil."
    assert desk.waiting_count.text() == "Menunggu: 1"


def test_action_in_flight_when_the_server_stops(qtbot: QtBot, console: Console,
                                                live_server: ServerThread) -> None:
    """Press "done" and the server goes down at that moment: after the restart
    the ticket is done exactly once, whichever side of the crash it fell."""
    window = console("1")
    open_desk(qtbot, window)
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    kiosk.close()
    desk = window.desk
    qtbot.waitUntil(desk.buttons[Action.CALL_NEXT].isEnabled)
    qtbot.mouseClick(desk.buttons[Action.CALL_NEXT], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.buttons[Action.COMPLETE].isEnabled())

    qtbot.mouseClick(desk.buttons[Action.COMPLETE], Qt.MouseButton.LeftButton)
    assert desk.busy and not any(b.isEnabled() for b in desk.buttons.values())
    live_server.stop_while(qtbot.waitUntil)
    restarted = live_server.restart()
    try:
        qtbot.waitUntil(lambda: window.link.connected and not desk.busy, timeout=15000)
        assert desk.ticket_number.text() == ""
        assert window.message.text() == "A001 selesai dilayani."
        status = restarted.call(lambda: restarted.server.office.find_ticket("A001").status)
        assert status is Status.DONE
        completed = stored_events(restarted, "ticket.completed")
        assert len(completed) == 1
    finally:
        window.stop()
        restarted.stop_while(qtbot.waitUntil)


def test_action_pressed_while_offline_waits_then_goes_once(
    qtbot: QtBot, console: Console, live_server: ServerThread
) -> None:
    """A request already sent stays pending through an outage, and the message
    bar says so; after the reconnect it is answered and the bar says what happened."""
    window = console("1")
    open_desk(qtbot, window)
    desk = window.desk
    live_server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: not window.link.connected, timeout=5000)
    # The key is disabled while offline; a request made anyway (e.g. already
    # queued) waits for the reconnect instead of failing.
    desk.send(DeskRequest("counter.pause", {"counter": "1"}, "counter.done.paused"))
    assert window.message.text() == (
        "Tindakan tertunda: dikirim ulang otomatis setelah tersambung kembali.")
    restarted = live_server.restart()
    try:
        qtbot.waitUntil(lambda: window.message.text() == "Loket istirahat.", timeout=15000)
        assert desk.state_badge.text() == "Istirahat"
        assert len(stored_events(restarted, "counter.paused")) == 1
    finally:
        window.stop()
        restarted.stop_while(qtbot.waitUntil)
