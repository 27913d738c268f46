"""PROTOCOL.md, Lifecycle and error codes: each refusal has its code and
changes nothing (no event, the same seq, the same numbers after it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.server.databases import ON_BOTH_DATABASES
from tests.server.servers import app
from tests.server.wire import RawClient, health
from tests.support import ServerThread, open_counter

Connect = Callable[..., RawClient]


def refused(client: RawClient, code: str, type_: str, **fields: object) -> None:
    answer = client.request(type_, **fields)
    assert answer["type"] == "error", answer
    assert answer["code"] == code, answer
    assert isinstance(answer["message"], str) and answer["message"]


@contextmanager
def changes_nothing(server: ServerThread, watcher: RawClient) -> Iterator[None]:
    """The block may only be refused: afterwards the seq is the same, and the
    next event the watcher sees follows straight on from before."""
    before = health(server.port)["seq"]
    snapshot = server.call(lambda: app(server).office.snapshot(app(server).clock()))
    yield
    assert health(server.port)["seq"] == before
    assert server.call(lambda: app(server).office.snapshot(app(server).clock())) == snapshot
    watcher.ok("announce", text={"id": "cek", "en": "check"})
    stream = watcher.stream_through(before + 1)
    assert stream[-1]["seq"] == before + 1 and stream[-1]["name"] == "announcement"
    assert [e["seq"] for e in stream] == list(range(stream[0]["seq"], before + 2))


def _supervisor(server: ServerThread, connect: Connect) -> RawClient:
    supervisor = connect(server, "supervisor")
    supervisor.login()
    return supervisor


@ON_BOTH_DATABASES
def test_issue_call_serve_cycle(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    counter = connect(server, "counter", "counter-1")
    open_counter(counter, "1", ["A", "B"])
    numbers = [kiosk.ok("ticket.issue", service=s)["ticket"]["number"] for s in "AABA"]
    assert numbers == ["A001", "A002", "B001", "A003"]
    served = []
    while True:
        ticket = counter.ok("ticket.call_next", counter="1")["ticket"]
        if ticket is None:
            break
        assert ticket["status"] == "called" and ticket["counter"] == "1"
        assert ticket["calls"] == 1 and ticket["called_at"] is not None
        assert counter.ok("ticket.start", ticket=ticket["id"])["ticket"]["status"] == "serving"
        assert counter.ok("ticket.complete", ticket=ticket["id"])["ticket"]["status"] == "done"
        served.append(ticket["number"])
    assert served == ["A001", "A002", "B001", "A003"]
    looked_up = kiosk.ok("ticket.get", ticket="B001")["ticket"]
    assert looked_up["status"] == "done" and looked_up["counter"] == "1"
    rows = server.run(app(server).store.tickets_of_day(app(server).office.day))
    assert sorted((r["number"], r["status"]) for r in rows) == [
        ("A001", "done"), ("A002", "done"), ("A003", "done"), ("B001", "done")]
    assert health(server.port)["seq"] == 1 + 4 + 4 * 3


def test_no_show_and_transfer_keep_number_and_place(server: ServerThread,
                                                    connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    first = kiosk.ok("ticket.issue", service="A")["ticket"]
    kiosk.ok("ticket.issue", service="B")
    counter = connect(server, "counter", "counter-1")
    open_counter(counter, "1", ["A"])
    called = counter.ok("ticket.call_next", counter="1")["ticket"]
    moved = counter.ok("ticket.transfer", ticket=called["id"], service="B")["ticket"]
    assert moved["number"] == first["number"] and moved["status"] == "waiting"
    assert moved["service"] == "B" and moved["issued_at"] == first["issued_at"]
    # It keeps its place by first arrival: ahead of B001.
    assert kiosk.ok("ticket.get", ticket=moved["id"])["ticket"]["ahead"] == 0
    assert kiosk.ok("ticket.get", ticket="B001")["ticket"]["ahead"] == 1
    other = connect(server, "counter", "counter-2")
    open_counter(other, "2", ["B"])
    again = other.ok("ticket.call_next", counter="2")["ticket"]
    assert again["number"] == "A001"
    gone = other.ok("ticket.no_show", ticket=again["id"])["ticket"]
    assert gone["status"] == "no_show"


def test_completing_a_waiting_ticket_is_a_conflict(server: ServerThread,
                                                   connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        for action in ("ticket.complete", "ticket.start", "ticket.no_show", "ticket.recall"):
            refused(counter, "conflict", action, ticket=ticket["id"])
        refused(counter, "conflict", "ticket.transfer", ticket=ticket["id"], service="B")


def test_call_next_while_holding_a_ticket_is_a_conflict(server: ServerThread,
                                                        connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    kiosk.ok("ticket.issue", service="A")
    second = kiosk.ok("ticket.issue", service="A")["ticket"]
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    held = counter.ok("ticket.call_next", counter="1")["ticket"]
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        refused(counter, "conflict", "ticket.call_next", counter="1")
        refused(counter, "conflict", "ticket.call", counter="1", ticket=second["id"],
                reason="urgent")
        refused(counter, "conflict", "counter.pause", counter="1")
        refused(counter, "conflict", "counter.close", counter="1")
    counter.ok("ticket.start", ticket=held["id"])
    with changes_nothing(server, supervisor):
        refused(counter, "conflict", "ticket.call_next", counter="1")
    counter.ok("ticket.complete", ticket=held["id"])
    assert counter.ok("ticket.call_next", counter="1")["ticket"]["id"] == second["id"]


def test_counter_held_by_another_device(server: ServerThread, connect: Connect) -> None:
    mine = connect(server, "counter", "counter-1")
    opened = open_counter(mine, "1", ["A", "B"])["counter"]
    assert opened["state"] == "open" and opened["services"] == ["A", "B"]
    theirs = connect(server, "counter", "counter-elsewhere")
    theirs.login()
    supervisor = _supervisor(server, connect)
    connect(server, "kiosk").ok("ticket.issue", service="A")
    with changes_nothing(server, supervisor):
        refused(theirs, "conflict", "counter.open", counter="1", services=["C"])
        refused(theirs, "conflict", "ticket.call_next", counter="1")
        refused(theirs, "conflict", "counter.pause", counter="1")
        refused(theirs, "conflict", "counter.close", counter="1")
    # From the same device, opening again replaces the services.
    replaced = mine.ok("counter.open", counter="1", services=["C", "D"])["counter"]
    assert replaced["services"] == ["C", "D"] and replaced["state"] == "open"
    assert mine.ok("ticket.call_next", counter="1")["ticket"] is None
    # Once closed, another device may take the counter.
    mine.ok("counter.close", counter="1")
    taken = theirs.ok("counter.open", counter="1", services=["A"])["counter"]
    assert taken["device"] == "counter-elsewhere"
    assert theirs.ok("ticket.call_next", counter="1")["ticket"]["number"] == "A001"


def test_a_ticket_called_by_another_counter_is_a_conflict(server: ServerThread,
                                                          connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    first = connect(server, "counter", "counter-1")
    open_counter(first, "1", ["A"])
    second = connect(server, "counter", "counter-2")
    open_counter(second, "2", ["A"])
    first.ok("ticket.call_next", counter="1")
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        refused(second, "conflict", "ticket.call", counter="2", ticket=ticket["id"],
                reason="wrong desk")
        refused(second, "conflict", "ticket.call", counter="2", ticket="A001", reason="again")
        for action in ("ticket.complete", "ticket.start", "ticket.no_show", "ticket.recall"):
            refused(second, "conflict", action, ticket=ticket["id"])
        refused(second, "conflict", "ticket.transfer", ticket=ticket["id"], service="B")
        assert second.ok("ticket.call_next", counter="2")["ticket"] is None


def test_paused_and_closed_counters_cannot_call(server: ServerThread, connect: Connect) -> None:
    connect(server, "kiosk").ok("ticket.issue", service="A")
    counter = connect(server, "counter", "counter-1")
    counter.login()
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        refused(counter, "conflict", "ticket.call_next", counter="1")
        refused(counter, "conflict", "counter.pause", counter="1")
        refused(counter, "conflict", "counter.close", counter="1")
    counter.ok("counter.open", counter="1", services=["A"])
    counter.ok("counter.pause", counter="1")
    with changes_nothing(server, supervisor):
        refused(counter, "conflict", "ticket.call_next", counter="1")
    resumed = counter.ok("counter.open", counter="1", services=["A"])["counter"]
    assert resumed["state"] == "open"
    assert counter.ok("ticket.call_next", counter="1")["ticket"]["number"] == "A001"


def test_unknown_things_are_not_found(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        refused(kiosk, "not_found", "ticket.get", ticket="Z999")
        refused(kiosk, "not_found", "ticket.get", ticket="2020-01-01-A001")
        refused(kiosk, "not_found", "ticket.issue", service="Z")
        for action in ("ticket.complete", "ticket.start", "ticket.no_show", "ticket.recall"):
            refused(counter, "not_found", action, ticket="A404")
        refused(counter, "not_found", "ticket.call", counter="1", ticket="A404", reason="x")
        refused(counter, "not_found", "ticket.call_next", counter="99")
        refused(counter, "not_found", "counter.open", counter="99", services=["A"])
        refused(counter, "not_found", "counter.open", counter="2", services=["Z"])
        refused(supervisor, "not_found", "service.update", service="Z", open=False)


def test_closed_service_refuses_tickets(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    supervisor = _supervisor(server, connect)
    kiosk.ok("ticket.issue", service="B")
    closed = supervisor.ok("service.update", service="A", open=False)["service"]
    assert closed["code"] == "A" and closed["open"] is False
    counter = connect(server, "counter", "counter-1")
    open_counter(counter, "1", ["B"])
    held = counter.ok("ticket.call_next", counter="1")["ticket"]
    with changes_nothing(server, supervisor):
        refused(kiosk, "service_closed", "ticket.issue", service="A")
        refused(kiosk, "service_closed", "ticket.issue", service="A", priority="priority")
        refused(counter, "service_closed", "ticket.transfer", ticket=held["id"], service="A")
    assert connect(server, "display").welcome["snapshot"]["services"][0]["open"] is False
    supervisor.ok("service.update", service="A", open=True)
    assert kiosk.ok("ticket.issue", service="A")["ticket"]["number"] == "A001"


def test_quota_exhausted(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    supervisor = _supervisor(server, connect)
    assert supervisor.ok("service.update", service="C", quota=1)["service"]["quota"] == 1
    assert kiosk.ok("ticket.issue", service="C")["ticket"]["number"] == "C001"
    with changes_nothing(server, supervisor):
        refused(kiosk, "quota_exhausted", "ticket.issue", service="C")
        refused(kiosk, "quota_exhausted", "ticket.issue", service="C", priority="priority")
    assert kiosk.ok("ticket.issue", service="D")["ticket"]["number"] == "D001"
    supervisor.ok("service.update", service="C", quota=None)
    assert kiosk.ok("ticket.issue", service="C")["ticket"]["number"] == "C002"


def test_bad_fields_of_known_requests(server: ServerThread, connect: Connect) -> None:
    counter = connect(server, "counter", "counter-1")
    open_counter(counter)
    supervisor = _supervisor(server, connect)
    with changes_nothing(server, supervisor):
        refused(counter, "bad_request", "counter.open", counter="1")
        refused(counter, "bad_request", "counter.open", counter="1", services="A")
        refused(counter, "bad_request", "counter.open", counter="1", services=[])
        refused(counter, "bad_request", "ticket.call", counter="1", ticket="A001", reason=" ")
        refused(counter, "bad_request", "ticket.call_next", counter=["1"])
        refused(supervisor, "bad_request", "service.update", service="A", quota=-1)
        refused(supervisor, "bad_request", "service.update", service="A", quota="ten")
        refused(supervisor, "bad_request", "service.update", service="A", open="yes")
        refused(supervisor, "bad_request", "announce", text={"id": "", "en": ""})
        refused(supervisor, "bad_request", "announce", text=5)
        refused(supervisor, "unknown_type", "ticket.teleport", ticket="A001")
