"""PROTOCOL.md, Handshake: hello within 5 s, refusals with their close codes,
the welcome's shape, and `since` (replay the missed events, or a snapshot)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from antrean import __version__
from server.demo import DEMO_TOKENS
from tests.server.servers import Servers
from tests.server.wire import RawClient, health, hello_frame
from tests.support import ServerThread, open_counter

Connect = Callable[..., RawClient]


def _raw(server: ServerThread) -> ClientConnection:
    return connect(server.url, open_timeout=5)


def _refusal(ws: ClientConnection, frame: str | bytes) -> tuple[dict[str, Any], int | None]:
    """Send a first frame; the error it gets and the close code that follows."""
    ws.send(frame)
    answer = json.loads(ws.recv(5))
    try:
        extra = ws.recv(5)
        raise AssertionError(f"still open after the refusal: {extra!r}")
    except TimeoutError:
        raise AssertionError("not closed after the refusal") from None
    except ConnectionClosed:
        pass
    return answer, ws.close_code


def test_no_hello_within_5_s_closes_4408(server: ServerThread) -> None:
    with _raw(server) as ws:
        began = time.monotonic()
        try:
            message = ws.recv(8)
            raise AssertionError(f"got a frame before hello: {message!r}")
        except TimeoutError:
            raise AssertionError("not closed 8 s after connecting without hello") from None
        except ConnectionClosed:
            pass
        waited = time.monotonic() - began
        assert ws.close_code == 4408
    assert 4.5 <= waited <= 7, waited


def _hello(**changes: Any) -> str:
    hello: dict[str, Any] = {"type": "hello", "protocol": 1, "role": "kiosk",
                             "device": "kiosk-1", "token": DEMO_TOKENS["kiosk"]}
    hello.update(changes)
    return json.dumps({k: v for k, v in hello.items() if v is not ...})


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(_hello(protocol=2), id="wrong-protocol"),
        pytest.param(_hello(protocol="1"), id="protocol-as-text"),
        pytest.param(_hello(protocol=...), id="no-protocol"),
        pytest.param(_hello(device=...), id="no-device"),
        pytest.param(_hello(device=""), id="empty-device"),
        pytest.param(_hello(device=7), id="device-not-text"),
        pytest.param(_hello(role=7), id="role-not-text"),
        pytest.param(_hello(role=None), id="role-null"),
        pytest.param(_hello(role=...), id="no-role"),
        pytest.param(_hello(role="janitor", device=7), id="unknown-role-and-bad-device"),
        pytest.param(_hello(token=5), id="token-not-text"),
        pytest.param(_hello(since=-1), id="negative-since"),
        pytest.param(_hello(since="5"), id="since-as-text"),
        pytest.param(_hello(type="ping", id="p"), id="ping-first"),
        pytest.param("{not json", id="bad-json"),
        pytest.param(json.dumps([{"type": "hello"}]), id="array"),
        pytest.param("42", id="number"),
        pytest.param(b'{"type":"hello"}', id="binary"),
        pytest.param(_hello(device="d" * 101), id="device-too-long"),
        pytest.param(_hello()[:-1] + ',"x":' + "[" * 20_000 + "]" * 20_000 + "}",
                     id="deep-nesting"),
        pytest.param(_hello(device="...").replace('"..."', '"\\ud800"'),
                     id="lone-surrogate-device"),
        pytest.param(_hello(protocol=10**400), id="huge-protocol-number"),
    ],
)
def test_first_frame_not_a_valid_hello_gets_bad_request_then_4400(
    frame: str | bytes, server: ServerThread
) -> None:
    with _raw(server) as ws:
        answer, code = _refusal(ws, frame)
    assert answer["type"] == "error" and answer["code"] == "bad_request", answer
    assert code == 4400


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"token": "guess"}, id="bad-token"),
        pytest.param({"role": "janitor"}, id="unknown-role"),
        pytest.param({"role": "Kiosk"}, id="role-in-capitals"),
        pytest.param({"role": ""}, id="empty-role"),
        pytest.param({"token": ""}, id="empty-token"),
        pytest.param({"token": ...}, id="no-token"),
        pytest.param({"role": "counter", "token": DEMO_TOKENS["kiosk"]},
                     id="kiosk-token-as-counter"),
        pytest.param({"role": "supervisor", "token": DEMO_TOKENS["counter"]},
                     id="counter-token-as-supervisor"),
        pytest.param({"role": "kiosk", "token": DEMO_TOKENS["display"]},
                     id="display-token-as-kiosk"),
    ],
)
def test_bad_token_or_role_gets_unauthorized_then_4401(
    changes: dict[str, Any], server: ServerThread
) -> None:
    with _raw(server) as ws:
        answer, code = _refusal(ws, _hello(**changes))
    assert answer["type"] == "error" and answer["code"] == "unauthorized", answer
    assert code == 4401
    assert sum(health(server.port)["clients"].values()) == 0


def test_welcome_shape(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk", "kiosk-1")
    regular = kiosk.ok("ticket.issue", service="A")["ticket"]
    priority = kiosk.ok("ticket.issue", service="A", priority="priority")["ticket"]
    other = kiosk.ok("ticket.issue", service="B")["ticket"]
    called_later = kiosk.ok("ticket.issue", service="C")["ticket"]
    counter = connect(server, "counter", "counter-3")
    open_counter(counter, "3", ["C"])
    counter.ok("ticket.call_next", counter="3")

    welcome = connect(server, "display").welcome
    assert set(welcome) >= {"type", "protocol", "server", "seq", "snapshot"}
    assert welcome["type"] == "welcome"
    assert welcome["protocol"] == 1
    assert welcome["server"] == f"antrean/{__version__}"
    assert welcome["seq"] == 6 == health(server.port)["seq"]

    snapshot = welcome["snapshot"]
    office = snapshot["office"]
    assert office["name"] == "Kantor Imigrasi Kelas II Demo"
    assert office["timezone"] == "Asia/Jakarta"
    assert office["day"] == health(server.port)["day"]

    assert [s["code"] for s in snapshot["services"]] == ["A", "B", "C", "D", "E"]
    passport = snapshot["services"][0]
    assert passport["name"] == {"id": "Paspor Baru", "en": "New Passport"}
    assert passport["prefix"] == "A"
    assert passport["open"] is True

    assert [c["id"] for c in snapshot["counters"]] == ["1", "2", "3", "4", "5", "6"]
    for counter_wire in snapshot["counters"]:
        assert set(counter_wire) >= {"id", "name", "state", "services", "ticket"}
        assert set(counter_wire["name"]) == {"id", "en"}
        assert counter_wire["state"] in ("open", "paused", "closed")
    third = snapshot["counters"][2]
    assert third["state"] == "open" and third["services"] == ["C"]
    assert third["ticket"]["id"] == called_later["id"]
    assert third["ticket"]["status"] == "called"
    assert snapshot["counters"][0]["state"] == "closed"
    assert snapshot["counters"][0]["ticket"] is None

    # Open tickets: the waiting ones in the order the policy calls them
    # (priority first, then the longest wait), then the called one.
    numbers = [(t["number"], t["status"]) for t in snapshot["tickets"]]
    assert numbers == [(priority["number"], "waiting"), (regular["number"], "waiting"),
                       (other["number"], "waiting"), (called_later["number"], "called")]
    for ticket in snapshot["tickets"]:
        assert set(ticket) >= {"id", "number", "service", "priority", "status", "issued_at",
                               "called_at", "counter", "calls"}


def test_finished_tickets_are_not_in_the_snapshot(server: ServerThread,
                                                  connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    done = kiosk.ok("ticket.issue", service="A")["ticket"]
    waiting = kiosk.ok("ticket.issue", service="A")["ticket"]
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    counter.ok("ticket.call_next", counter="1")
    counter.ok("ticket.complete", ticket=done["id"])
    ids = [t["id"] for t in connect(server, "display").welcome["snapshot"]["tickets"]]
    assert ids == [waiting["id"]]


def test_since_replays_the_missed_events_in_order(server: ServerThread,
                                                  connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    for service in "ABC":
        kiosk.ok("ticket.issue", service=service)
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)  # seq 4
    kiosk.ok("ticket.issue", service="D")  # seq 5

    display = connect(server, "display", since=2)
    assert display.welcome["snapshot"] is None
    assert display.welcome["seq"] == 2
    replay = display.stream_through(5)
    assert [e["seq"] for e in replay] == [3, 4, 5]
    assert [e["name"] for e in replay] == ["ticket.issued", "counter.opened", "ticket.issued"]
    assert replay[1]["data"]["counter"]["staff"] is None  # a display sees no staff
    assert replay[0]["data"]["ticket"]["number"] == "C001"
    # ... and then the live stream, with no gap and nothing twice.
    kiosk.ok("ticket.issue", service="E")
    assert [e["seq"] for e in display.stream_through(6)] == [3, 4, 5, 6]

    staff_view = connect(server, "supervisor", since=3)
    assert staff_view.welcome["snapshot"] is None
    replayed = staff_view.stream_through(6)
    assert [e["seq"] for e in replayed] == [4, 5, 6]
    assert replayed[0]["data"]["counter"]["staff"]["username"] == "demo"


def test_since_up_to_date_gets_no_snapshot_and_no_events(server: ServerThread,
                                                         connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    kiosk.ok("ticket.issue", service="A")
    display = connect(server, "display", since=1)
    assert display.welcome["snapshot"] is None and display.welcome["seq"] == 1
    kiosk.ok("ticket.issue", service="A")
    assert [e["seq"] for e in display.stream_through(2)] == [2]


def test_since_the_server_cannot_replay_gets_a_full_snapshot(servers: Servers,
                                                             connect: Connect) -> None:
    server = servers.start()
    kiosk = connect(server, "kiosk")
    kiosk.ok("ticket.issue", service="A")
    kiosk.ok("ticket.issue", service="A")
    kiosk.close()
    # From the future: nothing to replay.
    ahead = connect(server, "display", "display-ahead", since=99)
    assert ahead.welcome["snapshot"] is not None and ahead.welcome["seq"] == 2
    # After a restart the events before it are no longer held in memory.
    server = servers.restart(server)
    behind = connect(server, "display", "display-behind", since=1)
    assert behind.welcome["seq"] == 2
    snapshot = behind.welcome["snapshot"]
    assert snapshot is not None
    assert [t["number"] for t in snapshot["tickets"]] == ["A001", "A002"]


def test_hello_with_since_null_gets_a_snapshot(server: ServerThread) -> None:
    with _raw(server) as ws:
        ws.send(hello_frame("display", "display-1")[:-1] + ',"since":null}')
        welcome = json.loads(ws.recv(5))
    assert welcome["type"] == "welcome" and welcome["snapshot"] is not None
