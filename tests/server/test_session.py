"""server/session.py: the hello's time limit (a setting), the welcome made
once per seq for a room of screens, and what a refused hello's log line may
say about the device."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as sync_connect

from antrean import protocol
from server.app import AntreanServer
from server.session import claimed_device
from tests.server.databases import sqlite_url
from tests.server.offices import demo_office
from tests.server.servers import app
from tests.server.wire import RawClient
from tests.support import ServerThread

Connect = Callable[..., RawClient]


def test_the_hello_time_limit_is_a_setting(tmp_path: Path) -> None:
    thread = ServerThread(demo_office(), sqlite_url(tmp_path))
    thread._thread.start()
    thread.server = AntreanServer(dataclasses.replace(thread.settings(port=0),
                                                      hello_timeout=0.3))
    thread.run(thread.server.start())
    try:
        with sync_connect(thread.url, open_timeout=5) as ws:
            with contextlib.suppress(ConnectionClosed):
                ws.recv(5)
            assert ws.close_code == protocol.CLOSE_HELLO_TIMEOUT
            assert ws.close_reason == "hello expected within 0.3 s"
    finally:
        thread.stop()


def test_a_room_of_screens_shares_one_welcome_until_the_state_moves(
        server: ServerThread, connect: Connect) -> None:
    handshake = app(server).handshake
    first, again, staff = server.call(lambda: (
        handshake.welcome_text(False), handshake.welcome_text(False),
        handshake.welcome_text(True)))
    assert again is first and staff is not first
    connect(server, "kiosk").raw_request("ticket.issue", "k-1", service="A")
    after = server.call(lambda: handshake.welcome_text(False))
    assert after != first
    assert connect(server, "display").welcome["seq"] == app(server).committed_seq


def test_a_refused_hello_names_only_a_device_it_claims() -> None:
    assert claimed_device('{"type":"hello","device":"kiosk-1"}') == "kiosk-1"
    assert claimed_device('{"type":"hello","device":7}') is None
    assert claimed_device("[1, 2]") is None
    assert claimed_device("not json") is None
    assert claimed_device("[" * 100_000) is None
