"""Staff login on the console against a real server: right, wrong, lockout,
logout, and a console that does nothing before a login."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.i18n import tr
from antrean.qt.link import Answer
from counter.app import run
from tests.counter.console_driver import Console, activate, log_in, open_desk
from tests.support import ServerThread, WireClient


def test_nothing_works_before_a_login(qtbot: QtBot, console: Console,
                                      live_server: ServerThread) -> None:
    window = console("1")
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    assert window.stack.currentWidget() is window.login_view
    assert not window.desk.isVisible()
    assert not window.logout_button.isVisible()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.wait(200)
    # The server still has the ticket waiting: F1 did nothing.
    status = live_server.call(lambda: live_server.server.office.tickets[ticket["id"]].status)
    assert status.value == "waiting"
    # The link is not logged in either: a counter request is refused.
    answers: list[Answer] = []
    window.link.request("ticket.call_next", answers.append, counter="1")
    qtbot.waitUntil(lambda: bool(answers))
    assert answers[0].code == "unauthorized"
    kiosk.close()


def test_right_pin_opens_the_console(qtbot: QtBot, console: Console) -> None:
    window = console("1")
    assert not window.login_view.submit.isEnabled()  # empty form
    log_in(qtbot, window)
    assert window.stack.currentWidget() is window.tabs
    assert window.staff_label.text() == "Petugas: Petugas Demo"
    assert window.login_view.pin.text() == ""  # the PIN is not kept on screen
    # No supervisor token given: no supervisor tab, even for a supervisor.
    assert window.tabs.count() == 1
    assert window.supervisor is None


def test_wrong_pin_is_said_plainly(qtbot: QtBot, console: Console) -> None:
    window = console("1")
    log_in(qtbot, window, "demo", "9999", expect_ok=False)
    view = window.login_view
    assert view.error.text() == "Nama pengguna atau PIN salah."
    assert view.pin.text() == ""
    assert not window.logged_in
    assert window.stack.currentWidget() is view
    # An unknown user reads the same (no hint which part was wrong).
    log_in(qtbot, window, "nobody", "1234", expect_ok=False)
    assert view.error.text() == "Nama pengguna atau PIN salah."
    qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
    assert view.error.text() == "Wrong username or PIN."


def test_five_wrong_pins_lock_for_five_minutes(qtbot: QtBot, console: Console) -> None:
    window = console("1", lang="en")
    view = window.login_view
    for attempt in range(5):
        log_in(qtbot, window, "demo", "0000", expect_ok=False)
        qtbot.waitUntil(lambda: not view._checking)
        if attempt < 4:
            assert view.error.text() == "Wrong username or PIN."
            view.error.clear()
    assert view.error.text() == "Locked for 5 minutes: too many wrong PINs."
    # While locked even the right PIN is refused, and the screen says why.
    view.error.clear()
    log_in(qtbot, window, "demo", "1234", expect_ok=False)
    assert view.error.text() == "Locked for 5 minutes: too many wrong PINs."
    assert not window.logged_in
    window.toggle_language()
    assert view.submit.text() == "Masuk"


def test_logout_goes_back_to_the_login(qtbot: QtBot, console: Console,
                                       live_server: ServerThread) -> None:
    window = console("1")
    open_desk(qtbot, window)
    qtbot.mouseClick(window.logout_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.login_view
    assert window.login_view.username.text() == ""
    assert not window.logout_button.isVisible()
    answers: list[Answer] = []
    window.link.request("stats.today", answers.append)
    qtbot.waitUntil(lambda: bool(answers))
    assert answers[0].code == "unauthorized"
    # The counter stays open, but the logged-out console cannot call anyone.
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.wait(200)
    status = live_server.call(lambda: live_server.server.office.tickets[ticket["id"]].status)
    assert status.value == "waiting"
    kiosk.close()


def test_login_is_disabled_while_offline(qtbot: QtBot, console: Console) -> None:
    window = console("1", token="wrong-token", wait_connected=False)
    view = window.login_view
    qtbot.keyClicks(view.username, "demo")
    qtbot.keyClicks(view.pin, "1234")
    qtbot.waitUntil(lambda: window.banner.isVisible()
                    and window.banner.text() == tr("counter.refused", "id"), timeout=5000)
    assert not view.submit.isEnabled()
    assert window.connection.text() == "Terputus"


def test_missing_counter_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(server="ws://127.0.0.1:9/ws", device="counter-3", token="x",
                              counter=None, supervisor_token=None, windowed=True, lang="en")
    assert run(args) == 2
    assert "--counter" in capsys.readouterr().err
