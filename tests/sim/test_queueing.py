"""Erlang C against values worked by hand and textbook identities."""

from __future__ import annotations

import math

import pytest

from antrean.sim.queueing import (
    counters_for,
    erlang_c,
    mean_wait_mdc,
    mean_wait_mmc,
    wait_quantile_mmc,
)


def test_erlang_c_known_values() -> None:
    # One counter: the chance of waiting is the utilisation.
    assert erlang_c(30, 1.0, 1) == pytest.approx(0.5)
    # Two Erlangs on three counters: C = 4/9 (textbook value 0.4444).
    assert erlang_c(120, 1.0, 3) == pytest.approx(4 / 9)
    assert erlang_c(240, 1.0, 3) == 1.0  # overloaded
    assert erlang_c(0, 5.0, 2) == 0.0


def test_waits_of_one_counter_match_m_m_1_and_m_d_1() -> None:
    # M/M/1 with rho = 0.5 and a 1-minute service: Wq = rho/(mu - lambda) = 1 minute.
    assert mean_wait_mmc(30, 1.0, 1) == pytest.approx(1.0)
    assert mean_wait_mdc(30, 1.0, 1) == pytest.approx(0.5)  # Pollaczek-Khinchine
    assert math.isinf(mean_wait_mmc(60, 1.0, 1))


def test_the_p90_and_the_counters_it_needs() -> None:
    # P(W > t) = C e^{-(c mu - lambda) t}: for M/M/1 at rho 0.5, t90 = ln(5)/0.5.
    assert wait_quantile_mmc(30, 1.0, 1) == pytest.approx(math.log(5) / 0.5)
    assert wait_quantile_mmc(5, 1.0, 1) == 0.0  # C < 0.1: nine in ten do not wait at all
    needed = counters_for(100, 10.0, 15.0)
    assert wait_quantile_mmc(100, 10.0, needed) <= 15.0
    assert wait_quantile_mmc(100, 10.0, needed - 1) > 15.0
    assert counters_for(0, 10.0, 15.0) == 0
