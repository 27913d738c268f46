"""The I/O-free client session: frames in, frames and effects out.

A small "server office" (the core `Office`, as the server runs it) makes the
welcome snapshots and event frames, so the session's mirror is fed exactly
what a server would send; no socket, no Qt, no asyncio."""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import pytest

from antrean import protocol
from antrean.core.model import Priority
from antrean.core.office import Event, Office
from antrean.session import (
    REFUSED_RETRY_S,
    Abort,
    Answer,
    Answered,
    ClientSession,
    ConnectedChanged,
    EventApplied,
    EventReceived,
    LoginChanged,
    Output,
    Reconnect,
    Refused,
    Send,
    SnapshotLoaded,
    backoff_delays,
)
from antrean.views import StaffView
from tests.core.builders import DAY, Clock, office_spec

URL = "ws://leader:8765/ws"
STANDBY = "ws://standby:8765/ws"


class FakeServer:
    """The server's side as frames: an office that issues tickets."""

    def __init__(self) -> None:
        self.office = Office(office_spec(), DAY)
        self.clock = Clock()

    def welcome(self, since: int | None = None) -> str:
        snapshot = None if since is not None else self.office.snapshot(self.clock.now)
        return protocol.welcome("test", self.office.seq, snapshot)

    def issue(self, service: str = "A") -> str:
        events = self.office.issue(service, Priority.REGULAR, "id", self.clock.tick())
        return self.frame(events[0])

    def frame(self, event: Event) -> str:
        return protocol.event(event.seq, event.name, event.at.isoformat(),
                              self.office.event_data(event))


def sent(outputs: list[Output]) -> list[dict[str, Any]]:
    return [json.loads(o.frame) for o in outputs if isinstance(o, Send)]


def answers(outputs: list[Output]) -> list[Answer]:
    return [o.answer for o in outputs if isinstance(o, Answered)]


def session_for(url: str = URL, role: str = "display", seed: int = 1) -> ClientSession:
    session = ClientSession.for_url(url, role, f"{role}-1", f"demo-{role}",
                                    rng=random.Random(seed))
    session.start()
    return session


def welcomed(server: FakeServer, url: str = URL, role: str = "display") -> ClientSession:
    session = session_for(url, role)
    assert session.connect() == session.urls[0]
    session.opened()
    session.receive(server.welcome())
    session.outputs()
    return session


def reconnect(session: ClientSession, server: FakeServer, code: int = 1006) -> list[Output]:
    """Drop the connection and come back: the outputs of the new connection."""
    session.closed(code)
    session.outputs()
    assert session.connect() is not None
    session.opened()
    hello = sent(session.outputs())[0]
    session.receive(server.welcome(since=hello["since"]))
    return session.outputs()


# --------------------------------------------------------------- hello, mirror
def test_hello_then_snapshot_builds_the_mirror() -> None:
    server = FakeServer()
    server.issue()
    session = session_for()
    assert session.connect() == URL
    session.opened()
    hello = sent(session.outputs())
    assert hello == [{"type": "hello", "protocol": 1, "role": "display",
                      "device": "display-1", "token": "demo-display", "since": None}]
    session.receive(server.welcome())
    outputs = session.outputs()
    assert outputs == [SnapshotLoaded(), ConnectedChanged(True)]
    assert session.office is not None and session.office.seq == 1
    assert session.office.waiting_count("A") == 1 and session.ready


def test_events_in_order_are_applied_and_announced() -> None:
    server = FakeServer()
    session = welcomed(server)
    session.receive(server.issue())
    session.receive(server.issue("B"))
    applied = [o for o in session.outputs() if isinstance(o, EventApplied)]
    assert [(o.event.seq, o.event.name) for o in applied] == [(1, "ticket.issued"),
                                                              (2, "ticket.issued")]
    assert applied[1].message["data"]["ticket"]["number"] == "B001"
    assert session.office is not None and session.office.seq == 2
    assert session.office.waiting_count("B") == 1


def test_an_event_already_applied_is_skipped() -> None:
    server = FakeServer()
    session = welcomed(server)
    frame = server.issue()
    session.receive(frame)
    session.outputs()
    session.receive(frame)  # a replay overlapping the live stream
    assert session.outputs() == []
    assert session.office is not None and session.office.waiting_count("A") == 1


def test_a_gap_in_the_middle_of_a_live_stream_resyncs_with_since(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeServer()
    for _ in range(4):
        server.issue()
    session = welcomed(server)
    five, six, seven, eight, nine = (server.issue() for _ in range(5))
    session.receive(five)
    session.receive(six)
    assert [o.event.seq for o in session.outputs() if isinstance(o, EventApplied)] == [5, 6]
    with caplog.at_level(logging.INFO, logger="antrean.link"):
        session.receive(eight)  # 7 was lost
    assert session.outputs() == [Abort()]
    assert "missed events 7..7" in caplog.text
    session.receive(nine)  # still arriving before the connection is gone: not applied
    assert session.outputs() == []
    assert session.office is not None and session.office.seq == 6

    session.closed(1006)
    assert session.outputs() == [ConnectedChanged(False), Reconnect(0.05)]
    assert session.connect() == URL
    session.opened()
    assert sent(session.outputs())[0]["since"] == 6
    session.receive(server.welcome(since=6))  # no snapshot: the replay follows
    for frame in (seven, eight, nine):
        session.receive(frame)
    outputs = session.outputs()
    assert outputs[0] == ConnectedChanged(True)
    assert [o.event.seq for o in outputs if isinstance(o, EventApplied)] == [7, 8, 9]
    assert session.office.seq == 9 and session.office.waiting_count("A") == 9


def test_an_event_the_mirror_cannot_apply_drops_the_mirror() -> None:
    server = FakeServer()
    session = welcomed(server)
    bad = protocol.event(1, "ticket.called", "2026-03-02T07:31:00+07:00",
                         {"ticket": {"id": "nope"}})
    session.receive(bad)
    assert session.outputs() == [Abort()]
    assert session.office is None
    session.closed(1006)
    outputs = session.outputs()
    assert outputs[0] == ConnectedChanged(False) and isinstance(outputs[1], Reconnect)
    session.connect()
    session.opened()
    assert sent(session.outputs())[0]["since"] is None  # asks for a fresh snapshot


def test_a_welcome_without_snapshot_and_without_mirror_starts_over() -> None:
    session = session_for()
    session.connect()
    session.opened()
    session.outputs()
    session.receive(protocol.welcome("test", 3, None))
    assert session.outputs() == [Abort()]
    assert not session.ready


def test_frames_that_are_not_objects_are_ignored(caplog: pytest.LogCaptureFixture) -> None:
    session = welcomed(FakeServer())
    with caplog.at_level(logging.WARNING, logger="antrean.link"):
        session.receive("not json")
        session.receive("[1, 2]")
    assert session.outputs() == []
    assert "not JSON" in caplog.text and "not an object" in caplog.text


# ------------------------------------------------------------------ requests
def test_answers_go_to_their_callback_once() -> None:
    session = welcomed(FakeServer(), role="kiosk")
    got: list[Answer] = []
    request_id = session.request("ticket.issue", got.append, service="A")
    assert sent(session.outputs()) == [{"type": "ticket.issue", "id": request_id,
                                        "service": "A"}]
    session.receive(json.dumps({"type": "ok", "id": request_id, "result": {"n": 1}}))
    session.receive(json.dumps({"type": "ok", "id": request_id, "result": {"n": 2}}))
    outputs = session.outputs()
    assert len(outputs) == 1 and isinstance(outputs[0], Answered)
    outputs[0].callback(outputs[0].answer)
    assert got == [Answer(True, {"n": 1}, raw={"type": "ok", "id": request_id,
                                               "result": {"n": 1}})]


def test_a_request_is_held_to_its_definition_before_it_is_sent() -> None:
    """The same definition the server checks (antrean.protocol.REQUESTS): a
    request built wrong fails at once, naming the field, and nothing is sent
    or kept for a retry."""
    session = welcomed(FakeServer(), role="counter")
    with pytest.raises(ValueError, match=r"ticket\.call: missing field 'reason'"):
        session.request("ticket.call", lambda _: None, counter="1", ticket="A001")
    with pytest.raises(ValueError, match="priority must be one of"):
        session.request("ticket.issue", lambda _: None, service="A", priority="vip")
    assert sent(session.outputs()) == [] and session.outstanding == {}


def test_an_error_answer_carries_code_and_message() -> None:
    session = welcomed(FakeServer(), role="kiosk")
    request_id = session.request("ticket.issue", lambda _: None, service="Z")
    session.outputs()
    session.receive(json.dumps({"type": "error", "id": request_id, "code": "unknown_service",
                                "message": "no such service"}))
    [answer] = answers(session.outputs())
    assert (answer.ok, answer.code, answer.message) == (False, "unknown_service",
                                                         "no such service")


def test_while_disconnected_reads_fail_at_once_and_changes_wait() -> None:
    session = session_for(role="kiosk")
    read_id = session.request("ping", lambda _: None)
    [answer] = answers(session.outputs())
    assert answer.code == "disconnected"
    assert read_id not in session.outstanding
    change_id = session.request("ticket.issue", lambda _: None, service="A")
    assert session.outputs() == []  # nothing goes out before the welcome
    session.connect()
    session.opened()
    session.receive(FakeServer().welcome())
    frames = sent(session.outputs())
    assert frames[0]["type"] == "hello"
    assert frames[1] == {"type": "ticket.issue", "id": change_id, "service": "A"}


def test_a_reconnect_replays_unanswered_requests_with_their_ids() -> None:
    server = FakeServer()
    session = welcomed(server, role="kiosk")
    first = session.request("ticket.issue", lambda _: None, service="A")
    second = session.request("ticket.issue", lambda _: None, service="B")
    read = session.request("ping", lambda _: None)
    session.outputs()
    session.receive(json.dumps({"type": "ok", "id": second, "result": {}}))
    session.outputs()

    session.closed(1006)
    lost = session.outputs()
    assert [a.code for a in answers(lost)] == ["disconnected"]  # the read: failed at once
    assert read not in session.outstanding
    outputs = reconnect(session, server)
    assert sent(outputs) == [{"type": "ticket.issue", "id": first, "service": "A"}]
    session.receive(json.dumps({"type": "ok", "id": first, "result": {"again": True}}))
    assert [a.result for a in answers(session.outputs())] == [{"again": True}]
    assert session.outstanding == {}


def test_request_ids_are_unique_per_session_and_can_be_given() -> None:
    session = session_for()
    other = session_for()
    ids = {session.new_request_id() for _ in range(3)} | {other.new_request_id()}
    assert len(ids) == 4 and all(i.startswith("display-1-") for i in ids)
    assert session.request("ping", request_id="mine") == "mine"


# ----------------------------------------------------------------- logging in
def _logged_in(server: FakeServer) -> tuple[ClientSession, list[Output]]:
    session = welcomed(server, role="counter")
    got: list[Answer] = []
    request_id = session.login("demo", "1234", got.append)
    assert sent(session.outputs()) == [{"type": "login", "id": request_id,
                                        "username": "demo", "pin": "1234"}]
    staff = {"username": "demo", "name": "Demo"}
    session.receive(json.dumps({"type": "ok", "id": request_id, "result": {"staff": staff}}))
    return session, session.outputs()


def test_login_sets_staff_then_answers() -> None:
    session, outputs = _logged_in(FakeServer())
    assert outputs[0] == LoginChanged(StaffView("demo", "Demo"))
    assert isinstance(outputs[1], Answered) and outputs[1].answer.ok
    assert session.credentials == ("demo", "1234")


def test_a_login_answer_not_understood_logs_nobody_in(caplog: pytest.LogCaptureFixture) -> None:
    session = welcomed(FakeServer(), role="counter")
    got: list[Answer] = []
    request_id = session.login("demo", "1234", got.append)
    session.outputs()
    session.receive(json.dumps({"type": "ok", "id": request_id,
                                "result": {"staff": {"name": "Demo", "roles": ["counter"]}}}))
    (answered,) = session.outputs()  # no LoginChanged
    assert isinstance(answered, Answered)
    assert (answered.answer.ok, answered.answer.code) == (False, "internal")
    assert "staff: 'username' is missing" in answered.answer.message
    assert session.staff is None and session.credentials is None
    assert "the login answer cannot be read" in caplog.text


def test_a_refused_login_changes_nothing() -> None:
    session = welcomed(FakeServer(), role="counter")
    request_id = session.login("demo", "0000")
    session.outputs()
    session.receive(json.dumps({"type": "error", "id": request_id, "code": "bad_login",
                                "message": "wrong PIN"}))
    assert session.outputs() == []
    assert session.credentials is None and session.staff is None


def test_after_a_reconnect_the_session_logs_in_again_first() -> None:
    server = FakeServer()
    session, _ = _logged_in(server)
    change = session.request("counter.open", lambda _: None, counter="1", services=["A"])
    session.outputs()
    outputs = reconnect(session, server)
    frames = sent(outputs)
    assert [f["type"] for f in frames] == ["login", "counter.open"]
    assert frames[0]["username"] == "demo" and frames[0]["pin"] == "1234"
    assert frames[1]["id"] == change
    session.receive(json.dumps({"type": "ok", "id": frames[0]["id"],
                                "result": {"staff": {"username": "demo"}}}))
    assert session.outputs() == []  # a silent success: still logged in
    assert session.credentials == ("demo", "1234")


def test_a_refused_relogin_logs_out(caplog: pytest.LogCaptureFixture) -> None:
    server = FakeServer()
    session, _ = _logged_in(server)
    relogin = sent(reconnect(session, server))[0]
    with caplog.at_level(logging.WARNING, logger="antrean.link"):
        session.receive(json.dumps({"type": "error", "id": relogin["id"],
                                    "code": "bad_login", "message": "wrong PIN"}))
    assert session.outputs() == [LoginChanged(None)]
    assert session.staff is None and session.credentials is None
    assert "automatic login after reconnect refused" in caplog.text
    assert [f["type"] for f in sent(reconnect(session, server))] == []  # no more re-login


def test_a_relogin_lost_with_the_connection_keeps_the_credentials() -> None:
    server = FakeServer()
    session, _ = _logged_in(server)
    reconnect(session, server)
    session.closed(1006)
    assert not any(isinstance(o, LoginChanged) for o in session.outputs())
    assert session.credentials == ("demo", "1234")


def test_logout_forgets_the_credentials() -> None:
    server = FakeServer()
    session, _ = _logged_in(server)
    session.logout()
    outputs = session.outputs()
    assert outputs[0] == LoginChanged(None)
    assert [f["type"] for f in sent(outputs)] == ["logout"]
    assert [f["type"] for f in sent(reconnect(session, server))] == []


def test_kiosks_do_not_log_in_again() -> None:
    server = FakeServer()
    session = welcomed(server, role="kiosk")
    session.credentials = ("demo", "1234")
    assert sent(reconnect(session, server)) == []


# ------------------------------------------------------ closes and reconnects
def test_a_refusal_is_announced_and_retried_slowly(caplog: pytest.LogCaptureFixture) -> None:
    session = session_for(role="kiosk")
    with caplog.at_level(logging.INFO, logger="antrean.link"):
        session.connect()
        session.opened()
        session.outputs()
        session.closed(protocol.CLOSE_UNAUTHORIZED, "bad token")
        assert session.outputs() == [Refused("unauthorized", "bad token"),
                                     Reconnect(REFUSED_RETRY_S)]
        session.connect()
        session.closed(protocol.CLOSE_UNAUTHORIZED, "bad token")
    assert session.outputs() == [Refused("unauthorized", "bad token"),
                                 Reconnect(REFUSED_RETRY_S)]
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1  # logged once per change of state, not per retry


def test_a_bad_hello_close_is_a_bad_request_refusal() -> None:
    session = session_for()
    session.connect()
    session.closed(protocol.CLOSE_BAD_HELLO, "")
    assert session.outputs()[0] == Refused("bad_request", "")


def test_an_error_without_id_before_the_welcome_is_a_refusal() -> None:
    session = session_for()
    session.connect()
    session.receive(json.dumps({"type": "error", "id": None, "code": "unauthorized",
                                "message": "who are you"}))
    assert session.outputs() == [Refused("unauthorized", "who are you")]


def test_a_standby_close_moves_to_the_next_server_quickly() -> None:
    server = FakeServer()
    session = session_for(f"{STANDBY}, {URL}")
    assert session.urls == [STANDBY, URL]
    assert session.connect() == STANDBY
    session.closed(protocol.CLOSE_STANDBY, "standby")
    [reconnect_after] = session.outputs()
    assert isinstance(reconnect_after, Reconnect) and 0.1 <= reconnect_after.delay <= 0.3
    assert session.connect() == URL
    session.opened()
    session.receive(server.welcome())
    assert session.ready and session.rotations == 0


def test_unreachable_servers_are_tried_in_turn_then_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = session_for(f"{URL},{STANDBY}")
    session.backoff = iter([1.5, 2.5])
    delays = []
    urls = []
    with caplog.at_level(logging.INFO, logger="antrean.link"):
        for _ in range(4):
            urls.append(session.connect())
            session.unreachable("connection refused")
            session.closed(1006)
            [output] = [o for o in session.outputs() if isinstance(o, Reconnect)]
            delays.append(output.delay)
    assert urls == [URL, STANDBY, URL, STANDBY]
    assert delays == [0.05, 1.5, 0.05, 2.5]
    states = [r.getMessage().split(" ")[0] for r in caplog.records]
    assert states == ["connecting", "cannot"]


def test_a_blip_on_a_welcomed_connection_reconnects_to_the_same_server_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = welcomed(FakeServer(), f"{URL},{STANDBY}")
    with caplog.at_level(logging.INFO, logger="antrean.link"):
        session.closed(1006)
    assert session.outputs() == [ConnectedChanged(False), Reconnect(0.05)]
    assert session.connect() == URL
    assert "connection to ws://leader:8765/ws lost" in caplog.text


def test_one_reconnect_at_a_time_and_none_once_stopped() -> None:
    session = session_for()
    session.connect()
    session.closed(1006)
    session.closed(1006)  # a late second report of the same close
    assert [o for o in session.outputs() if isinstance(o, Reconnect)] != []
    assert session.reconnect_scheduled
    session.stop()
    assert session.connect() is None
    session.closed(1006)
    assert not any(isinstance(o, Reconnect) for o in session.outputs())


def test_heartbeat_pings_once_until_the_pong() -> None:
    session = welcomed(FakeServer())
    assert session.beat() and not session.beat()
    session.pong()
    assert session.beat()
    session.pong_missing()
    assert session.outputs() == [Abort()]


def test_backoff_is_jittered_then_grows_to_its_maximum() -> None:
    delays = backoff_delays(initial=0.5, factor=2, maximum=4, rng=random.Random(3))
    values = [next(delays) for _ in range(7)]
    assert 0 <= values[0] <= 0.5
    assert values[1:] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


# ------------------------------------------------------ a session without mirror
def test_without_mirror_events_come_as_sent_and_since_is_the_callers() -> None:
    server = FakeServer()
    server.issue()
    session = ClientSession.for_url(URL, "kiosk", "kiosk-1", "demo-kiosk", mirror=False,
                                    since=0)
    session.start()
    session.connect()
    session.opened()
    assert sent(session.outputs())[0]["since"] == 0
    session.receive(server.welcome())  # a snapshot it does not keep
    assert session.outputs() == [ConnectedChanged(True)] and session.office is None
    frame = server.issue()
    session.receive(frame)
    assert session.outputs() == [EventReceived(json.loads(frame))]
    session.closed(1006)
    assert session.outputs() == [ConnectedChanged(False), Reconnect(0.05)]
