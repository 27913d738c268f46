"""The counter plan CSV: read back what `antrean plan` writes; errors name the line."""

from __future__ import annotations

import pytest

from antrean.sim import SimInputError
from antrean.sim.plan import CounterPlan, parse_plan


def test_a_plan_reads_back_as_written() -> None:
    plan = CounterPlan.of([(8, ("A",), 3), (8, ("C", "D"), 1), (9, ("A",), 2), (9, ("B",), 0)])
    text = plan.to_csv()
    assert text == "hour,services,counters\n08,A,3\n08,C+D,1\n09,A,2\n"
    assert parse_plan(text, "ABCD") == plan
    assert plan.count(8, "C") == 1 and plan.count(9, "B") == 0
    assert plan.peak() == 4 and plan.hours() == [8, 9]


@pytest.mark.parametrize(("text", "key"), [
    ("hour,counters\n08,1\n", "sim.error.column_missing"),
    ("hour,services,counters\n08,A+Q,1\n", "sim.error.service"),
    ("hour,services,counters\n08,A,-1\n", "sim.error.number"),
    ("hour,services,counters\n08,A,two\n", "sim.error.number"),
    ("hour,services,counters\nnoon,A,1\n", "sim.error.hour"),
    ("hour,services,counters\n", "sim.error.empty"),
])
def test_bad_plans_are_refused_with_the_reason(text: str, key: str) -> None:
    with pytest.raises(SimInputError) as caught:
        parse_plan(text, "ABCD")
    assert caught.value.key == key
