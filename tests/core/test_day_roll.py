"""The day roll is one event like any other: `day.rolled` carries the day's
closures (as tickets for the server's rows, as ids on the wire), and every
office that applies it — the server, a restart's replay, a client's mirror —
closes them through the lifecycle table, refusing a closure the table does not
allow without changing anything."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from antrean.core.model import DomainError, Status
from antrean.core.office import Event, Office
from tests.core.builders import (
    DAY,
    DEVICE,
    TZ,
    Clock,
    call_next,
    issue,
    new_office,
    open_counter,
    state_of,
)

TOMORROW = datetime.combine(DAY + timedelta(days=1), time(0, 0), TZ)


def _office_at_day_end() -> tuple[Office, dict[str, str]]:
    """A waiting, a called, a serving and a finished ticket at midnight."""
    office, clock = new_office(), Clock()
    ids = {name: issue(office, "A", clock.tick()).id
           for name in ("done", "serving", "called", "waiting")}
    open_counter(office, "1", clock.tick())
    open_counter(office, "2", clock.tick())
    call_next(office, "1", clock.tick())
    office.complete(ids["done"], DEVICE["1"], clock.tick())
    call_next(office, "1", clock.tick())
    office.start(ids["serving"], DEVICE["1"], clock.tick())
    call_next(office, "2", clock.tick())
    return office, ids


def _wire(office: Office, event: Event) -> Event:
    """The event as a client receives it (and as the log stores it)."""
    data = office.event_data(event, with_staff=False)
    return office.event_from_wire(event.seq, event.name, event.at.isoformat(), data)


def test_the_roll_event_carries_the_closures() -> None:
    office, ids = _office_at_day_end()
    expected = office.day_end_closures(TOMORROW)
    (rolled,) = office.roll_day(TOMORROW)
    assert rolled.name == "day.rolled"
    assert list(rolled.closed) == expected
    assert {t.id: t.status for t in rolled.closed} == {
        ids["serving"]: Status.DONE, ids["called"]: Status.NO_SHOW,
        ids["waiting"]: Status.NO_SHOW,
    }
    assert rolled.extra["closed"] == [t.id for t in expected]


def test_a_mirror_closes_the_day_through_the_table() -> None:
    office, _ = _office_at_day_end()
    mirror = Office.from_snapshot(office.snapshot(TOMORROW - timedelta(hours=1)), office.seq)
    (rolled,) = office.roll_day(TOMORROW)
    mirror.apply(_wire(office, rolled))
    assert mirror.day == office.day and mirror.seq == office.seq
    assert mirror.tickets == {} and mirror.waiting_count("A") == 0


def test_a_closure_the_table_refuses_changes_nothing() -> None:
    """A roll that claims to close a finished ticket (or one the office never
    saw) is refused as a whole: the old day stays as it was."""
    office, ids = _office_at_day_end()
    (rolled,) = office.roll_day(TOMORROW)
    for bad in (ids["done"], "2026-03-02-Z999"):
        mirror_source, _ = _office_at_day_end()
        mirror = Office.from_checkpoint(mirror_source.spec, mirror_source.checkpoint())
        forged = replace(_wire(office, rolled),
                         extra={**rolled.extra, "closed": [*rolled.extra["closed"], bad]})
        before = state_of(mirror)
        with pytest.raises(DomainError) as refused:
            mirror.apply(forged)
        assert refused.value.code == "conflict"
        assert state_of(mirror) == before


def test_a_restart_replays_a_day_that_begins_with_its_roll() -> None:
    """The log files the roll under the new day, so a restart on that day
    starts an office on it and replays the roll first: accepted, no closures
    to check (they were the day before's)."""
    office, _ = _office_at_day_end()
    (rolled,) = office.roll_day(TOMORROW)
    issued = issue(office, "A", TOMORROW + timedelta(hours=8))
    restarted = Office(office.spec, TOMORROW.date(), rolled.seq - 1)
    restarted.apply(_wire(office, rolled))
    assert restarted.seq == rolled.seq and restarted.tickets == {}
    assert restarted.day == TOMORROW.date()
    assert issued.number == "A001"


def test_the_day_never_rolls_back() -> None:
    office, _ = _office_at_day_end()
    before = state_of(office)
    yesterday = Event(office.seq + 1, "day.rolled", office.local(TOMORROW), DAY,
                      extra={"day": (DAY - timedelta(days=1)).isoformat(), "closed": []})
    with pytest.raises(DomainError):
        office.apply(yesterday)
    assert state_of(office) == before
