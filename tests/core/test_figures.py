"""The figures the report and the supervisor's live tab share: nearest-rank
percentiles, waits from the first call, ETA honesty, and the live figures fed
by the events a console receives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest

from antrean.core.figures import (
    Group,
    LiveFigures,
    TicketFacts,
    eta_honesty,
    percentile,
    spread,
)

WIB = timezone(timedelta(hours=7))
NINE = datetime(2026, 11, 2, 9, 0, tzinfo=WIB)


def test_nearest_rank_percentiles() -> None:
    values = [7.0, 1.0, 3.0, 9.0, 5.0, 2.0, 8.0, 4.0, 6.0, 10.0]
    assert percentile(values, 50) == 5.0  # 5 of 10 values are at most 5
    assert percentile(values, 90) == 9.0
    assert percentile([4.0], 90) == 4.0 and percentile([], 50) is None
    assert spread(values) == (5.0, 9.0, 10.0)
    assert spread([]) == (None, None, None)
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_wait_runs_to_the_first_call_and_closures_are_neither() -> None:
    served = TicketFacts("t1", "d", "A001", "A", "regular", "done", NINE,
                         first_call=NINE + timedelta(minutes=12),
                         started_at=NINE + timedelta(minutes=13),
                         finished_at=NINE + timedelta(minutes=20)).settle()
    assert (served.served, served.wait, served.service_time) == (True, 12.0, 7.0)
    straight = TicketFacts("t2", "d", "A002", "A", "regular", "done", NINE,
                           first_call=NINE + timedelta(minutes=2),
                           finished_at=NINE + timedelta(minutes=5)).settle()
    assert straight.service_time == 3.0  # from the call when never started
    closed = TicketFacts("t3", "d", "A003", "A", "priority", "no_show", NINE,
                         closed_reason="day_end").settle()
    assert not closed.served and not closed.no_show and closed.wait is None
    group = Group()
    for ticket in (served, straight, closed):
        group.add_issued(ticket)
    assert (group.issued, group.served, group.no_shows, group.open_at_close) == (3, 2, 0, 1)
    assert group.priority_share == pytest.approx(1 / 3) and group.waits == [12.0, 2.0]


def test_eta_honesty() -> None:
    # (estimate, real): off by 2 of 10 (in), 5 of 10 (out), 0 of 4 (in), 3 of 2 (out).
    honesty = eta_honesty([(8, 10), (15, 10), (4, 4), (5, 2)])
    assert honesty.tickets == 4
    assert honesty.median_abs_error == 2.5  # errors 2, 5, 0, 3 -> median of 2 and 3
    assert honesty.within == 0.5
    assert eta_honesty([]).within is None


def _ticket(tid: str, service: str, issued: datetime, **extra: Any) -> dict[str, Any]:
    return {"id": tid, "number": tid, "service": service, "priority": "regular",
            "status": "waiting", "issued_at": issued.isoformat(), **extra}


def test_live_figures_from_a_consoles_events() -> None:
    live = LiveFigures()
    # Open when the console connected: one called already, one waiting.
    live.seed([_ticket("A001", "A", NINE, status="called",
                       called_at=(NINE + timedelta(minutes=4)).isoformat()),
               _ticket("A002", "A", NINE + timedelta(minutes=1))], since=NINE, day="2026-11-02")
    at = (NINE + timedelta(minutes=5)).isoformat()
    live.apply("ticket.issued", at, {"ticket": {**_ticket("B001", "B", NINE + timedelta(
        minutes=5)), "eta_minutes": 10}})
    live.apply("ticket.completed", (NINE + timedelta(minutes=9)).isoformat(), {"ticket": {
        **_ticket("A001", "A", NINE), "status": "done"}})
    live.apply("ticket.called", (NINE + timedelta(minutes=11)).isoformat(),
               {"ticket": _ticket("A002", "A", NINE + timedelta(minutes=1))})
    live.apply("ticket.no_show", (NINE + timedelta(minutes=13)).isoformat(),
               {"ticket": _ticket("A002", "A", NINE + timedelta(minutes=1))})
    live.apply("ticket.called", (NINE + timedelta(minutes=17)).isoformat(),
               {"ticket": _ticket("B001", "B", NINE + timedelta(minutes=5))})
    live.apply("ticket.completed", (NINE + timedelta(minutes=20)).isoformat(),
               {"ticket": _ticket("B001", "B", NINE + timedelta(minutes=5), status="done")})
    rows = {row.code: row for row in live.per_service()}
    assert (rows["A"].served, rows["A"].no_shows, rows["A"].wait_p50, rows["A"].wait_p90) == (
        1, 1, 4.0, 10.0)
    assert (rows["B"].served, rows["B"].wait_p50) == (1, 12.0)
    eta = live.eta()  # B001: estimate 10, real 12: within 25 %
    assert (eta.tickets, eta.median_abs_error, eta.within) == (1, 2.0, 1.0)
    # A survey response; a bad event shape is ignored; a day roll starts over.
    live.apply("survey.submitted", at, {"survey": {"answers": {f"u{k}": 4 for k in
                                                               range(1, 10)}}})
    live.apply("ticket.called", at, {"ticket": "not a ticket"})
    assert live.ikm().converted == Fraction(100) and live.ikm().grade == "A"
    # A reconnect the same day keeps what was seen and adds the new snapshot's tickets.
    live.seed([_ticket("C001", "C", NINE)], since=NINE + timedelta(hours=1), day="2026-11-02")
    assert [row.code for row in live.per_service()] == ["A", "B", "C"]
    assert live.since == NINE and live.ikm().respondents == 1
    live.apply("day.rolled", (NINE + timedelta(hours=15)).isoformat(), {"day": "2026-11-03"})
    assert live.per_service() == [] and live.ikm().respondents == 0
    assert live.since == NINE + timedelta(hours=15) and live.day == "2026-11-03"
