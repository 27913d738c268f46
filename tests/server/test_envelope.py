"""PROTOCOL.md, Envelope: answers carry the id; one gap-free event stream for
every role that survives restarts; answers only after the commit; events
carry the answer's ticket; no staff names for kiosks and displays."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from websockets.sync.client import connect as ws_connect

from server.store import Batch
from tests.server.servers import Servers, app, hold_commits
from tests.server.wire import RawClient, health, wait_until
from tests.support import ServerThread, open_counter

Connect = Callable[..., RawClient]
ROLES = ("kiosk", "display", "counter", "supervisor")


def test_answers_carry_the_request_id(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    assert kiosk.request("ping", "text-id")["id"] == "text-id"
    issued = kiosk.request("ticket.issue", "k-1", service="A")
    assert issued["type"] == "ok" and issued["id"] == "k-1"
    refused = kiosk.request("ticket.issue", "k-2", service="Z")
    assert refused == {"type": "error", "id": "k-2", "code": "not_found",
                       "message": refused["message"]}
    forbidden = kiosk.request("ticket.call_next", "k-3", counter="1")
    assert forbidden["type"] == "error" and forbidden["id"] == "k-3"


@pytest.mark.parametrize("bad_id", [17, 0, "", 1.5, None, ["k-1"]], ids=repr)
def test_an_id_that_is_not_a_non_empty_string_is_bad_request(
    bad_id: Any, server: ServerThread, connect: Connect
) -> None:
    """docs/protocol.md: a request id is 1 to 200 characters of text. Any other
    id is refused with id null (only an acceptable id is echoed), the
    connection stays open and nothing changes."""
    kiosk = connect(server, "kiosk")
    message: dict[str, Any] = {"type": "ticket.issue", "service": "A"}
    if bad_id is not None:
        message["id"] = bad_id
    kiosk.send(message)
    refused = json.loads(kiosk.raw_answer(None))
    assert refused["type"] == "error" and refused["code"] == "bad_request", refused
    assert refused["id"] is None and "id" in refused["message"]
    assert kiosk.request("ping", "still-open")["type"] == "ok"
    assert health(server.port)["seq"] == 0


def _busy_day(server: ServerThread, connect: Connect) -> tuple[dict[str, RawClient], int]:
    """Every kind of event once or more; the clients of each role and the last seq."""
    clients = {role: connect(server, role, f"{role}-1") for role in ROLES}
    kiosk, counter, supervisor = clients["kiosk"], clients["counter"], clients["supervisor"]
    supervisor.login()
    first = kiosk.ok("ticket.issue", service="A")["ticket"]
    second = kiosk.ok("ticket.issue", service="B", priority="priority")["ticket"]
    third = kiosk.ok("ticket.issue", service="A")["ticket"]
    open_counter(counter, "1", ["A", "B"])
    called = counter.ok("ticket.call_next", counter="1")["ticket"]
    assert called["id"] == second["id"]
    counter.ok("ticket.recall", ticket=called["id"])
    counter.ok("ticket.start", ticket=called["id"])
    counter.ok("ticket.complete", ticket=called["id"])
    counter.ok("ticket.call_next", counter="1")
    counter.ok("ticket.transfer", ticket=first["id"], service="D")
    counter.ok("ticket.call", counter="1", ticket=third["id"], reason="wheelchair")
    counter.ok("ticket.no_show", ticket=third["id"])
    counter.ok("counter.pause", counter="1")
    supervisor.ok("announce", text={"id": "Istirahat siang", "en": "Lunch break"})
    supervisor.ok("service.update", service="E", open=False)
    kiosk.ok("device.status", status="printer_error", detail="paper out")
    counter.ok("counter.close", counter="1")
    return clients, health(server.port)["seq"]


def test_every_role_sees_every_event_with_seq_rising_by_one(
    server: ServerThread, connect: Connect
) -> None:
    clients, last = _busy_day(server, connect)
    assert last == 17
    streams = {role: client.stream_through(last) for role, client in clients.items()}
    names = [e["name"] for e in streams["supervisor"]]
    assert {"ticket.issued", "ticket.called", "ticket.started", "ticket.completed",
            "ticket.no_show", "ticket.transferred", "counter.opened", "counter.paused",
            "counter.closed", "announcement"} <= set(names)
    for role, stream in streams.items():
        assert [e["seq"] for e in stream] == list(range(1, last + 1)), role
        assert [e["name"] for e in stream] == names, role
        for event in stream:
            assert set(event) == {"type", "seq", "name", "at", "data"}
            assert datetime.fromisoformat(event["at"]).utcoffset() is not None
    # The same data for everyone, except the names of staff.
    for index, event in enumerate(streams["counter"]):
        for role in ROLES:
            other = streams[role][index]["data"]
            if "counter" in event["data"]:
                other = {**other, "counter": {**other["counter"],
                                              "staff": event["data"]["counter"]["staff"]}}
            assert other == event["data"], (role, event["name"])


def test_kiosks_and_displays_never_see_staff_names(server: ServerThread,
                                                   connect: Connect) -> None:
    clients, last = _busy_day(server, connect)
    counter = clients["counter"]
    open_counter(counter, "2", ["C"])
    last += 1
    for role, client in clients.items():
        opened = [e for e in client.stream_through(last) if e["name"] == "counter.opened"]
        assert len(opened) == 2
        for event in opened:
            staff = event["data"]["counter"]["staff"]
            if role in ("kiosk", "display"):
                assert staff is None, role
            else:
                assert staff == {"username": "demo", "name": "Petugas Demo"}, role
    for role in ROLES:
        welcome = connect(server, role, f"{role}-late").welcome
        second = welcome["snapshot"]["counters"][1]
        assert second["state"] == "open"
        if role in ("kiosk", "display"):
            assert second["staff"] is None
            assert "Petugas Demo" not in str(welcome)
        else:
            assert second["staff"]["name"] == "Petugas Demo"


def test_the_event_carries_the_answers_ticket(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    counter = connect(server, "counter", "counter-1")
    display = connect(server, "display")
    open_counter(counter, "1", ["A", "B"])
    answers = [kiosk.ok("ticket.issue", service="A")["ticket"],
               kiosk.ok("ticket.issue", service="A", priority="priority", lang="en")["ticket"]]
    ticket = counter.ok("ticket.call_next", counter="1")["ticket"]
    answers += [ticket,
                counter.ok("ticket.recall", ticket=ticket["id"])["ticket"],
                counter.ok("ticket.start", ticket=ticket["id"])["ticket"],
                counter.ok("ticket.transfer", ticket=ticket["id"], service="B")["ticket"]]
    again = counter.ok("ticket.call_next", counter="1")["ticket"]
    answers += [again, counter.ok("ticket.complete", ticket=again["id"])["ticket"]]
    last = health(server.port)["seq"]
    ticket_events = [e for e in display.stream_through(last) if "ticket" in e["data"]]
    # The same ticket, but for the issue answer's `url`: the visitor's page, whose
    # key only the issuing kiosk may learn (docs/visitor.md).
    urls = [answer.pop("url") for answer in answers[:2]]
    assert all(url.startswith(f"http://127.0.0.1:{server.port}/t/") for url in urls)
    assert [e["data"]["ticket"] for e in ticket_events] == answers
    assert answers[0]["ahead"] == 0 and "eta_minutes" in answers[0]
    assert answers[1]["lang"] == "en"
    assert [a["status"] for a in answers] == ["waiting", "waiting", "called", "called",
                                              "serving", "waiting", "called", "done"]
    assert answers[3]["calls"] == 2


def test_seq_survives_a_restart(servers: Servers, connect: Connect) -> None:
    server = servers.start()
    kiosk = connect(server, "kiosk")
    for _ in range(3):
        kiosk.ok("ticket.issue", service="C")
    kiosk.close()
    server = servers.restart(server)
    assert health(server.port)["seq"] == 3
    display = connect(server, "display")
    assert display.welcome["seq"] == 3
    connect(server, "kiosk", "kiosk-2").ok("ticket.issue", service="C")
    event = display.stream_through(4)[-1]
    assert event["seq"] == 4 and event["data"]["ticket"]["number"] == "C004"
    assert health(server.port)["seq"] == 4


def test_a_change_is_answered_only_after_its_commit(server: ServerThread,
                                                    connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    display = connect(server, "display")
    gate = hold_commits(server)
    kiosk.send({"type": "ticket.issue", "id": "held", "service": "A"})
    # A ping overtakes the change waiting for its commit.
    assert kiosk.request("ping", "quick")["type"] == "ok"
    assert not any(frame.get("id") == "held" for frame in kiosk.frames)
    assert display.request("ping", "p")["type"] == "ok"
    assert display.stream() == [] and health(server.port)["seq"] == 0
    gate.set()
    answer = kiosk.answer("held")
    assert answer["type"] == "ok"
    day = app(server).office.day
    rows = server.run(app(server).store.tickets_of_day(day))
    assert [row["number"] for row in rows] == ["A001"]
    issued = dict(answer["result"]["ticket"])
    assert issued.pop("url").startswith("http")  # the visitor's page: the answer's alone
    assert display.stream_through(1)[0]["data"]["ticket"] == issued


def test_a_failed_commit_answers_internal_and_changes_nothing(
    server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk")
    display = connect(server, "display")
    kiosk.ok("ticket.issue", service="A")
    store = app(server).store
    real_write = store.write
    failures = [RuntimeError("disk full")]

    async def failing_write(batch: Batch) -> None:
        if failures:
            raise failures.pop()
        await real_write(batch)

    store.write = failing_write  # type: ignore[method-assign]
    lost = kiosk.request("ticket.issue", "lost", service="A")
    assert lost["type"] == "error" and lost["code"] == "internal"
    wait_until(lambda: health(server.port)["seq"] == 1)
    # Clients are resynchronised with what the database holds.
    resync = display.recv()
    while resync["type"] != "welcome":
        resync = display.recv()
    assert resync["seq"] == 1
    assert [t["number"] for t in resync["snapshot"]["tickets"]] == ["A001"]
    # The same request again now goes through, and the number was never handed out.
    again = kiosk.request("ticket.issue", "lost", service="A")
    assert again["type"] == "ok" and again["result"]["ticket"]["number"] == "A002"
    assert [e["seq"] for e in display.stream_through(2)] == [1, 2]


def test_requests_on_one_connection_run_in_the_order_received(server: ServerThread,
                                                              connect: Connect) -> None:
    connect(server, "kiosk").ok("ticket.issue", service="A")
    counter = connect(server, "counter", "counter-1")
    # Sent back to back: the login (which takes a while) must come first.
    pipeline: list[tuple[str, dict[str, Any]]] = [("login", {"username": "demo", "pin": "1234"}),
                ("counter.open", {"counter": "1", "services": ["A"]}),
                ("ticket.call_next", {"counter": "1"}),
                ("ticket.start", {"ticket": "A001"}),
                ("ticket.complete", {"ticket": "A001"}),
                ("counter.close", {"counter": "1"})]
    for n, (type_, fields) in enumerate(pipeline):
        counter.send({"type": type_, "id": str(n), **fields})
    answers = counter.answers([str(n) for n in range(len(pipeline))])
    assert [a["type"] for a in answers] == ["ok"] * len(pipeline), answers
    assert answers[-2]["result"]["ticket"]["status"] == "done"


def test_a_welcome_never_shows_a_change_before_its_commit(
    server: ServerThread, connect: Connect
) -> None:
    kiosk = connect(server, "kiosk")
    gate = hold_commits(server)
    kiosk.send({"type": "ticket.issue", "id": "held", "service": "A"})
    wait_until(lambda: app(server).office.seq == 1)  # executed, not yet durable
    with ws_connect(server.url) as display:
        display.send(json.dumps({"type": "hello", "protocol": 1, "role": "display",
                                 "device": "display-late", "token": "demo-display"}))
        with pytest.raises(TimeoutError):
            display.recv(0.3)  # the snapshot would show A001 before it is saved
        gate.set()
        welcome = json.loads(display.recv(5))
        assert welcome["type"] == "welcome" and welcome["seq"] == 1
        assert [t["number"] for t in welcome["snapshot"]["tickets"]] == ["A001"]
        kiosk.ok("ticket.issue", service="A")
        event = json.loads(display.recv(5))
        assert event["seq"] == 2 and event["data"]["ticket"]["number"] == "A002"
