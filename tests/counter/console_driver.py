"""How the counter tests drive a console: log in, open the desk, press keys,
and read the audit trail the server stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from counter.window import CounterWindow
from server.config import OfficeConfig, StaffMember, hash_secret
from tests.support import ServerThread, cached_demo_config

CLERK_USERNAME = "siti"
CLERK_PIN = "4321"
_CLERK: StaffMember | None = None

Console = Callable[..., CounterWindow]


def clerk_config() -> OfficeConfig:
    """The demo office plus a member of staff who is not a supervisor."""
    global _CLERK
    if _CLERK is None:
        _CLERK = StaffMember(CLERK_USERNAME, "Siti Rahma", ("counter",), hash_secret(CLERK_PIN))
    demo = cached_demo_config()
    return replace(demo, staff=(*demo.staff, _CLERK))


def activate(qtbot: QtBot, window: CounterWindow) -> None:
    """Make the console the active window, so its function keys reach it."""
    window.activateWindow()
    handle = window.windowHandle()
    if handle is not None:
        handle.requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def log_in(qtbot: QtBot, window: CounterWindow, username: str = "demo",
           pin: str = "1234", *, expect_ok: bool = True) -> None:
    """Type the credentials into the login form and press Enter, as staff do."""
    view = window.login_view
    view.username.clear()
    view.pin.clear()
    qtbot.keyClicks(view.username, username)
    qtbot.keyClicks(view.pin, pin)
    qtbot.keyClick(view.pin, Qt.Key.Key_Return)
    if expect_ok:
        qtbot.waitUntil(lambda: window.logged_in, timeout=5000)
    else:
        qtbot.waitUntil(lambda: bool(view.error.text()), timeout=5000)


def open_desk(qtbot: QtBot, window: CounterWindow, username: str = "demo",
              pin: str = "1234") -> None:
    """Log in and open the counter with its configured services."""
    log_in(qtbot, window, username, pin)
    desk = window.desk
    qtbot.waitUntil(desk.open_button.isEnabled)
    qtbot.mouseClick(desk.open_button, Qt.MouseButton.LeftButton)
    counter_id = window.settings.counter
    qtbot.waitUntil(lambda: not desk.busy and desk.link.office is not None
                    and desk.link.office.counters[counter_id].state.value == "open")


def stored_events(server: ServerThread, name: str | None = None) -> list[dict[str, Any]]:
    """Today's events as the server stored them (the audit trail)."""
    assert server.server is not None
    day: date = server.call(lambda: server.server.office.day)  # type: ignore[union-attr]
    rows = server.run(server.server.store.events_of_day(day))
    return [
        {"name": row.name, "data": json.loads(row.data), "device": row.device,
         "staff": row.staff}
        for row in rows if name is None or row.name == name
    ]

