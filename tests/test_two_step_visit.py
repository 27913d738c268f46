"""A two-step visit through the real server and the three Qt apps: a visitor
takes a Stay Permit (D) number at the kiosk, counter 4 (step 1 only) checks
the documents, counter 6 (step 2 only) does the interview, and the
waiting-room display shows and announces each call with its step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.desk import Action
from counter.window import CounterWindow
from tests.counter.conftest import console  # noqa: F401  (fixture)
from tests.counter.console_driver import Console, log_in
from tests.display.conftest import make_display  # noqa: F401  (fixture)
from tests.display.fakes import DisplayFactory, make_voice
from tests.kiosk.conftest import MakeKiosk, make_kiosk, previews, tap  # noqa: F401
from tests.kiosk.test_path import walk_to_priority
from tests.support import ServerThread


def open_for_steps(qtbot: QtBot, window: CounterWindow, services: list[str],
                   steps: list[str]) -> None:
    """Tick exactly `services` and, of the multi-step ones, `steps`; open."""
    log_in(qtbot, window)
    desk = window.desk
    for code, box in desk.service_boxes.items():
        if box.isChecked() != (code in services):
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    for key, box in desk.step_boxes.items():
        if box.isChecked() != (key in steps):
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(desk.open_button.isEnabled)
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    counter = window.settings.counter
    qtbot.waitUntil(lambda: not desk.busy and desk.link.office is not None
                    and desk.link.office.counters[counter].state.value == "open")


def press(qtbot: QtBot, window: CounterWindow, action: Action) -> None:
    qtbot.waitUntil(lambda: window.desk.buttons[action].isEnabled(), timeout=5000)
    window.press(action)
    qtbot.waitUntil(lambda: not window.desk.busy, timeout=5000)


def test_two_step_visit_from_kiosk_to_the_last_counter(
        qtbot: QtBot, live_server: ServerThread, console: Console,  # noqa: F811
        make_display: DisplayFactory, make_kiosk: MakeKiosk) -> None:  # noqa: F811
    # (make_kiosk last: its window is shut down first, before the other fixtures'
    # teardowns run Qt's event loop and delete the widgets pytest-qt closed)
    screen = make_display(voice=make_voice())
    display = screen.window
    kiosk = make_kiosk(lang="id")
    walk_to_priority(qtbot, kiosk, "D")
    tap(qtbot, kiosk.priority_screen.no_button)
    qtbot.waitUntil(lambda: kiosk.current_screen() is kiosk.ticket_screen, timeout=5000)
    assert kiosk.ticket_screen.number_label.text() == "D001"
    assert kiosk.ticket_screen.service_label.text() == (
        "Izin Tinggal\nTahap 1/2: Verifikasi berkas")

    first = console("4")
    open_for_steps(qtbot, first, ["D"], ["D:1"])
    second = console("6")
    open_for_steps(qtbot, second, ["D"], ["D:2"])
    assert second.link.office is not None
    assert second.link.office.counters["6"].steps == ("D:2",)
    assert not second.desk.buttons[Action.CALL_NEXT].isEnabled()  # nobody at step 2 yet

    press(qtbot, first, Action.CALL_NEXT)
    qtbot.waitUntil(lambda: display.now_calling.number_text() == "D001", timeout=5000)
    assert display.now_calling.counter_text() == "Loket 4"
    assert display.now_calling.step_text() == (
        "Tahap 1/2: Verifikasi berkas · Step 1/2: Document check")
    assert first.desk.ticket_step.text() == (
        "Tahap 1/2: Verifikasi berkas · Berikutnya: Wawancara & biometrik")
    press(qtbot, first, Action.COMPLETE)
    assert first.desk.desk().ticket is None  # the counter is free for the next visitor

    press(qtbot, second, Action.CALL_NEXT)
    qtbot.waitUntil(lambda: display.now_calling.counter_text() == "Loket 6", timeout=5000)
    assert display.now_calling.number_text() == "D001"
    assert display.now_calling.step_text() == (
        "Tahap 2/2: Wawancara & biometrik · Step 2/2: Interview & biometrics")
    assert second.desk.ticket_step.text() == "Tahap 2/2: Wawancara & biometrik · Tahap terakhir"
    # Each step's call was announced (the board keeps a ticket's latest call).
    assert screen.voice is not None
    voice = screen.voice
    qtbot.waitUntil(lambda: voice.started == ["D001", "D001"], timeout=5000)
    press(qtbot, second, Action.COMPLETE)
    done = live_server.call(lambda: live_server.server.office.find_ticket("D001"))
    assert (done.status.value, done.step) == ("done", 2)
