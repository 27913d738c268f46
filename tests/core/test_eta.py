"""The ETA learns the pace of each service's queue from today's calls:
counter-minutes per call while people keep waiting, the priority lane's
share, the counters open and free now. The pace is state like any other:
it survives a checkpoint, a replay and a client's snapshot."""

from __future__ import annotations

import math

import pytest

from antrean.core.model import Priority
from antrean.core.office import Office
from antrean.core.policy import PACE_MIN_CALLS, Pace, paced_eta_minutes
from tests.core.builders import Clock, call_next, issue, new_office, open_counter


@pytest.fixture
def clock() -> Clock:
    return Clock()


def steady_queue(office: Office, clock: Clock, every: float, calls: int) -> None:
    """One counter (2, on B and C) calling a B ticket every `every` minutes
    while a long queue waits."""
    open_counter(office, "2", clock.now, ("B",))
    for _ in range(calls + 5):
        issue(office, "B", clock.tick())
    for _ in range(calls):
        called = call_next(office, "2", clock.tick(minutes=every))
        assert called is not None
        office.complete(called.id, "console-2", clock.now)


def test_until_the_pace_is_known_the_first_estimate_holds(clock: Clock) -> None:
    office = new_office()
    steady_queue(office, clock, every=5, calls=PACE_MIN_CALLS - 1)
    ticket = issue(office, "B", clock.tick())
    view = office.view(ticket, clock.now)
    # The work ahead at the moving service-time estimate, one counter.
    assert view.eta_minutes == math.ceil(view.ahead * office.services["B"].service_minutes)


def test_a_steady_queue_teaches_its_pace(clock: Clock) -> None:
    office = new_office()
    steady_queue(office, clock, every=5, calls=40)
    pace = office.pace["B"]
    assert pace.calls == 39  # the first call after opening is not timed
    # From the service-time estimate towards the intervals seen (0.9^39 of it left).
    assert pace.per_call == pytest.approx(5.0, abs=0.1)
    ticket = issue(office, "B", clock.tick())
    view = office.view(ticket, clock.now)
    assert view.ahead == 5
    # Counter 2 is free (it finished and has not called yet): it takes the
    # first of the five at once; then 4 + 0.5 calls at 5 minutes each.
    assert view.eta_minutes == 23
    office.call_next("2", "console-2", clock.tick(minutes=5))  # at the same pace
    assert office.view(ticket, clock.now).eta_minutes == 23  # 4 ahead, none free
    # A second counter open for B: twice the pace; it is free, so 3 + 0.5 calls.
    open_counter(office, "3", clock.tick(), ("B",))
    assert office.view(ticket, clock.now).eta_minutes == 9  # 3.5 x 5 / 2, rounded up


def test_a_free_counter_means_no_wait(clock: Clock) -> None:
    office = new_office()
    steady_queue(office, clock, every=5, calls=40)
    open_counter(office, "3", clock.tick(), ("B",))
    for _ in range(6):  # the queue empties: both counters call, then counter 3 is free
        for counter in ("2", "3"):
            held = office.counters[counter].ticket
            if held:
                office.complete(held, f"console-{counter}", clock.tick())
            office.call_next(counter, f"console-{counter}", clock.tick())
    assert office.waiting_count("B") == 0
    ticket = issue(office, "B", clock.tick())
    assert office.view(ticket, clock.now).eta_minutes == 0


def test_a_call_after_the_queue_was_empty_is_not_timed(clock: Clock) -> None:
    office = new_office()
    steady_queue(office, clock, every=5, calls=6)
    before = office.pace["B"]
    while office.waiting_count("B"):
        called = call_next(office, "2", clock.tick(minutes=5))
        assert called is not None
        office.complete(called.id, "console-2", clock.now)
    emptied = office.pace["B"]
    assert emptied.busy_since is None and emptied.calls > before.calls
    issue(office, "B", clock.tick(minutes=30))  # half an hour later someone comes
    call_next(office, "2", clock.tick(seconds=10))  # a free counter's reaction
    assert office.pace["B"].per_call == emptied.per_call  # not a 10-second pace


def test_regular_tickets_allow_for_priority_visitors_to_come() -> None:
    pace = Pace(per_call=6.0, priority=0.25, calls=10)
    assert paced_eta_minutes(3, pace, 2, priority=True) == 11  # 3.5 x 6 / 2 = 10.5
    assert paced_eta_minutes(3, pace, 2, priority=False) == 14  # 10.5 / 0.75
    assert paced_eta_minutes(-1, pace, 2, priority=False) == 0
    assert paced_eta_minutes(3, Pace(6.0, 0.0, PACE_MIN_CALLS - 1), 2, False) is None


def test_the_pace_survives_checkpoint_snapshot_and_the_day_roll(clock: Clock) -> None:
    office = new_office()
    steady_queue(office, clock, every=4, calls=8)
    issue(office, "B", clock.tick(), Priority.PRIORITY)
    ticket = issue(office, "B", clock.tick())
    expected = office.view(ticket, clock.now).eta_minutes
    restored = Office.from_checkpoint(office.spec, office.checkpoint())
    assert restored.pace == office.pace
    assert restored.view(ticket, clock.now).eta_minutes == expected
    mirror = Office.from_snapshot(office.snapshot(clock.now), office.seq)
    assert mirror.pace == office.pace
    assert mirror.view(mirror.find_ticket(ticket.id), clock.now).eta_minutes == expected
    assert Pace.from_wire(office.pace["B"].to_wire()) == office.pace["B"]
    office.roll_day(clock.tick(days=1))
    assert office.pace == {}


def test_the_pace_starts_from_the_service_time_not_the_first_interval() -> None:
    from datetime import UTC, datetime, timedelta

    from antrean.core.policy import paced_after_call

    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    busy = Pace(busy_since=start)
    # Two counters opening together call seconds apart: one such interval
    # barely moves an estimate that starts from the 12-minute service time.
    after = paced_after_call(busy, start + timedelta(seconds=5), 2, False, True, 0.1, 12.0)
    assert after.per_call == pytest.approx(0.9 * 12 + 0.1 * (5 / 60 * 2))
    assert after.calls == 1 and after.busy_since == start + timedelta(seconds=5)
    idle = paced_after_call(Pace(), start, 2, False, False, 0.1, 12.0)
    assert idle.per_call is None and idle.calls == 0 and idle.busy_since is None
