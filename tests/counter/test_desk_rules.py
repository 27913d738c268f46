"""The rules that enable the console's actions, and the small formats it shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from antrean.core.model import (
    Counter,
    CounterSpec,
    CounterState,
    Priority,
    Status,
    Text,
    Ticket,
)
from antrean.core.office import Office
from counter.desk import (
    Action,
    Desk,
    allowed_actions,
    clock_text,
    decimal_text,
    desk_of,
    waiting_summary,
)
from tests.support import cached_demo_config

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SPEC = CounterSpec("3", Text("Loket 3", "Counter 3"), ("A",))


def _ticket(status: Status) -> Ticket:
    return Ticket("t", "A001", "A", Priority.REGULAR, status, NOW)


def _desk(state: CounterState = CounterState.OPEN, ticket: Ticket | None = None,
          device: str | None = "counter-3", waiting: int = 2) -> Desk:
    counter = Counter(SPEC, state, ("A",), ticket.id if ticket else None, device)
    return Desk(counter, ticket, "counter-3", waiting)


@pytest.mark.parametrize(("desk", "expected"), [
    (_desk(CounterState.CLOSED, device=None), set()),
    (_desk(device="counter-9"), set()),  # open on another device
    (_desk(CounterState.PAUSED), {Action.PAUSE_RESUME}),
    (_desk(), {Action.CALL_NEXT, Action.CALL_SPECIFIC, Action.PAUSE_RESUME}),
    (_desk(waiting=0), {Action.CALL_SPECIFIC, Action.PAUSE_RESUME}),
    (_desk(ticket=_ticket(Status.CALLED)),
     {Action.RECALL, Action.START, Action.COMPLETE, Action.NO_SHOW, Action.TRANSFER}),
    (_desk(ticket=_ticket(Status.SERVING)), {Action.COMPLETE, Action.TRANSFER}),
])
def test_actions_that_make_sense(desk: Desk, expected: set[Action]) -> None:
    assert allowed_actions(desk, connected=True, busy=False) == expected


def test_nothing_while_offline_or_busy() -> None:
    desk = _desk(ticket=_ticket(Status.CALLED))
    assert allowed_actions(desk, connected=False, busy=False) == frozenset()
    assert allowed_actions(desk, connected=True, busy=True) == frozenset()
    assert allowed_actions(Desk(None, None, "counter-3", 5), connected=True,
                           busy=False) == frozenset()


def test_waiting_summary_follows_the_call_order() -> None:
    office = Office(cached_demo_config().office, NOW.date())
    for minutes, service, priority in ((0, "A", Priority.REGULAR), (4, "B", Priority.REGULAR),
                                      (6, "A", Priority.PRIORITY), (8, "C", Priority.REGULAR)):
        office.issue(service, priority, "id", NOW + timedelta(minutes=minutes))
    later = NOW + timedelta(minutes=10)
    summary = waiting_summary(office, ["A", "B"], later)
    assert summary.count == 3
    assert [t.number for t in summary.next_tickets] == ["A002", "A001", "B001"]
    assert summary.longest_wait(later) == timedelta(minutes=10)
    assert waiting_summary(office, [], later).count == 0
    desk = desk_of(office, "1", "counter-1", ["A", "B"], later)
    assert desk.waiting == 3 and desk.ticket is None and not desk.held_here


def test_desk_follows_the_counter_ticket() -> None:
    office = Office(cached_demo_config().office, NOW.date())
    office.issue("A", Priority.REGULAR, "id", NOW)
    office.open_counter("1", ["A"], "counter-1", None, NOW)
    office.call_next("1", "counter-1", NOW)
    desk = desk_of(office, "1", "counter-1", ["A"], NOW)
    assert desk.held_here and desk.ticket is not None and desk.ticket.number == "A001"
    other = desk_of(office, "1", "counter-7", ["A"], NOW)
    assert other.held_elsewhere and not other.held_here
    assert allowed_actions(other, connected=True, busy=False) == frozenset()
    closed = replace(desk, counter=replace(desk.counter, state=CounterState.CLOSED))
    assert not closed.held_here and not closed.held_elsewhere


def test_formats() -> None:
    assert clock_text(timedelta(seconds=247)) == "04:07"
    assert clock_text(timedelta(hours=1, seconds=7)) == "1:00:07"
    assert decimal_text(4.25, "id") == "4,2"
    assert decimal_text(4.25, "en") == "4.2"
