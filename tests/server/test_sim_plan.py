"""The simulation and the planner held to queueing theory on the simplest
office: one service, steady Poisson arrivals, one kind of service time.

Tolerances, and why: the simulated days are finite (a few thousand
visitors) and start empty, so a mean or p90 wait from them is an estimate
with a spread of roughly ±10 % at these loads; the tests allow ±20 %
(M/M/c, where Erlang C is exact) and ±25 % (M/D/c, where Cosmetatos'
formula is itself an approximation of a few per cent). The planner must
land on the Erlang C counter count or one fewer (fixed service times queue
less than exponential ones, never more). The seeds are fixed, so each
test gives the same figures every run."""

from __future__ import annotations

import asyncio
import statistics
from datetime import date

import pytest

from antrean.sim.figures import ALL, figures_of
from antrean.sim.plan import CounterPlan
from antrean.sim.profile import Demand, Profile, ServiceTime
from antrean.sim.queueing import (
    counters_for,
    mean_wait_mdc,
    mean_wait_mmc,
    wait_quantile_mmc,
)
from server.sim.commands import Inputs, search_plan
from server.sim.driver import Behaviour, simulate_days
from tests.server.offices import demo_office

# People react and walk in about a second: the theory has no such delays.
QUICK = Behaviour(react_seconds=0.5, walk_seconds=1.0, recall_seconds=30.0)
ALL_DAY = range(0, 24)


def steady(per_hour: float, minutes: float, kind: str, hours: range = ALL_DAY) -> Profile:
    cv = 1.0 if kind == "exponential" else 0.0
    return Profile(tuple(Demand(h, "A", per_hour, 0.0, ServiceTime(minutes, cv, (), kind), 0.0)
                         for h in hours))


def waits(profile: Profile, counters: int, days: int, seed: int = 11) -> list[float]:
    plan = CounterPlan.of([(h, ("A",), counters) for h in profile.hours()])
    dates = [date(2026, 1, 5 + i) for i in range(days)]
    records = asyncio.run(simulate_days(demo_office(), [profile] * days, [plan] * days, dates,
                                        seed, QUICK))
    figures = figures_of([r.events for r in records], ["A"])
    return sorted(t.wait for t in figures.traces if t.wait is not None)


def test_exponential_service_waits_as_erlang_c_says() -> None:
    """M/M/4 at 80 % load: mean wait and p90 within ±20 % of Erlang C."""
    rate, minutes, counters = 32.0, 6.0, 4
    simulated = waits(steady(rate, minutes, "exponential"), counters, days=4)
    assert len(simulated) > 2500
    mean = statistics.fmean(simulated)
    p90 = simulated[int(0.9 * len(simulated)) - 1]
    assert mean == pytest.approx(mean_wait_mmc(rate, minutes, counters), rel=0.20)
    assert p90 == pytest.approx(wait_quantile_mmc(rate, minutes, counters), rel=0.20)


def test_fixed_service_waits_as_m_d_c_says() -> None:
    """M/D/4 at 80 % load: the mean wait within ±25 % of Cosmetatos, and
    clearly below the exponential case."""
    rate, minutes, counters = 32.0, 6.0, 4
    simulated = waits(steady(rate, minutes, "lognormal"), counters, days=4)
    mean = statistics.fmean(simulated)
    assert mean == pytest.approx(mean_wait_mdc(rate, minutes, counters), rel=0.25)
    assert mean < 0.75 * mean_wait_mmc(rate, minutes, counters)


@pytest.mark.parametrize("kind", ["exponential", "lognormal"])
def test_the_plan_lands_on_the_counters_theory_asks_for(kind: str) -> None:
    rate, minutes, target = 40.0, 6.0, 10.0
    theory = counters_for(rate, minutes, target)  # Erlang C, M/M/c
    assert theory == 6  # C(5, 4 Erlangs) gives a p90 of 10.3 minutes: one more
    hours = range(8, 16)
    profile = steady(rate, minutes, kind, hours)
    days = [date(2026, 1, 5), date(2026, 1, 6)]
    inputs = Inputs(demo_office(), days, [profile] * 2, [CounterPlan(())] * 2, QUICK, "test")
    plan, figures, unmet, runs = search_plan(inputs, profile, target, 20, seed=4)
    assert unmet == [] and runs >= 2
    steady_hours = [plan.count(h, "A") for h in range(10, 16)]  # after the morning's start
    low = theory - 1
    high = theory if kind == "lognormal" else theory + 1
    assert all(low <= n <= high for n in steady_hours), (kind, plan.rows)
    assert all(figures.waits[(h, "A")].p90 <= target for h in figures.hours)
    assert figures.by_service[ALL].count > 500
