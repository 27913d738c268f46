"""The call-next policy, `ahead`, ETA and the moving estimate: the closed form
of `ahead_of` against a simulation of the rule, and the bounds an estimate
must keep whatever is observed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antrean.core.model import PolicySpec, Priority, Status, Ticket
from antrean.core.policy import (
    ServiceQueue,
    ahead_of,
    call_order,
    choose_next,
    eta_minutes,
    next_streak,
    updated_estimate,
)
from tests.core.builders import OPENING

NOW = OPENING + timedelta(hours=2)


def _ticket(n: int, priority: bool, waited: timedelta, service: str = "A") -> Ticket:
    number = f"{service}{n:03d}"
    return Ticket(
        id=f"2026-03-02-{number}",
        number=number,
        service=service,
        priority=Priority.PRIORITY if priority else Priority.REGULAR,
        status=Status.WAITING,
        issued_at=NOW - waited,
    )


@st.composite
def queues(draw: st.DrawFn) -> tuple[list[Ticket], PolicySpec, int]:
    """A single service's waiting tickets, a policy and the office streak.
    Waits include the fairness limit exactly, and ties between tickets."""
    max_wait = draw(st.sampled_from([0.0, 1.0, 5.0, 15.0, 22.5]))
    policy = PolicySpec(priority_cap=draw(st.integers(1, 5)), regular_max_wait_minutes=max_wait)
    wait = st.one_of(
        st.integers(0, 3600 * 10**6).map(lambda us: timedelta(microseconds=us)),
        st.just(timedelta(minutes=max_wait)),
        st.sampled_from([timedelta(0), timedelta(minutes=30)]),
    )
    flags = draw(st.lists(st.tuples(st.booleans(), wait), max_size=30))
    tickets = [_ticket(n, p, w) for n, (p, w) in enumerate(flags, start=1)]
    return tickets, policy, draw(st.integers(0, 8))


@settings(max_examples=300, deadline=None)
@given(queues())
def test_ahead_of_is_the_position_in_the_call_order(
    case: tuple[list[Ticket], PolicySpec, int],
) -> None:
    tickets, policy, streak = case
    queue = ServiceQueue()
    for ticket in tickets:
        queue.add(ticket)
    order = call_order({"A": queue}, ["A"], {"A": 1.0}, streak, policy, NOW)
    assert sorted(order) == sorted(t.id for t in tickets)
    for ticket in tickets:
        assert ahead_of(queue, ticket, streak, policy, NOW) == order.index(ticket.id), ticket


@settings(max_examples=200, deadline=None)
@given(queues())
def test_call_order_is_repeated_choose_next(case: tuple[list[Ticket], PolicySpec, int]) -> None:
    """Calling the whole queue one by one gives the order `call_order` predicts."""
    tickets, policy, streak = case
    queue = ServiceQueue()
    for ticket in tickets:
        queue.add(ticket)
    by_id = {t.id: t for t in tickets}
    predicted = call_order({"A": queue}, ["A"], {"A": 1.0}, streak, policy, NOW)
    called = []
    while (pick := choose_next({"A": queue}, ["A"], {"A": 1.0}, streak, policy, NOW)) is not None:
        called.append(pick.ticket_id)
        queue.remove(by_id[pick.ticket_id])
        streak = next_streak(streak, pick.priority)
    assert called == predicted
    assert len(queue) == 0


def test_choose_next_with_nothing_to_call() -> None:
    policy = PolicySpec()
    assert choose_next({}, ["A"], {}, 0, policy, NOW) is None
    assert choose_next({"A": ServiceQueue()}, ["A", "Z"], {}, 0, policy, NOW) is None


def test_the_cap_needs_an_overdue_regular() -> None:
    policy = PolicySpec(priority_cap=1, regular_max_wait_minutes=10)
    queue = ServiceQueue()
    fresh, overdue, urgent = (
        _ticket(1, False, timedelta(minutes=9)),
        _ticket(2, False, timedelta(minutes=11)),
        _ticket(3, True, timedelta(minutes=1)),
    )
    queue.add(fresh)
    queue.add(urgent)
    pick = choose_next({"A": queue}, ["A"], {}, 5, policy, NOW)
    assert pick is not None and pick.ticket_id == urgent.id  # nobody overdue
    queue.add(overdue)
    pick = choose_next({"A": queue}, ["A"], {}, 1, policy, NOW)
    assert pick is not None and pick.ticket_id == overdue.id and not pick.priority
    pick = choose_next({"A": queue}, ["A"], {}, 0, policy, NOW)
    assert pick is not None and pick.ticket_id == urgent.id  # streak below the cap


def test_exactly_the_limit_is_not_overdue() -> None:
    policy = PolicySpec(priority_cap=1, regular_max_wait_minutes=10)
    queue = ServiceQueue()
    queue.add(_ticket(1, False, timedelta(minutes=10)))
    urgent = _ticket(2, True, timedelta(0))
    queue.add(urgent)
    pick = choose_next({"A": queue}, ["A"], {}, 3, policy, NOW)
    assert pick is not None and pick.ticket_id == urgent.id
    assert queue.overdue_regulars(policy, NOW) == 0
    assert queue.overdue_regulars(policy, NOW + timedelta(microseconds=1)) == 1


def test_index_of_a_ticket_not_waiting() -> None:
    queue = ServiceQueue()
    queue.add(_ticket(1, False, timedelta(0)))
    with pytest.raises(KeyError):
        queue.index(_ticket(2, False, timedelta(0)))
    queue.remove(_ticket(2, False, timedelta(0)))  # removing a stranger is harmless
    assert len(queue) == 1


# ---------------------------------------------------------------------- ETA
minutes = st.floats(0.5, 120.0)
counters = st.integers(0, 12)


@given(minutes, counters)
def test_eta_is_zero_with_nobody_ahead(service_minutes: float, open_counters: int) -> None:
    assert eta_minutes(0, service_minutes, open_counters) == 0


@given(st.integers(1, 500), st.integers(1, 50), minutes, counters)
def test_eta_grows_with_people_ahead(
    ahead: int, more: int, service_minutes: float, open_counters: int
) -> None:
    now = eta_minutes(ahead, service_minutes, open_counters)
    later = eta_minutes(ahead + more, service_minutes, open_counters)
    assert now >= 1
    assert later >= now
    # Enough extra people to fill a minute at every counter always shows.
    if more * service_minutes >= max(1, open_counters):
        assert later > now


@given(st.integers(0, 500), minutes, st.integers(1, 12), st.integers(1, 12))
def test_eta_shrinks_with_more_open_counters(
    ahead: int, service_minutes: float, open_counters: int, more: int
) -> None:
    assert eta_minutes(ahead, service_minutes, open_counters + more) <= eta_minutes(
        ahead, service_minutes, open_counters
    )


def test_eta_assumes_one_counter_when_none_is_open() -> None:
    assert eta_minutes(3, 10, 0) == eta_minutes(3, 10, 1) == 30
    assert eta_minutes(3, 10, 2) == 15
    assert eta_minutes(1, 10, 3) == 4  # rounded up: never promise too early


# -------------------------------------------------------- moving estimate
observed = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.sampled_from([0.0, 0.5, 120.0, 1e9, -5.0]),
)


@given(minutes, observed, st.floats(0.0, 1.0))
def test_estimate_moves_toward_the_observation_within_bounds(
    previous: float, seen: float, alpha: float
) -> None:
    estimate = updated_estimate(previous, seen, alpha)
    clamped = min(max(seen, 0.5), 120.0)
    low, high = sorted((previous, clamped))
    assert low - 1e-9 <= estimate <= high + 1e-9
    assert 0.5 - 1e-9 <= estimate <= 120.0 + 1e-9


@settings(max_examples=50)
@given(minutes, st.lists(observed, max_size=200), st.floats(0.01, 1.0))
def test_estimate_stays_within_bounds_over_a_day(
    start: float, seen: list[float], alpha: float
) -> None:
    estimate = start
    for value in seen:
        estimate = updated_estimate(estimate, value, alpha)
        assert 0.5 - 1e-9 <= estimate <= 120.0 + 1e-9


def test_one_absurd_ticket_cannot_wreck_the_estimate() -> None:
    assert updated_estimate(10.0, 10_000.0, 0.2) == pytest.approx(0.8 * 10 + 0.2 * 120)
    assert updated_estimate(10.0, -3.0, 0.2) == pytest.approx(0.8 * 10 + 0.2 * 0.5)


def test_queue_key_survives_time_zones() -> None:
    """Arrival order does not depend on the zone a time is written in."""
    queue = ServiceQueue()
    first = _ticket(1, False, timedelta(minutes=2))
    elsewhere = timezone(timedelta(hours=-5))
    second = replace(
        first, id="2026-03-02-A000", number="A000",
        issued_at=(NOW - timedelta(minutes=1)).astimezone(elsewhere),
    )
    queue.add(second)
    queue.add(first)
    assert call_order({"A": queue}, ["A"], {}, 0, PolicySpec(), NOW) == [first.id, second.id]
