"""The shared link with a list of servers (a leader and its hot standby on
one PostgreSQL): it moves past a standby's refusal (4503), and a request in
flight when leadership moves is sent again to the new leader with its id and
answered once."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from antrean.cli import parse_args
from antrean.qt.link import Answer, ServerLink
from tests.server.databases import fresh_postgres_url
from tests.server.failover import lock_pid, terminate_backend
from tests.server.servers import app, hold_commits
from tests.support import ServerThread


def test_a_list_of_servers_from_the_command_line_the_environment_or_the_device_file(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    device_file = tmp_path / "kiosk.toml"
    device_file.write_text('[kiosk]\nserver = ["ws://a:8765/ws", "ws://b:8765/ws"]\n')
    from_file = parse_args(["kiosk", "--config", str(device_file)]).server
    from_flag = parse_args(["kiosk", "--server", "ws://a:8765/ws, ws://b:8765/ws"]).server
    monkeypatch.setenv("ANTREAN_SERVER", "ws://a:8765/ws,ws://b:8765/ws")
    from_environment = parse_args(["kiosk"]).server
    for given in (from_file, from_flag, from_environment):
        link = ServerLink(given, "kiosk", "kiosk-list", "demo-kiosk")
        assert link.urls == ["ws://a:8765/ws", "ws://b:8765/ws"]
        assert link.url == "ws://a:8765/ws"
    assert ServerLink("ws://a:8765/ws", "kiosk", "k", "t").urls == ["ws://a:8765/ws"]


@pytest.mark.postgres
def test_link_skips_the_standby_and_moves_with_its_request_to_the_new_leader(
        qtbot: QtBot, demo: Any) -> None:
    url = fresh_postgres_url()
    leader = ServerThread(demo, url).start()
    standby = ServerThread(demo, url).start()
    link = ServerLink(f"{standby.url},{leader.url}", "kiosk", "kiosk-link", "demo-kiosk")
    try:
        link.start()
        qtbot.waitUntil(lambda: link.connected, timeout=5000)
        assert link.url == leader.url  # the standby refused it with 4503
        hold_commits(leader)  # the next change is executed, never committed there
        answers: list[Answer] = []
        request_id = link.request("ticket.issue", answers.append, service="A")
        qtbot.waitUntil(lambda: bool(app(leader)._inflight), timeout=5000)
        terminate_backend(url, lock_pid(leader))  # the leader loses its lock
        qtbot.waitUntil(lambda: len(answers) == 1, timeout=10000)
        assert answers[0].ok, answers[0]
        assert answers[0].result["ticket"]["number"] == "A001"
        assert link.url == standby.url
        assert app(standby).role == "leader"
        again: list[Answer] = []
        link.request("ticket.issue", again.append, request_id=request_id, service="A")
        qtbot.waitUntil(lambda: len(again) == 1, timeout=5000)
        assert again[0].result["ticket"]["id"] == answers[0].result["ticket"]["id"]
        assert app(standby).office.waiting_count("A") == 1
    finally:
        link.stop()
        leader.stop_while(qtbot.waitUntil)
        standby.stop_while(qtbot.waitUntil)


def test_link_moves_past_a_server_it_cannot_reach(qtbot: QtBot,
                                                   live_server: ServerThread) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"ws://127.0.0.1:{probe.getsockname()[1]}/ws"
    link = ServerLink(f"{dead},{live_server.url}", "display", "display-list", "demo-display")
    try:
        link.start()
        qtbot.waitUntil(lambda: link.connected, timeout=5000)
        assert link.url == live_server.url
    finally:
        link.stop()


@pytest.mark.slow
def test_link_gives_up_on_a_server_that_never_answers(qtbot: QtBot,
                                                      live_server: ServerThread) -> None:
    """A machine gone without a word: the TCP connection opens (here: a
    socket that listens and never answers) but no WebSocket handshake comes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"ws://127.0.0.1:{silent.getsockname()[1]}/ws"
        link = ServerLink(f"{url},{live_server.url}", "display", "display-silent",
                          "demo-display")
        try:
            link.start()
            qtbot.waitUntil(lambda: link.connected, timeout=8000)
            assert link.url == live_server.url
        finally:
            link.stop()
