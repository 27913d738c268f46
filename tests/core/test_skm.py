"""SKM/IKM by PermenPANRB 14/2017: a worked example computed by hand, the
grade bands on both sides of each boundary, the sample size."""

from __future__ import annotations

from fractions import Fraction

import pytest

from antrean.core.skm import (
    UNSUR,
    Response,
    age_band,
    as_float,
    compute,
    grade,
    minimum_sample,
    profile_counts,
    shown,
)

# Ten respondents; column k is unsur u(k+1). Sums per unsur, worked by hand:
# u1 32, u2 30, u3 35, u4 40, u5 29, u6 33, u7 36, u8 28, u9 32.
TEN = [
    [4, 3, 4, 4, 2, 4, 4, 3, 4],
    [4, 3, 4, 4, 3, 4, 4, 3, 4],
    [3, 3, 4, 4, 3, 4, 4, 3, 3],
    [3, 3, 4, 4, 3, 3, 4, 3, 3],
    [3, 3, 4, 4, 3, 3, 4, 3, 3],
    [3, 3, 3, 4, 3, 3, 4, 3, 3],
    [3, 3, 3, 4, 3, 3, 3, 3, 3],
    [3, 3, 3, 4, 3, 3, 3, 3, 3],
    [3, 3, 3, 4, 3, 3, 3, 2, 3],
    [3, 3, 3, 4, 3, 3, 3, 2, 3],
]


def _responses(rows: list[list[int]]) -> list[Response]:
    return [Response(answers=dict(zip(UNSUR, row, strict=True))) for row in rows]


def test_the_worked_example_of_ten_responses() -> None:
    result = compute(_responses(TEN))
    assert result.respondents == 10
    assert [result.totals[u] for u in UNSUR] == [32, 30, 35, 40, 29, 33, 36, 28, 32]
    # NRR = sum / 10; weighted NRR = NRR / 9 exactly.
    assert [result.nrr[u] for u in UNSUR] == [Fraction(n, 10) for n in
                                              (32, 30, 35, 40, 29, 33, 36, 28, 32)]
    assert result.weighted["u1"] == Fraction(32, 90)
    # Sum of NRRs 29.5: IKM 29.5 / 9 = 3.2777..., converted x 25 = 81.9444...
    assert result.ikm == Fraction(295, 90)
    assert result.converted == Fraction(295 * 25, 90)
    assert result.grade == "B"  # 76.61-88.30: baik
    assert shown(result.ikm) == "3.28"
    assert shown(result.converted) == "81.94"
    assert shown(result.weighted["u1"]) == "0.36"
    assert shown(result.nrr["u5"]) == "2.90"
    assert as_float(result.converted) == 81.94
    # The 0.111 shortcut is not what we compute: it would print 81.86.
    assert shown(Fraction("29.5") * Fraction("0.111") * 25) == "81.86"


def test_the_shortcut_would_even_change_the_grade() -> None:
    # 48 answers of 4 and 42 of 3: NRRs sum to 31.8, exact 88.33 (A);
    # 31.8 x 0.111 x 25 = 88.25 would be B.
    flat = [4] * 48 + [3] * 42
    result = compute(_responses([flat[i * 9:(i + 1) * 9] for i in range(10)]))
    assert sum(result.nrr[u] or 0 for u in UNSUR) == Fraction("31.8")
    assert shown(result.converted) == "88.33" and result.grade == "A"
    assert grade(Fraction("31.8") * Fraction("0.111") * 25) == "B"


@pytest.mark.parametrize(("converted", "expected"), [
    ("25.00", "D"), ("64.99", "D"), ("64.999", "D"),
    ("65.00", "C"), ("76.60", "C"),
    ("76.601", "B"), ("76.605", "B"), ("76.61", "B"), ("88.30", "B"),
    ("88.301", "A"), ("88.305", "A"), ("88.31", "A"), ("100.00", "A"),
])
def test_grade_bands_on_both_sides(converted: str, expected: str) -> None:
    assert grade(Fraction(converted)) == expected


def test_grades_are_chosen_before_rounding() -> None:
    # 54 answers of 3 and 36 of 2: IKM exactly 2.6, converted exactly 65.00: C.
    flat = [3] * 54 + [2] * 36
    at_65 = compute(_responses([flat[i * 9:(i + 1) * 9] for i in range(10)]))
    assert at_65.converted == 65 and at_65.grade == "C"
    # One answer lower: 64.72, D.
    flat[53] = 2
    below = compute(_responses([flat[i * 9:(i + 1) * 9] for i in range(10)]))
    assert shown(below.converted) == "64.72" and below.grade == "D"
    # 88.305 rounds to "88.31" on display but was already A above 88.30, and
    # 64.995 shows "65.00" yet stays D: the grade is the exact value's.
    assert shown(Fraction("64.995")) == "65.00" and grade(Fraction("64.995")) == "D"


def test_unanswered_and_bad_answers() -> None:
    assert compute([]).ikm is None and compute([]).grade is None
    # u9 answered by nobody: NRR of the others, no IKM.
    partial = compute([Response(answers={u: 3 for u in UNSUR[:8]})])
    assert partial.nrr["u9"] is None and partial.ikm is None
    # An unsur answered by fewer respondents is divided by those who answered it.
    two = compute([Response(answers=dict.fromkeys(UNSUR, 4)),
                   Response(answers={u: 2 for u in UNSUR[1:]})])
    assert two.nrr["u1"] == 4 and two.nrr["u2"] == 3 and two.answered["u1"] == 1
    # From the event: values outside 1-4 (and booleans, strings) are not counted.
    event = {"survey": {"ticket": "t", "number": "A012", "service": "A", "counter": "3",
                        "staff": "siti", "day": "2026-11-02",
                        "answers": {"u1": 5, "u2": 0, "u3": True, "u4": "4", "u5": 4,
                                    "u10": 4},
                        "profile": {"age": 34, "gender": "P", "education": "S1",
                                    "occupation": None},
                        "comment": "Cepat", "source": "phone"}}
    response = Response.from_event(event, at="2026-11-02T10:00:00+07:00")
    assert response.answers == {"u5": 4}
    assert (response.service, response.counter, response.staff, response.comment) == (
        "A", "3", "siti", "Cepat")


@pytest.mark.parametrize(("population", "sample"), [
    (0, 0), (10, 10), (50, 44), (100, 80), (1000, 278), (10_000, 370), (1_000_000, 384),
])
def test_krejcie_morgan_minimum_sample(population: int, sample: int) -> None:
    assert minimum_sample(population) == sample


def test_respondent_profile() -> None:
    responses = [Response(answers={}, profile={"age": 19, "gender": "L"}),
                 Response(answers={}, profile={"age": 20, "gender": "P", "education": "SMA"}),
                 Response(answers={}, profile={"age": 65}), Response(answers={})]
    counts = profile_counts(responses)
    assert counts["gender"] == {"L": 1, "P": 1, "-": 2}
    assert counts["age"] == {"<20": 1, "20-29": 1, "60+": 1, "-": 1}
    assert counts["education"]["SMA"] == 1
    assert age_band(True) == "-" and age_band(-1) == "-"
