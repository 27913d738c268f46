"""Every (action, status) pair of the ticket and counter tables, legal or not,
both as the pure table lookup and through the Office command that performs it:
legal moves land where the table says, illegal ones are a `conflict` that
leaves the whole office state untouched."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from antrean.core.lifecycle import (
    COUNTER_TRANSITIONS,
    TICKET_EVENTS,
    TICKET_TRANSITIONS,
    CounterAction,
    TicketAction,
    advance,
    event_action,
    next_counter_state,
    next_ticket_status,
)
from antrean.core.model import CounterState, DomainError, Status, Ticket
from antrean.core.office import Event, Office
from tests.core.builders import (
    DEVICE,
    Clock,
    check_consistent,
    issue,
    new_office,
    open_counter,
    state_of,
)

# The rules as DESIGN.md and PROTOCOL.md state them, written out independently
# of the table under test: a change to the table must be a deliberate one.
DOCUMENTED_TICKET_MOVES = {
    (TicketAction.CALL, Status.WAITING): Status.CALLED,
    (TicketAction.RECALL, Status.CALLED): Status.CALLED,
    (TicketAction.START, Status.CALLED): Status.SERVING,
    (TicketAction.COMPLETE, Status.CALLED): Status.DONE,
    (TicketAction.COMPLETE, Status.SERVING): Status.DONE,
    (TicketAction.NO_SHOW, Status.CALLED): Status.NO_SHOW,
    (TicketAction.TRANSFER, Status.CALLED): Status.WAITING,
    (TicketAction.TRANSFER, Status.SERVING): Status.WAITING,
    (TicketAction.CLOSE_DAY, Status.WAITING): Status.NO_SHOW,
    (TicketAction.CLOSE_DAY, Status.CALLED): Status.NO_SHOW,
    (TicketAction.CLOSE_DAY, Status.SERVING): Status.DONE,
    (TicketAction.ADVANCE, Status.CALLED): Status.WAITING,
    (TicketAction.ADVANCE, Status.SERVING): Status.WAITING,
    (TicketAction.SEND_BACK, Status.CALLED): Status.WAITING,
    (TicketAction.SEND_BACK, Status.SERVING): Status.WAITING,
}
DOCUMENTED_COUNTER_MOVES = {
    (CounterAction.OPEN, CounterState.CLOSED): CounterState.OPEN,
    (CounterAction.OPEN, CounterState.OPEN): CounterState.OPEN,
    (CounterAction.OPEN, CounterState.PAUSED): CounterState.OPEN,
    (CounterAction.PAUSE, CounterState.OPEN): CounterState.PAUSED,
    (CounterAction.CLOSE, CounterState.OPEN): CounterState.CLOSED,
    (CounterAction.CLOSE, CounterState.PAUSED): CounterState.CLOSED,
}

TICKET_PAIRS = list(itertools.product(TicketAction, Status))
COUNTER_PAIRS = list(itertools.product(CounterAction, CounterState))


def _pair_id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}-{pair[1]}"


def test_tables_are_the_documented_rules() -> None:
    assert TICKET_TRANSITIONS == DOCUMENTED_TICKET_MOVES
    assert COUNTER_TRANSITIONS == DOCUMENTED_COUNTER_MOVES


def test_finished_tickets_never_move() -> None:
    for action, status in TICKET_PAIRS:
        if status in (Status.DONE, Status.NO_SHOW):
            assert (action, status) not in TICKET_TRANSITIONS


@pytest.mark.parametrize("pair", TICKET_PAIRS, ids=_pair_id)
def test_ticket_table_lookup(pair: tuple[TicketAction, Status]) -> None:
    action, status = pair
    if pair in TICKET_TRANSITIONS:
        assert next_ticket_status(status, action) is TICKET_TRANSITIONS[pair]
    else:
        with pytest.raises(DomainError) as refused:
            next_ticket_status(status, action)
        assert refused.value.code == "conflict"
        assert refused.value.message  # a person-readable reason


@pytest.mark.parametrize("pair", COUNTER_PAIRS, ids=_pair_id)
def test_counter_table_lookup(pair: tuple[CounterAction, CounterState]) -> None:
    action, state = pair
    if pair in COUNTER_TRANSITIONS:
        assert next_counter_state(state, action) is COUNTER_TRANSITIONS[pair]
    else:
        with pytest.raises(DomainError) as refused:
            next_counter_state(state, action)
        assert refused.value.code == "conflict"


# ---------------------------------------------------------------- via Office
def _office_with_ticket(status: Status) -> tuple[Office, Clock, Ticket]:
    """An office where ticket A001 is in `status`; a called or serving ticket
    is held by counter 1, and counter 2 is open for another try."""
    office, clock = new_office(), Clock()
    ticket = issue(office, "A", clock.now)
    issue(office, "A", clock.tick(seconds=5))  # someone behind it
    open_counter(office, "1", clock.tick())
    open_counter(office, "2", clock.tick(), ("A", "B"))
    if status is Status.WAITING:
        return office, clock, office.tickets[ticket.id]
    office.call("1", ticket.number, "test set-up", DEVICE["1"], clock.tick())
    if status is Status.SERVING:
        office.start(ticket.id, DEVICE["1"], clock.tick())
    elif status is Status.DONE:
        office.complete(ticket.id, DEVICE["1"], clock.tick())
    elif status is Status.NO_SHOW:
        office.no_show(ticket.id, DEVICE["1"], clock.tick())
    held = office.tickets[ticket.id]
    assert held.status is status
    return office, clock, held


def _perform(office: Office, ticket: Ticket, action: TicketAction, now: datetime) -> Status:
    """Perform `action` on `ticket` with the Office command a console would
    send, and return the ticket's new status."""
    device = DEVICE["1"]
    if action is TicketAction.CALL:
        office.call("2", ticket.number, "visitor came back", DEVICE["2"], now)
    elif action is TicketAction.RECALL:
        office.recall(ticket.id, device, now)
    elif action is TicketAction.START:
        office.start(ticket.id, device, now)
    elif action is TicketAction.COMPLETE:
        office.complete(ticket.id, device, now)
    elif action is TicketAction.NO_SHOW:
        office.no_show(ticket.id, device, now)
    elif action is TicketAction.TRANSFER:
        office.transfer(ticket.id, "B", device, now)
    else:  # CLOSE_DAY: the roll closes only open tickets; the others keep their end.
        closures = {t.id: t for t in office.day_end_closures(now + timedelta(days=1))}
        if ticket.id not in closures:
            raise DomainError("conflict", "not open")
        return closures[ticket.id].status
    return office.tickets[ticket.id].status


# The multi-step moves need a service with steps: tests/core/test_steps.py.
ONE_STEP_PAIRS = [p for p in TICKET_PAIRS
                  if p[0] not in (TicketAction.ADVANCE, TicketAction.SEND_BACK)]


@pytest.mark.parametrize("pair", ONE_STEP_PAIRS, ids=_pair_id)
def test_every_ticket_move_through_the_office(pair: tuple[TicketAction, Status]) -> None:
    action, status = pair
    office, clock, ticket = _office_with_ticket(status)
    before = state_of(office)
    if pair in TICKET_TRANSITIONS:
        assert _perform(office, ticket, action, clock.tick()) is TICKET_TRANSITIONS[pair]
        if action is not TicketAction.CLOSE_DAY:
            assert office.seq == before["seq"] + 1
    else:
        with pytest.raises(DomainError) as refused:
            _perform(office, ticket, action, clock.tick())
        assert refused.value.code == "conflict"
        assert state_of(office) == before
    check_consistent(office)


def test_call_next_is_the_call_move_for_waiting_tickets() -> None:
    office, clock, ticket = _office_with_ticket(Status.WAITING)
    called = office.call_next("2", DEVICE["2"], clock.tick())
    assert called[0].ticket is not None and called[0].ticket.id == ticket.id
    assert office.tickets[ticket.id].status is Status.CALLED


def _office_with_counter(state: CounterState) -> tuple[Office, Clock]:
    office, clock = new_office(), Clock()
    if state is not CounterState.CLOSED:
        open_counter(office, "1", clock.tick())
    if state is CounterState.PAUSED:
        office.pause_counter("1", DEVICE["1"], clock.tick())
    assert office.counters["1"].state is state
    return office, clock


COUNTER_COMMANDS: dict[CounterAction, Callable[[Office, datetime], object]] = {
    CounterAction.OPEN: lambda office, now: office.open_counter(
        "1", ("B",), DEVICE["1"], None, now
    ),
    CounterAction.PAUSE: lambda office, now: office.pause_counter("1", DEVICE["1"], now),
    CounterAction.CLOSE: lambda office, now: office.close_counter("1", DEVICE["1"], now),
}


@pytest.mark.parametrize("pair", COUNTER_PAIRS, ids=_pair_id)
def test_every_counter_move_through_the_office(pair: tuple[CounterAction, CounterState]) -> None:
    action, state = pair
    office, clock = _office_with_counter(state)
    before = state_of(office)
    if pair in COUNTER_TRANSITIONS:
        COUNTER_COMMANDS[action](office, clock.tick())
        assert office.counters["1"].state is COUNTER_TRANSITIONS[pair]
        assert office.seq == before["seq"] + 1
    else:
        with pytest.raises(DomainError) as refused:
            COUNTER_COMMANDS[action](office, clock.tick())
        assert refused.value.code == "conflict"
        assert state_of(office) == before
    check_consistent(office)


@pytest.mark.parametrize("state", [CounterState.OPEN, CounterState.PAUSED])
@pytest.mark.parametrize("action", list(CounterAction))
def test_another_device_cannot_move_a_held_counter(
    state: CounterState, action: CounterAction
) -> None:
    office, clock = _office_with_counter(state)
    before = state_of(office)
    commands: dict[CounterAction, Callable[[], object]] = {
        CounterAction.OPEN: lambda: office.open_counter("1", ("A",), "other", None, clock.now),
        CounterAction.PAUSE: lambda: office.pause_counter("1", "other", clock.now),
        CounterAction.CLOSE: lambda: office.close_counter("1", "other", clock.now),
    }
    with pytest.raises(DomainError) as refused:
        commands[action]()
    assert refused.value.code == "conflict"
    assert state_of(office) == before


# ------------------------------------------------------------ one function
@pytest.mark.parametrize("pair", TICKET_PAIRS, ids=_pair_id)
def test_advance_lands_where_the_table_says(pair: tuple[TicketAction, Status]) -> None:
    action, status = pair
    office, clock, ticket = _office_with_ticket(status)
    at = office.local(clock.tick())
    if pair in TICKET_TRANSITIONS:
        moved = advance(ticket, action, at, counter="2", service="B", reason="day_end", step=2)
        assert moved.status is TICKET_TRANSITIONS[pair]
        assert (moved.id, moved.number, moved.issued_at) == (
            ticket.id, ticket.number, ticket.issued_at)
    else:
        with pytest.raises(DomainError) as refused:
            advance(ticket, action, at, counter="2", service="B")
        assert refused.value.code == "conflict"


def test_advance_moves_the_fields_that_go_with_the_status() -> None:
    office, clock, waiting = _office_with_ticket(Status.WAITING)
    at = office.local(clock.tick())
    called = advance(waiting, TicketAction.CALL, at, counter="2")
    assert (called.counter, called.called_at, called.calls) == ("2", at, 1)
    recalled = advance(called, TicketAction.RECALL, at, counter="2")
    assert recalled.calls == 2 and recalled.status is Status.CALLED
    serving = advance(called, TicketAction.START, at)
    assert serving.started_at == at
    assert advance(serving, TicketAction.COMPLETE, at).finished_at == at
    moved = advance(serving, TicketAction.TRANSFER, at, service="B")
    assert (moved.service, moved.counter, moved.called_at, moved.started_at, moved.calls,
            moved.origin_service) == ("B", None, None, None, 0, "A")
    closed = advance(serving, TicketAction.CLOSE_DAY, at, reason="day_end")
    assert (closed.closed_reason, closed.finished_at) == ("day_end", at)
    assert waiting.status is Status.WAITING  # frozen: the old ticket is untouched


def test_every_ticket_event_names_its_move() -> None:
    for action, name in TICKET_EVENTS.items():
        via = "recall" if action is TicketAction.RECALL else "next"
        assert event_action(name, via) is action
    assert event_action("announcement") is None


# ------------------------------------------------- illegal moves as events
def _forged(office: Office, name: str, ticket: Ticket, **extra: object) -> Event:
    """An event as a mirror would receive it: the next seq, a ticket object."""
    return Event(office.seq + 1, name, office.local(datetime.now(office.tz)), office.day,
                 ticket=ticket, extra=dict(extra))


# Illegal pairs that have an event of their own (the closures ride in day.rolled).
ILLEGAL_EVENT_PAIRS = [
    pair for pair in TICKET_PAIRS
    if pair not in TICKET_TRANSITIONS and pair[0] is not TicketAction.CLOSE_DAY
]


@pytest.mark.parametrize("pair", ILLEGAL_EVENT_PAIRS, ids=_pair_id)
def test_an_illegal_move_arriving_as_an_event_changes_nothing(
    pair: tuple[TicketAction, Status],
) -> None:
    """The server's command never makes such an event; a damaged log or a
    mirror that missed something might. The table refuses it there too."""
    action, status = pair
    office, _, ticket = _office_with_ticket(status)
    target = next(to for (a, _), to in TICKET_TRANSITIONS.items() if a is action)
    forged = _forged(office, TICKET_EVENTS[action], replace(ticket, status=target),
                     via="recall" if action is TicketAction.RECALL else "next")
    before = state_of(office)
    with pytest.raises(DomainError) as refused:
        office.apply(forged)
    assert refused.value.code == "conflict"
    assert state_of(office) == before


def test_an_event_claiming_another_target_status_is_refused() -> None:
    office, _, ticket = _office_with_ticket(Status.CALLED)
    before = state_of(office)
    with pytest.raises(DomainError, match="not called"):
        office.apply(_forged(office, "ticket.started", ticket))  # start must lead to serving
    with pytest.raises(DomainError):
        office.apply(_forged(office, "ticket.issued", ticket))  # issued twice
    assert state_of(office) == before


def test_a_mirror_refuses_an_illegal_event_from_the_wire() -> None:
    office, clock, ticket = _office_with_ticket(Status.WAITING)
    mirror = Office.from_snapshot(office.snapshot(clock.now), office.seq)
    before = state_of(mirror)
    data = {"ticket": replace(ticket, status=Status.DONE).to_wire()}
    event = mirror.event_from_wire(mirror.seq + 1, "ticket.completed", "", data)
    with pytest.raises(DomainError):
        mirror.apply(event)
    assert state_of(mirror) == before


def test_an_illegal_counter_event_changes_nothing() -> None:
    office, clock = _office_with_counter(CounterState.CLOSED)
    counter = office.counters["1"]
    before = state_of(office)
    paused = Event(office.seq + 1, "counter.paused", office.local(clock.now), office.day,
                   counter=replace(counter, state=CounterState.PAUSED))
    with pytest.raises(DomainError) as refused:
        office.apply(paused)
    assert refused.value.code == "conflict"
    assert state_of(office) == before
