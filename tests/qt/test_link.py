"""The shared server link against a real server: mirror, events, gap resync,
reconnect with retry of in-flight requests under the same id."""

from __future__ import annotations

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
