"""Queueing theory for one service: Erlang C (M/M/c) and the Cosmetatos
approximation for fixed service times (M/D/c). The planner starts from
these, and the tests hold the simulation to them."""

from __future__ import annotations

import math


def erlang_c(arrivals_per_hour: float, service_minutes: float, counters: int) -> float:
    """Probability that a visitor has to wait (M/M/c); 1 when the counters
    cannot keep up."""
    load = arrivals_per_hour * service_minutes / 60  # offered load in Erlangs
    if counters <= 0 or load >= counters:
        return 1.0
    if load <= 0:
        return 0.0
    blocking = 1.0  # Erlang B by its stable recursion
    for k in range(1, counters + 1):
        blocking = load * blocking / (k + load * blocking)
    return counters * blocking / (counters - load * (1 - blocking))


def _decay_per_minute(arrivals_per_hour: float, service_minutes: float, counters: int) -> float:
    return counters / service_minutes - arrivals_per_hour / 60


def mean_wait_mmc(arrivals_per_hour: float, service_minutes: float, counters: int) -> float:
    """Mean wait in minutes (M/M/c); infinite when overloaded."""
    c = erlang_c(arrivals_per_hour, service_minutes, counters)
    decay = _decay_per_minute(arrivals_per_hour, service_minutes, counters)
    return math.inf if decay <= 0 else c / decay


def wait_quantile_mmc(arrivals_per_hour: float, service_minutes: float, counters: int,
                      q: float = 0.9) -> float:
    """The q-quantile of the wait in minutes (M/M/c): P(W > t) = C·e^(-(cμ-λ)t)."""
    c = erlang_c(arrivals_per_hour, service_minutes, counters)
    decay = _decay_per_minute(arrivals_per_hour, service_minutes, counters)
    if decay <= 0:
        return math.inf
    tail = 1 - q
    return 0.0 if c <= tail else math.log(c / tail) / decay


def mean_wait_mdc(arrivals_per_hour: float, service_minutes: float, counters: int) -> float:
    """Mean wait with a fixed service time (M/D/c), Cosmetatos' approximation
    (exact for one counter: half the M/M/1 wait)."""
    mmc = mean_wait_mmc(arrivals_per_hour, service_minutes, counters)
    if not math.isfinite(mmc) or counters == 1:
        return mmc / 2
    rho = arrivals_per_hour * service_minutes / 60 / counters
    correction = 1 + (1 - rho) * (counters - 1) * (math.sqrt(4 + 5 * counters) - 2) / (
        16 * rho * counters)
    return mmc / 2 * correction


def counters_for(arrivals_per_hour: float, service_minutes: float, target_p90: float,
                 limit: int = 200) -> int:
    """The fewest counters whose M/M/c p90 wait is within the target."""
    if arrivals_per_hour <= 0:
        return 0
    for counters in range(1, limit + 1):
        if wait_quantile_mmc(arrivals_per_hour, service_minutes, counters) <= target_p90:
            return counters
    return limit
