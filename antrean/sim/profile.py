"""Who comes to the office on a simulated day: the arrival profile (per hour
and service) and the visitors drawn from it with a seeded random generator.

The profile CSV (one row per hour and service; see docs/planning.md):

    hour,service,arrivals,priority_share,service_minutes,service_cv,no_show_share,patience_minutes
    08,A,40,0.08,12,0.4,0.04,90

`hour` is the office-time hour (`8`, `08` or `08:00`), `arrivals` the mean
number of visitors for that service arriving in that hour. The other columns
may be left out or blank: `priority_share` (default 0.1), `service_minutes`
(mean service time; default the office file's `service_minutes`),
`service_cv` (spread as a coefficient of variation: 0 is a fixed time,
default 0.5, log-normal), `no_show_share` (called but not there; default
0.03) and `patience_minutes` (mean time a visitor waits before walking out;
blank means nobody walks out) and `service_dist` (`lognormal`, the default,
or `exponential`).

Appointments (issue 14): `booked_share` is the share of the hour's visitors
who come with a booking (default 0): each gets a booking for the next
quarter-hour slot after the moment drawn, arrives then (so 0–15 minutes
before the slot) and checks in with its code; `booked_no_show_share` is the
share of those called but not there (default: `no_show_share`).

Multi-step services: `step_minutes` gives each step's mean service time,
separated by `/` (`5/12/3` for a three-step service), with the row's
`service_cv` and `service_dist`; left blank, a service with steps in the
office file has its `service_minutes` shared evenly among its steps.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from antrean.sim import SimInputError

COLUMNS = ("hour", "service", "arrivals", "priority_share", "service_minutes", "service_cv",
           "no_show_share", "patience_minutes", "service_dist", "booked_share",
           "booked_no_show_share", "step_minutes")
SLOT_SECONDS = 15 * 60  # simulated appointments are booked in quarter-hour slots
DISTRIBUTIONS = ("lognormal", "exponential")
DEFAULT_PRIORITY_SHARE = 0.1
DEFAULT_CV = 0.5
DEFAULT_NO_SHOW = 0.03


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """A service-time distribution in minutes: log-normal with mean and
    coefficient of variation (fixed when `cv` is 0), or the office's own
    observed times (`samples`, drawn with replacement)."""

    mean: float
    cv: float = DEFAULT_CV
    samples: tuple[float, ...] = ()
    kind: str = "lognormal"  # or "exponential" (queueing theory's M/M/c)

    def draw(self, rng: random.Random) -> float:
        if self.samples:
            return self.samples[rng.randrange(len(self.samples))]
        if self.kind == "exponential":
            return rng.expovariate(1.0 / self.mean)
        if self.cv <= 0:
            return self.mean
        sigma2 = math.log1p(self.cv * self.cv)
        return rng.lognormvariate(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True, slots=True)
class Demand:
    """One hour of one service: how many come and what they need."""

    hour: int
    service: str
    arrivals: float
    priority_share: float = DEFAULT_PRIORITY_SHARE
    service_time: ServiceTime = field(default_factory=lambda: ServiceTime(10.0))
    no_show_share: float = DEFAULT_NO_SHOW
    patience_minutes: float | None = None
    booked_share: float = 0.0  # visitors with an appointment
    booked_no_show_share: float | None = None  # None: as no_show_share
    step_times: tuple[ServiceTime, ...] = ()  # per step; empty: one step (service_time)

    def booked_no_show(self) -> float:
        return self.no_show_share if self.booked_no_show_share is None \
            else self.booked_no_show_share

    def times(self) -> tuple[ServiceTime, ...]:
        """The service time of each step (one for a one-step service)."""
        return self.step_times or (self.service_time,)


@dataclass(frozen=True, slots=True)
class Profile:
    rows: tuple[Demand, ...]

    def services(self) -> list[str]:
        return sorted({row.service for row in self.rows})

    def hours(self) -> list[int]:
        return sorted({row.hour for row in self.rows})

    def demand(self, hour: int, service: str) -> Demand | None:
        for row in self.rows:
            if row.hour == hour and row.service == service:
                return row
        return None

    def total_arrivals(self) -> float:
        return sum(row.arrivals for row in self.rows)

    def scaled(self, factor: float) -> Profile:
        """The same day with `factor` times the visitors (growth scenarios)."""
        return Profile(tuple(
            Demand(r.hour, r.service, r.arrivals * factor, r.priority_share, r.service_time,
                   r.no_show_share, r.patience_minutes, r.booked_share, r.booked_no_show_share,
                   r.step_times) for r in self.rows))

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in sorted(self.rows, key=lambda d: (d.hour, d.service)):
            writer.writerow([
                f"{r.hour:02d}", r.service, _num(r.arrivals), _num(r.priority_share),
                _num(r.service_time.mean), _num(r.service_time.cv), _num(r.no_show_share),
                "" if r.patience_minutes is None else _num(r.patience_minutes),
                r.service_time.kind, _num(r.booked_share),
                "" if r.booked_no_show_share is None else _num(r.booked_no_show_share),
                "/".join(_num(t.mean) for t in r.step_times),
            ])
        return out.getvalue()


def _num(value: float) -> str:
    return f"{value:.4g}" if value != int(value) else str(int(value))


def parse_hour(text: str, line: int) -> int:
    raw = text.strip()
    head = raw.split(":", 1)[0]
    if not head.isdigit() or not 0 <= int(head) <= 23 or (":" in raw and raw[-2:] != "00"):
        raise SimInputError("sim.error.hour", line=line, value=raw)
    return int(head)


def parse_profile(text: str, default_minutes: Mapping[str, float],
                  step_counts: Mapping[str, int] | None = None) -> Profile:
    """A profile CSV checked against the office's services (`default_minutes`
    maps each service code to the office file's first service-time estimate,
    `step_counts` to its number of steps when it has more than one)."""
    steps_of = dict(step_counts or {})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    for needed in ("hour", "service", "arrivals"):
        if needed not in header:
            raise SimInputError("sim.error.column_missing", column=needed)
    for name in header:
        if name not in COLUMNS:
            raise SimInputError("sim.error.column_unknown", column=name)
    rows: list[Demand] = []
    seen: set[tuple[int, str]] = set()
    for number, raw in enumerate(reader, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue
        hour = parse_hour(cells["hour"], number)
        service = cells["service"]
        if service not in default_minutes:
            raise SimInputError("sim.error.service", line=number, value=service)
        if (hour, service) in seen:
            raise SimInputError("sim.error.duplicate", line=number, hour=hour, service=service)
        seen.add((hour, service))

        def number_of(column: str, default: float | None, *, share: bool = False,
                      positive: bool = False, line: int = number,
                      cells: dict[str, str] = cells) -> float | None:
            value = cells.get(column, "")
            if value == "":
                return default
            try:
                parsed = float(value.replace(",", "."))
            except ValueError:
                parsed = math.nan
            if (not math.isfinite(parsed) or parsed < 0 or (share and parsed > 1)
                    or (positive and parsed <= 0)):
                raise SimInputError("sim.error.number", line=line, column=column, value=value)
            return parsed

        arrivals = number_of("arrivals", None)
        if arrivals is None:
            raise SimInputError("sim.error.number", line=number, column="arrivals", value="")
        mean = number_of("service_minutes", default_minutes[service], positive=True)
        cv = number_of("service_cv", DEFAULT_CV)
        assert mean is not None and cv is not None
        kind = cells.get("service_dist", "") or "lognormal"
        if kind not in DISTRIBUTIONS:
            raise SimInputError("sim.error.number", line=number, column="service_dist",
                                value=kind)
        cv_used = 1.0 if kind == "exponential" else cv
        steps = steps_of.get(service, 1)
        step_text = cells.get("step_minutes", "")
        step_times: tuple[ServiceTime, ...] = ()
        if step_text:
            means = []
            for part in step_text.split("/"):
                try:
                    value = float(part.strip().replace(",", "."))
                except ValueError:
                    value = math.nan
                if not math.isfinite(value) or value <= 0:
                    raise SimInputError("sim.error.number", line=number, column="step_minutes",
                                        value=step_text)
                means.append(value)
            if len(means) != steps or steps < 2:
                raise SimInputError("sim.error.step_minutes", line=number, service=service,
                                    steps=steps, value=step_text)
            step_times = tuple(ServiceTime(m, cv_used, (), kind) for m in means)
            mean = sum(means)
        elif steps > 1:
            step_times = tuple(ServiceTime(mean / steps, cv_used, (), kind)
                               for _ in range(steps))
        rows.append(Demand(
            hour=hour, service=service, arrivals=arrivals,
            priority_share=number_of("priority_share", DEFAULT_PRIORITY_SHARE, share=True)
            or 0.0,
            service_time=ServiceTime(mean, 1.0 if kind == "exponential" else cv, (), kind),
            no_show_share=number_of("no_show_share", DEFAULT_NO_SHOW, share=True) or 0.0,
            patience_minutes=number_of("patience_minutes", None, positive=True),
            booked_share=number_of("booked_share", 0.0, share=True) or 0.0,
            booked_no_show_share=number_of("booked_no_show_share", None, share=True),
            step_times=step_times,
        ))
    if not rows:
        raise SimInputError("sim.error.empty")
    return Profile(tuple(rows))


@dataclass(frozen=True, slots=True)
class Visitor:
    """One simulated visitor: when they arrive (seconds after the office
    day's midnight), for what, and how their visit will go."""

    index: int
    arrival: float
    service: str
    priority: bool
    minutes: float
    no_show: bool
    patience_minutes: float | None
    slot: float | None = None  # a booked visitor's slot start (seconds after midnight)
    later: tuple[float, ...] = ()  # minutes of the steps after the first


Arrival = tuple[float, str, bool]  # (seconds after midnight, service, priority)


def visitors_arriving(arrivals: list[Arrival], profile: Profile,
                      rng: random.Random) -> list[Visitor]:
    """Visitors at the given moments (a real day's arrivals), with service
    times and no-shows drawn from the profile's hour of arrival."""
    by_service: dict[str, Demand] = {}
    for row in sorted(profile.rows, key=lambda d: d.hour):
        by_service.setdefault(row.service, row)
    visitors: list[Visitor] = []
    for index, (moment, service, priority) in enumerate(sorted(arrivals)):
        found = profile.demand(int(moment // 3600), service) or by_service.get(service)
        row = found if found is not None else Demand(int(moment // 3600), service, 0.0)
        times = row.times()
        minutes = times[0].draw(rng)
        no_show = rng.random() < row.no_show_share
        patience = (rng.expovariate(1.0 / row.patience_minutes)
                    if row.patience_minutes else None)
        slot, no_show, later = _appointment_and_steps(row, moment, no_show, rng)
        visitors.append(Visitor(index, moment, service, priority, minutes, no_show, patience,
                                slot, later))
    return visitors


def _appointment_and_steps(row: Demand, moment: float, no_show: bool, rng: random.Random
                           ) -> tuple[float | None, bool, tuple[float, ...]]:
    """Whether a visitor comes with a booking (its slot: the next quarter hour)
    and the later steps' minutes. Drawn only for profiles that have them, so
    the visitors of a profile without either stay as they were."""
    slot = None
    if row.booked_share > 0 and rng.random() < row.booked_share:
        slot = (math.floor(moment / SLOT_SECONDS) + 1) * SLOT_SECONDS
        no_show = rng.random() < row.booked_no_show()
    later = tuple(t.draw(rng) for t in row.times()[1:])
    return slot, no_show, later


def visitors_of_day(profile: Profile, rng: random.Random) -> list[Visitor]:
    """A Poisson stream per hour and service at the profile's rate; each
    visitor's priority, service time, no-show and patience are drawn in a
    fixed order, so a seed gives the same day everywhere."""
    drawn: list[tuple[float, str, bool, float, bool, float | None, float | None,
                      tuple[float, ...]]] = []
    for row in sorted(profile.rows, key=lambda d: (d.hour, d.service)):
        if row.arrivals <= 0:
            continue
        rate = row.arrivals / 3600.0
        moment = rng.expovariate(rate)
        while moment < 3600.0:
            arrival = round(row.hour * 3600.0 + moment, 3)
            priority = rng.random() < row.priority_share
            minutes = row.times()[0].draw(rng)
            no_show = rng.random() < row.no_show_share
            patience = (rng.expovariate(1.0 / row.patience_minutes)
                        if row.patience_minutes else None)
            slot, no_show, later = _appointment_and_steps(row, arrival, no_show, rng)
            drawn.append((arrival, row.service, priority, minutes, no_show, patience, slot,
                          later))
            moment += rng.expovariate(rate)
    drawn.sort(key=lambda v: (v[0], v[1]))
    return [Visitor(i, *v) for i, v in enumerate(drawn)]
