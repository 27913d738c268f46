"""Issue 15: a key or button that cannot act now says why in the message bar,
in the console's language, from the catalogue."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.core.model import CounterState, Status
from antrean.i18n import tr
from counter.desk import Action, why_not
from tests.counter.console_driver import Console, activate, log_in, open_desk
from tests.counter.test_desk_rules import _desk, _ticket


@pytest.mark.parametrize(("desk", "action", "connected", "busy", "key"), [
    (_desk(), Action.CALL_NEXT, False, False, "counter.why.offline"),
    (_desk(), Action.CALL_NEXT, True, True, "counter.why.busy"),
    (_desk(CounterState.CLOSED, device=None), Action.CALL_NEXT, True, False,
     "counter.why.closed"),
    (_desk(device="counter-9"), Action.CALL_NEXT, True, False, "counter.why.held_elsewhere"),
    (_desk(CounterState.PAUSED), Action.CALL_NEXT, True, False, "counter.why.paused"),
    (_desk(waiting=0), Action.CALL_NEXT, True, False, "counter.why.queue_empty"),
    (_desk(), Action.COMPLETE, True, False, "counter.why.no_ticket"),
    (_desk(ticket=_ticket(Status.CALLED)), Action.CALL_NEXT, True, False,
     "counter.why.finish_first"),
    (_desk(ticket=_ticket(Status.SERVING)), Action.START, True, False, "counter.why.serving"),
])
def test_each_refusal_has_its_reason(desk: object, action: Action, connected: bool,
                                     busy: bool, key: str) -> None:
    assert why_not(desk, action, connected=connected, busy=busy)[0] == key  # type: ignore[arg-type]


def test_f1_on_a_closed_counter_says_open_it_first(qtbot: QtBot, console: Console) -> None:
    window = console("1")
    assert window.windowTitle() == "Antrean — Loket 1"
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.message.text() == tr("counter.why.login", "id")
    log_in(qtbot, window)
    assert window.desk.counter() is not None
    assert window.desk.counter().state is CounterState.CLOSED  # type: ignore[union-attr]
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.message.text() == (
        "Buka loket dulu: pilih layanan lalu tekan Buka loket.")
    window.set_language("en")
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.message.text().startswith("Open the counter first: tick its services")


def test_a_press_on_a_disabled_button_says_why(qtbot: QtBot, console: Console) -> None:
    window = console("2")
    open_desk(qtbot, window)
    desk = window.desk
    complete = desk.buttons[Action.COMPLETE]
    assert not complete.isEnabled()
    qtbot.mouseClick(complete, Qt.MouseButton.LeftButton)
    assert window.message.text() == tr("counter.why.no_ticket", "id")
    for box in desk.service_boxes.values():
        box.setChecked(False)
    assert not desk.open_button.isEnabled()
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    assert window.message.text() == tr("counter.why.choose_services", "id")
