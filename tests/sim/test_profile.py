"""The arrival profile: the CSV as documented, clear errors naming the line,
and the same visitors for the same seed."""

from __future__ import annotations

import random

import pytest

from antrean.sim import SimInputError
from antrean.sim.profile import ServiceTime, parse_profile, visitors_of_day

MINUTES = {"A": 12.0, "B": 10.0}
GOOD = """hour,service,arrivals,priority_share,service_minutes,service_cv,no_show_share,\
patience_minutes
08,A,30,0.1,12,0.4,0.05,60
08:00,B,10,,,,,
9,A,20,0.2,8,0,0,
"""


def test_the_documented_columns_and_their_defaults() -> None:
    profile = parse_profile(GOOD, MINUTES)
    assert profile.hours() == [8, 9] and profile.services() == ["A", "B"]
    a8 = profile.demand(8, "A")
    assert a8 is not None and a8.arrivals == 30 and a8.patience_minutes == 60
    b8 = profile.demand(8, "B")
    assert b8 is not None
    assert (b8.priority_share, b8.service_time.mean, b8.no_show_share) == (0.1, 10.0, 0.03)
    assert b8.patience_minutes is None
    assert profile.total_arrivals() == 60
    again = parse_profile(profile.to_csv(), MINUTES)
    assert again == profile


@pytest.mark.parametrize(("text", "key", "english"), [
    ("hour,service\n08,A\n", "sim.error.column_missing", "Column 'arrivals' is missing"),
    ("hour,service,arrivals,colour\n08,A,3,red\n", "sim.error.column_unknown", "'colour'"),
    ("hour,service,arrivals\n25,A,3\n", "sim.error.hour", "Line 2: hour '25'"),
    ("hour,service,arrivals\n08:30,A,3\n", "sim.error.hour", "'08:30'"),
    ("hour,service,arrivals\n08,Z,3\n", "sim.error.service", "service 'Z' is not in"),
    ("hour,service,arrivals\n08,A,3\n08,A,4\n", "sim.error.duplicate", "Line 3"),
    ("hour,service,arrivals\n08,A,many\n", "sim.error.number", "column arrivals"),
    ("hour,service,arrivals,priority_share\n08,A,3,1.5\n", "sim.error.number", "priority"),
    ("hour,service,arrivals,service_minutes\n08,A,3,0\n", "sim.error.number", "service_min"),
    ("hour,service,arrivals\n", "sim.error.empty", "no data rows"),
])
def test_bad_profiles_say_what_and_where(text: str, key: str, english: str) -> None:
    with pytest.raises(SimInputError) as caught:
        parse_profile(text, MINUTES)
    assert caught.value.key == key
    assert english in caught.value.text("en")
    indonesian = caught.value.text("id")
    assert indonesian != caught.value.text("en") and indonesian


def test_the_same_seed_gives_the_same_visitors() -> None:
    profile = parse_profile(GOOD, MINUTES)
    first = visitors_of_day(profile, random.Random(7))
    assert first == visitors_of_day(profile, random.Random(7))
    assert first != visitors_of_day(profile, random.Random(8))
    assert [v.arrival for v in first] == sorted(v.arrival for v in first)
    assert all(8 * 3600 <= v.arrival < 10 * 3600 for v in first)
    fixed = [v for v in first if v.service == "A" and v.arrival >= 9 * 3600]
    assert fixed and all(v.minutes == 8 for v in fixed)  # cv 0: a fixed time


def test_arrivals_follow_the_rate_over_many_days() -> None:
    profile = parse_profile("hour,service,arrivals\n10,A,40\n", MINUTES)
    rng = random.Random(1)
    counts = [len(visitors_of_day(profile, rng)) for _ in range(300)]
    mean = sum(counts) / len(counts)
    assert 38 < mean < 42  # Poisson(40): the mean of 300 days is within ±2 (5 sigma)


def test_service_times_have_the_mean_and_spread_asked_for() -> None:
    rng = random.Random(3)
    draws = [ServiceTime(10.0, 0.5).draw(rng) for _ in range(20_000)]
    mean = sum(draws) / len(draws)
    sd = (sum((d - mean) ** 2 for d in draws) / len(draws)) ** 0.5
    assert mean == pytest.approx(10.0, rel=0.03)
    assert sd / mean == pytest.approx(0.5, rel=0.08)
    exponential = [ServiceTime(4.0, 1.0, (), "exponential").draw(rng) for _ in range(20_000)]
    assert sum(exponential) / len(exponential) == pytest.approx(4.0, rel=0.03)
    observed = ServiceTime(5.0, 0.0, (1.0, 2.0, 3.0))
    assert {observed.draw(rng) for _ in range(200)} == {1.0, 2.0, 3.0}
