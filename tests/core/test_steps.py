"""Multi-step visits: each step its own queue, same number, place by first arrival."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from antrean.core.lifecycle import TICKET_TRANSITIONS, TicketAction
from antrean.core.model import CounterSpec, DomainError, Priority, Status, Text
from antrean.core.office import Office
from tests.core.builders import DAY, DEVICE, Clock, issue, office_spec, service, state_of

STEPS = (Text("Verifikasi berkas", "Document check"),
         Text("Wawancara & biometrik", "Interview & biometrics"))


def two_step_office() -> Office:
    spec = office_spec(
        services=(replace(service("D"), steps=STEPS), service("A")),
        counters=(CounterSpec("1", Text("Loket 1", "Counter 1"), ("D",)),
                  CounterSpec("2", Text("Loket 2", "Counter 2"), ("D", "A"))),
    )
    return Office(spec, DAY)


def test_complete_at_first_step_waits_at_the_next_in_arrival_order() -> None:
    office, clock = two_step_office(), Clock()
    first = issue(office, "D", clock.now)
    second = issue(office, "D", clock.tick(minutes=1))
    assert (first.step, first.steps) == (1, 2)
    office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=["D:1"])
    office.open_counter("2", ["D"], DEVICE["2"], None, clock.tick(), steps=["D:2"])
    assert office.call_next("2", DEVICE["2"], clock.tick()) == []  # nobody at step 2 yet
    office.call_next("1", DEVICE["1"], clock.tick())
    office.complete(first.id, DEVICE["1"], clock.tick())
    office.call_next("1", DEVICE["1"], clock.tick())
    events = office.complete(second.id, DEVICE["1"], clock.tick())
    assert [e.name for e in events] == ["ticket.advanced"]
    moved = events[0].ticket
    assert moved is not None
    assert (moved.status, moved.step, moved.number, moved.counter) == (
        Status.WAITING, 2, second.number, None)
    assert events[0].extra["from_step"] == 1
    assert events[0].extra["step_name"] == STEPS[1].to_wire()
    # Step 2's counter calls the first arrival first, whatever order they finished step 1.
    called = office.call_next("2", DEVICE["2"], clock.tick())[0].ticket
    assert called is not None and called.id == first.id and called.step == 2
    done = office.complete(first.id, DEVICE["2"], clock.tick())
    assert done[0].name == "ticket.completed" and done[0].ticket is not None
    assert done[0].ticket.status is Status.DONE


def test_send_back_needs_a_reason_and_a_step_to_go_back_to() -> None:
    office, clock = two_step_office(), Clock()
    ticket = issue(office, "D", clock.now)
    office.open_counter("2", ["D"], DEVICE["2"], None, clock.tick())
    office.call_next("2", DEVICE["2"], clock.tick())
    with pytest.raises(DomainError) as at_first:
        office.send_back(ticket.id, "berkas kurang", DEVICE["2"], clock.tick())
    assert at_first.value.code == "conflict"
    office.complete(ticket.id, DEVICE["2"], clock.tick())
    office.call_next("2", DEVICE["2"], clock.tick())
    before = state_of(office)
    with pytest.raises(DomainError) as no_reason:
        office.send_back(ticket.id, "  ", DEVICE["2"], clock.tick())
    assert no_reason.value.code == "bad_request" and state_of(office) == before
    events = office.send_back(ticket.id, "KK belum dibawa", DEVICE["2"], clock.tick())
    back = events[0].ticket
    assert events[0].name == "ticket.sent_back" and events[0].extra["reason"] == "KK belum dibawa"
    assert back is not None and (back.status, back.step) == (Status.WAITING, 1)
    assert office.counters["2"].ticket is None


def test_counter_steps_are_checked() -> None:
    office, clock = two_step_office(), Clock()
    for bad in (["D:3"], ["A:1"], ["D:x"]):
        with pytest.raises(DomainError) as refused:
            office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=bad)
        assert refused.value.code == "bad_request"
    office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=["D:2"])
    assert office.counters["1"].steps == ("D:2",)
    assert office.counter_queues(office.counters["1"]) == ["D:2"]


def test_multi_step_moves_through_the_table() -> None:
    for status in (Status.CALLED, Status.SERVING):
        for action in (TicketAction.ADVANCE, TicketAction.SEND_BACK):
            assert TICKET_TRANSITIONS[(action, status)] is Status.WAITING


def test_replay_and_mirror_agree_on_steps() -> None:
    office, clock = two_step_office(), Clock()
    ticket = issue(office, "D", clock.now)
    office.open_counter("2", ["D"], DEVICE["2"], None, clock.tick())
    events = office.call_next("2", DEVICE["2"], clock.tick())
    events += office.complete(ticket.id, DEVICE["2"], clock.tick())
    mirror = Office.from_snapshot(office.snapshot(clock.now), office.seq)
    assert mirror.tickets[ticket.id].step == 2
    assert [t.id for t in mirror.waiting_order(clock.now)] == [ticket.id]
    replay = two_step_office()
    for e in office.checkpoint()["tickets"]:
        assert e["step"] == 2
    restored = Office.from_checkpoint(replay.spec, office.checkpoint())
    assert restored.queues["D:2"].regular == office.queues["D:2"].regular


def test_a_later_steps_wait_counts_only_the_counters_serving_that_step() -> None:
    office, clock = two_step_office(), Clock()
    first = issue(office, "D", clock.now)
    second = issue(office, "D", clock.tick(minutes=1))
    office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=["D:1"])
    for ticket in (first, second):
        office.call_next("1", DEVICE["1"], clock.tick())
        office.complete(ticket.id, DEVICE["1"], clock.tick())
    view = office.view(office.tickets[second.id], clock.tick())
    assert (view.ticket.step, view.ahead) == (2, 1)
    # Nobody serves step 2 yet: one counter is assumed, not counters 1 and 2 (step 1 only).
    one_counter = math.ceil(office.services["D"].service_minutes)
    office.open_counter("2", ["D"], DEVICE["2"], None, clock.tick(), steps=["D:1"])
    assert office.view(office.tickets[second.id], clock.now).eta_minutes == one_counter
    office.open_counter("2", ["D"], DEVICE["2"], None, clock.tick(), steps=["D:2"])
    assert office.view(office.tickets[second.id], clock.now).eta_minutes == one_counter
    office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=["D:2"])
    assert office.view(office.tickets[second.id], clock.now).eta_minutes == math.ceil(
        office.services["D"].service_minutes / 2)


def test_a_finished_step_counts_for_its_counter_and_the_estimate() -> None:
    office, clock = two_step_office(), Clock()
    events = office.issue("D", Priority.REGULAR, "id", clock.now)
    ticket = events[0].ticket
    assert ticket is not None
    events += office.open_counter("1", ["D"], DEVICE["1"], None, clock.tick(), steps=["D:1"])
    events += office.call_next("1", DEVICE["1"], clock.tick())
    before = office.services["D"].service_minutes
    events += office.complete(ticket.id, DEVICE["1"], clock.tick(minutes=4))
    figures = office.figures()["counters"]["1"]
    assert (figures["served"], figures["service_minutes"]) == (1, 4.0)
    assert office.services["D"].service_minutes < before  # 4 minutes pulled the 10 down
    restored = Office.from_checkpoint(office.spec, office.checkpoint())
    assert restored.figures() == office.figures()
    replica = two_step_office()
    for event in events:
        replica.apply(event)
    assert replica.figures() == office.figures()
    assert replica.services["D"].service_minutes == office.services["D"].service_minutes
