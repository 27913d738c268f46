"""Fixtures for the counter console: real consoles on a real server (port 0)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QAbstractSocket
from pytestqt.qtbot import QtBot

from counter.window import ConsoleSettings, CounterWindow
from tests.counter.console_driver import Console, clerk_config
from tests.support import ServerThread


@pytest.fixture
def clerk_server(tmp_path: Path) -> Iterator[ServerThread]:
    """A server whose office also has a clerk (list it before `console`, so the
    consoles are closed before it stops)."""
    thread = ServerThread(clerk_config(), f"sqlite:///{tmp_path / 'clerk.db'}").start()
    yield thread
    thread.stop()


@pytest.fixture
def console(qtbot: QtBot, live_server: ServerThread) -> Iterator[Console]:
    """Make a console window for a counter, shown and connected."""
    windows: list[CounterWindow] = []

    def make(counter: str = "1", *, device: str | None = None,
             supervisor_token: str | None = None, lang: str = "id",
             server: ServerThread | None = None, token: str = "demo-counter",
             wait_connected: bool = True) -> CounterWindow:
        target = server or live_server
        window = CounterWindow(ConsoleSettings(
            server=target.url, device=device or f"counter-{counter}", token=token,
            counter=counter, supervisor_token=supervisor_token, lang=lang))
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        window.start()
        windows.append(window)
        if wait_connected:
            qtbot.waitUntil(lambda: window.link.connected, timeout=5000)
        return window

    yield make
    for window in windows:
        window.stop()
    # Let the close handshakes finish, so the server does not wait them out.
    qtbot.waitUntil(lambda: all(
        w.link._socket.state() == QAbstractSocket.SocketState.UnconnectedState
        for w in windows), timeout=3000)
    for window in windows:
        window.close()
        window.deleteLater()
