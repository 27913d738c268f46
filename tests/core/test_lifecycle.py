"""Every (status, action) pair of the ticket and counter tables, legal or not,
both as the pure table lookup and through the Office command that performs it:
legal moves land where the table says, illegal ones are a `conflict` that
leaves the whole office state untouched."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from antrean.core.lifecycle import (
    COUNTER_TRANSITIONS,
    TICKET_TRANSITIONS,
    CounterAction,
    TicketAction,
    next_counter_state,
    next_ticket_status,
)
from antrean.core.model import CounterState, DomainError, Status, Ticket
from antrean.core.office import Office
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
    (Status.WAITING, TicketAction.CALL): Status.CALLED,
    (Status.CALLED, TicketAction.RECALL): Status.CALLED,
    (Status.CALLED, TicketAction.START): Status.SERVING,
    (Status.CALLED, TicketAction.COMPLETE): Status.DONE,
    (Status.SERVING, TicketAction.COMPLETE): Status.DONE,
    (Status.CALLED, TicketAction.NO_SHOW): Status.NO_SHOW,
    (Status.CALLED, TicketAction.TRANSFER): Status.WAITING,
    (Status.SERVING, TicketAction.TRANSFER): Status.WAITING,
    (Status.WAITING, TicketAction.CLOSE_DAY): Status.NO_SHOW,
    (Status.CALLED, TicketAction.CLOSE_DAY): Status.NO_SHOW,
    (Status.SERVING, TicketAction.CLOSE_DAY): Status.DONE,
    (Status.CALLED, TicketAction.ADVANCE): Status.WAITING,
    (Status.SERVING, TicketAction.ADVANCE): Status.WAITING,
    (Status.CALLED, TicketAction.SEND_BACK): Status.WAITING,
    (Status.SERVING, TicketAction.SEND_BACK): Status.WAITING,
}
DOCUMENTED_COUNTER_MOVES = {
    (CounterState.CLOSED, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.OPEN, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.PAUSED, CounterAction.OPEN): CounterState.OPEN,
    (CounterState.OPEN, CounterAction.PAUSE): CounterState.PAUSED,
    (CounterState.OPEN, CounterAction.CLOSE): CounterState.CLOSED,
    (CounterState.PAUSED, CounterAction.CLOSE): CounterState.CLOSED,
}

TICKET_PAIRS = list(itertools.product(Status, TicketAction))
COUNTER_PAIRS = list(itertools.product(CounterState, CounterAction))


def _pair_id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}-{pair[1]}"


def test_tables_are_the_documented_rules() -> None:
    assert TICKET_TRANSITIONS == DOCUMENTED_TICKET_MOVES
    assert COUNTER_TRANSITIONS == DOCUMENTED_COUNTER_MOVES


def test_finished_tickets_never_move() -> None:
    for status, action in TICKET_PAIRS:
        if status in (Status.DONE, Status.NO_SHOW):
            assert (status, action) not in TICKET_TRANSITIONS


@pytest.mark.parametrize("pair", TICKET_PAIRS, ids=_pair_id)
def test_ticket_table_lookup(pair: tuple[Status, TicketAction]) -> None:
    status, action = pair
    if pair in TICKET_TRANSITIONS:
        assert next_ticket_status(status, action) is TICKET_TRANSITIONS[pair]
    else:
        with pytest.raises(DomainError) as refused:
            next_ticket_status(status, action)
        assert refused.value.code == "conflict"
        assert refused.value.message  # a person-readable reason


@pytest.mark.parametrize("pair", COUNTER_PAIRS, ids=_pair_id)
def test_counter_table_lookup(pair: tuple[CounterState, CounterAction]) -> None:
    state, action = pair
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
                  if p[1] not in (TicketAction.ADVANCE, TicketAction.SEND_BACK)]


@pytest.mark.parametrize("pair", ONE_STEP_PAIRS, ids=_pair_id)
def test_every_ticket_move_through_the_office(pair: tuple[Status, TicketAction]) -> None:
    status, action = pair
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
def test_every_counter_move_through_the_office(pair: tuple[CounterState, CounterAction]) -> None:
    state, action = pair
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
