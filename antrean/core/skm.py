"""The public satisfaction index (Indeks Kepuasan Masyarakat) of
PermenPANRB No. 14/2017, computed exactly.

- NRR per unsur = the sum of its answers (1-4) / the number of responses
  that answered it.
- Weighted NRR = NRR x 1/9, as a fraction: the common 0.111 shortcut is
  wrong in the third decimal of the converted value.
- IKM = the sum of the nine weighted NRRs; converted IKM = IKM x 25.
- The grade comes from the exact converted value; only display rounds (two
  decimals). The regulation's bands are 25.00-64.99 D, 65.00-76.60 C,
  76.61-88.30 B and 88.31-100.00 A; a value between two printed bands (76.605)
  belongs to the upper one, since it is above the lower band's top.

The minimum number of respondents for a population is Krejcie and Morgan's
(1970), which the regulation refers to: chi-square 3.841 (1 degree of
freedom, 95 %), P = 0.5, margin 0.05, rounded as their table is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

UNSUR = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
WEIGHT = Fraction(1, len(UNSUR))
SCALE = 25
# (lowest converted value of the band, grade), best first; each band runs
# up to the next one's lowest value.
GRADES: tuple[tuple[Fraction, str], ...] = (
    (Fraction("88.30"), "A"),  # above 88.30
    (Fraction("76.60"), "B"),  # above 76.60
    (Fraction("65.00"), "C"),  # 65.00 and above
)


@dataclass(frozen=True, slots=True)
class Response:
    """One survey response, as the `survey.submitted` event carries it."""

    answers: Mapping[str, int]
    service: str | None = None
    counter: str | None = None
    staff: str | None = None
    day: str | None = None
    at: str | None = None
    number: str | None = None
    profile: Mapping[str, Any] = field(default_factory=dict)
    comment: str | None = None
    source: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], at: str | None = None) -> Response:
        """From a `survey.submitted` event's data; answers outside 1-4 are not
        counted (as if the unsur were left unanswered)."""
        survey = data.get("survey") or {}
        answers = survey.get("answers") or {}
        clean = {key: value for key, value in answers.items()
                 if key in UNSUR and type(value) is int and 1 <= value <= 4}
        profile = survey.get("profile") or {}
        return cls(answers=clean, service=survey.get("service"),
                   counter=survey.get("counter"), staff=survey.get("staff"),
                   day=survey.get("day"), at=at, number=survey.get("number"),
                   profile=profile if isinstance(profile, dict) else {},
                   comment=survey.get("comment") or None, source=survey.get("source"))


@dataclass(frozen=True, slots=True)
class Ikm:
    """The index of a set of responses. `nrr` and `weighted` hold None for an
    unsur nobody answered; then there is no IKM (`ikm` is None)."""

    respondents: int
    answered: dict[str, int]
    totals: dict[str, int]
    nrr: dict[str, Fraction | None]
    weighted: dict[str, Fraction | None]
    ikm: Fraction | None
    converted: Fraction | None
    grade: str | None


def compute(responses: Iterable[Response]) -> Ikm:
    totals = dict.fromkeys(UNSUR, 0)
    answered = dict.fromkeys(UNSUR, 0)
    respondents = 0
    for response in responses:
        respondents += 1
        for key, value in response.answers.items():
            if key in totals:
                totals[key] += value
                answered[key] += 1
    nrr: dict[str, Fraction | None] = {
        key: Fraction(totals[key], answered[key]) if answered[key] else None for key in UNSUR}
    weighted = {key: value * WEIGHT if value is not None else None for key, value in nrr.items()}
    parts = [value for value in weighted.values() if value is not None]
    ikm = sum(parts, Fraction(0)) if len(parts) == len(UNSUR) else None
    converted = ikm * SCALE if ikm is not None else None
    return Ikm(respondents, answered, totals, nrr, weighted, ikm, converted,
               grade(converted) if converted is not None else None)


def grade(converted: Fraction) -> str:
    """A, B, C or D for an exact converted IKM (25-100)."""
    if converted > GRADES[0][0]:
        return "A"
    if converted > GRADES[1][0]:
        return "B"
    if converted >= GRADES[2][0]:
        return "C"
    return "D"


def shown(value: Fraction | None, places: int = 2) -> str:
    """For display only: rounded half up to `places` decimals ("" for none)."""
    if value is None:
        return ""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def as_float(value: Fraction | None, places: int = 2) -> float | None:
    """A rounded number for spreadsheets (the cell shows what is printed)."""
    return float(shown(value, places)) if value is not None else None


def minimum_sample(population: int) -> int:
    """Krejcie-Morgan: the respondents a population of `population` needs."""
    if population <= 0:
        return 0
    chi2 = Fraction("3.841")
    p = Fraction(1, 2)
    d = Fraction("0.05")
    exact = chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))
    return int((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))


def profile_counts(responses: Iterable[Response]) -> dict[str, Counter[str]]:
    """Respondents by gender, age band, education and occupation (keys as
    given; "-" for not given)."""
    counts: dict[str, Counter[str]] = {"gender": Counter(), "age": Counter(),
                                        "education": Counter(), "occupation": Counter()}
    for response in responses:
        profile = response.profile
        counts["gender"][str(profile.get("gender") or "-")] += 1
        counts["age"][age_band(profile.get("age"))] += 1
        counts["education"][str(profile.get("education") or "-")] += 1
        counts["occupation"][str(profile.get("occupation") or "-")] += 1
    return counts


AGE_BANDS = ((0, 19, "<20"), (20, 29, "20-29"), (30, 39, "30-39"), (40, 49, "40-49"),
             (50, 59, "50-59"), (60, 200, "60+"))


def age_band(age: Any) -> str:
    if type(age) is not int:
        return "-"
    for low, high, name in AGE_BANDS:
        if low <= age <= high:
            return name
    return "-"
