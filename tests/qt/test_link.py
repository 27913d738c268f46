"""The shared server link against a real server: mirror, events, gap resync,
reconnect with retry of in-flight requests under the same id."""

from __future__ import annotations

import json
from typing import Any

from pytestqt.qtbot import QtBot

from antrean.qt.link import Answer, ServerLink, backoff_delays
from tests.support import ServerThread, WireClient, open_counter


def _link(qtbot: QtBot, server: ServerThread, role: str = "display",
          token: str = "demo-display") -> ServerLink:
    link = ServerLink(server.url, role, f"{role}-link", token)
    link.start()
    qtbot.waitUntil(lambda: link.connected, timeout=5000)
    return link


def test_mirror_follows_events(qtbot: QtBot, live_server: ServerThread) -> None:
    link = _link(qtbot, live_server)
    assert link.office is not None and link.office.waiting_count("A") == 0
    kiosk = WireClient(live_server.url, "kiosk", "kiosk-1")
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    qtbot.waitUntil(lambda: link.office is not None and link.office.waiting_count("A") == 1)
    assert link.office.tickets[ticket["id"]].number == "A001"
    counter = WireClient(live_server.url, "counter", "counter-1")
    open_counter(counter)
    counter.ok("ticket.call_next", counter="1")
    qtbot.waitUntil(lambda: link.office.counters["1"].ticket == ticket["id"])
    assert link.office.seq == live_server.server.committed_seq
    link.stop()


def test_kiosk_request_survives_server_restart(
    qtbot: QtBot, demo: Any, db_url: str
) -> None:
    server = ServerThread(demo, db_url).start()
    link = _link(qtbot, server, "kiosk", "demo-kiosk")
    server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: not link.connected, timeout=4000)
    answers: list[Answer] = []
    request_id = link.request("ticket.issue", answers.append, service="B")
    assert answers == []  # waits for the reconnect, not failed
    restarted = server.restart()
    qtbot.waitUntil(lambda: len(answers) == 1, timeout=15000)
    assert answers[0].ok and answers[0].result["ticket"]["number"] == "B001"
    # The same id again is answered with the original ticket, not a new one.
    again: list[Answer] = []
    link.request("ticket.issue", again.append, request_id=request_id, service="B")
    qtbot.waitUntil(lambda: len(again) == 1)
    assert again[0].result["ticket"]["id"] == answers[0].result["ticket"]["id"]
    link.stop()
    restarted.stop_while(qtbot.waitUntil)


def test_backoff_grows_and_is_capped() -> None:
    delays = backoff_delays(initial=0.5, factor=2, maximum=4)
    values = [next(delays) for _ in range(8)]
    assert 0 <= values[0] <= 0.5
    assert values[1:5] == [0.5, 1.0, 2.0, 4.0]
    assert max(values) == 4


def test_refused_relogin_after_reconnect_logs_out(
    qtbot: QtBot, demo: Any, db_url: str
) -> None:
    server = ServerThread(demo, db_url).start()
    link = _link(qtbot, server, "counter", "demo-counter")
    answers: list[Answer] = []
    link.login("demo", "1234", answers.append)
    qtbot.waitUntil(lambda: len(answers) == 1)
    assert answers[0].ok and link.staff is not None
    link._credentials = ("demo", "0000")  # as if the PIN was changed meanwhile
    changes: list[object] = []
    link.login_changed.connect(changes.append)
    server.stop_while(qtbot.waitUntil)
    restarted = server.restart()
    qtbot.waitUntil(lambda: changes == [None], timeout=15000)
    assert link.staff is None and link.connected
    link.stop()
    restarted.stop_while(qtbot.waitUntil)


# --- issue 15: a client that cannot connect says so, once per change ---------
def _link_messages(caplog: Any, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def test_an_unreachable_server_is_logged_once_not_per_retry(qtbot: QtBot, caplog: Any) -> None:
    import logging
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caplog.set_level(logging.INFO, logger="antrean.link")
    link = ServerLink(f"ws://127.0.0.1:{port}/ws", "kiosk", "kiosk-9", "secret-token")
    link._backoff = iter([0.01] * 1000)
    attempts: list[int] = []
    link._socket.errorOccurred.connect(lambda *_: attempts.append(1))
    link.start()
    qtbot.waitUntil(lambda: len(attempts) >= 4, timeout=5000)
    link.stop()
    messages = _link_messages(caplog, "antrean.link")
    assert [m.split(" ")[0] for m in messages] == ["connecting", "cannot"], messages
    assert f"127.0.0.1:{port}" in messages[1] and "refused" in messages[1].lower()
    assert all(r.levelname == "INFO" for r in caplog.records if r.name == "antrean.link")
    assert "secret-token" not in caplog.text


def test_a_wrong_token_is_logged_on_both_sides_and_retried_slowly(
        qtbot: QtBot, live_server: ServerThread, caplog: Any) -> None:
    import logging

    from antrean.qt.link import REFUSED_RETRY_S

    caplog.set_level(logging.INFO)
    link = ServerLink(live_server.url, "kiosk", "kiosk-7", "not-the-token")
    refusals: list[str] = []
    link.refused.connect(lambda code, _message: refusals.append(code))
    link.start()
    qtbot.waitUntil(lambda: link._retry_timer.isActive() and bool(refusals), timeout=5000)
    assert link._retry_timer.interval() >= REFUSED_RETRY_S * 1000 >= 30_000
    link.stop()
    client = _link_messages(caplog, "antrean.link")
    assert client[0].startswith("connecting to ") and "kiosk-7" in client[0]
    assert client[1].startswith("the server refused kiosk 'kiosk-7': unknown device token")
    server = [m for m in _link_messages(caplog, "antrean.server") if "refused" in m]
    assert len(server) == 1 and "kiosk 'kiosk-7'" in server[0] and "unknown device token" in \
        server[0]
    assert "not-the-token" not in caplog.text


def test_connected_and_lost_are_logged(qtbot: QtBot, demo: Any, db_url: str,
                                       caplog: Any) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="antrean.link")
    server = ServerThread(demo, db_url).start()
    link = _link(qtbot, server, "display", "demo-display")
    server.stop_while(qtbot.waitUntil)
    qtbot.waitUntil(lambda: not link.connected, timeout=4000)
    link.stop()
    states = [m.split(" ")[0] for m in _link_messages(caplog, "antrean.link")]
    assert states[:3] == ["connecting", "connected", "connection"], states


# --- issue 9: a gap in the middle of a live stream ----------------------------
def test_a_gap_in_the_live_stream_resyncs_with_since(
    qtbot: QtBot, live_server: ServerThread
) -> None:
    link = _link(qtbot, live_server)
    assert link.office is not None
    start = link.office.seq
    hellos: list[dict[str, Any]] = []
    send = link._socket.sendTextMessage

    def recording(text: str) -> int:
        if json.loads(text).get("type") == "hello":
            hellos.append(json.loads(text))
        return int(send(text))

    link._socket.sendTextMessage = recording  # type: ignore[method-assign]
    dropped: list[int] = []

    def lose_one_event(text: str) -> None:
        message = json.loads(text)
        if message.get("type") == "event" and message["seq"] == start + 2 and not dropped:
            dropped.append(message["seq"])  # lost on the way: the next one shows the gap
            return
        link._on_text(text)

    link._socket.textMessageReceived.disconnect(link._on_text)
    link._socket.textMessageReceived.connect(lose_one_event)
    applied: list[int] = []
    link.event_received.connect(lambda event: applied.append(event.seq))

    kiosk = WireClient(live_server.url, "kiosk", "kiosk-gap")
    for _ in range(3):
        kiosk.ok("ticket.issue", service="A")
    qtbot.waitUntil(lambda: link.connected and link.office is not None
                    and link.office.seq == start + 3, timeout=10000)
    assert dropped == [start + 2]
    assert hellos and hellos[-1]["since"] == start + 1  # asked for what was missed
    assert applied == [start + 1, start + 2, start + 3]  # each once, in order
    assert link.office.waiting_count("A") == 3
    kiosk.close()
    link.stop()
