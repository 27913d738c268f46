"""A counter plan: how many counters are open in each hour, serving what.

CSV, one row per hour and group of services (`A+B` is a counter that serves
both A and B; `D:2` a counter for the second step of a multi-step service D):

    hour,services,counters
    08,A,3
    08,C+D,1
    08,D:2,1

An hour the plan leaves out has no counter open. `antrean plan` writes this
file and `antrean simulate --counters` reads it back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from antrean.sim import SimInputError
from antrean.sim.profile import parse_hour

Group = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CounterPlan:
    rows: tuple[tuple[int, Group, int], ...]  # (hour, services, counters), sorted

    @classmethod
    def of(cls, rows: Iterable[tuple[int, Group, int]]) -> CounterPlan:
        merged: dict[tuple[int, Group], int] = {}
        for hour, group, count in rows:
            if count > 0:
                merged[(hour, group)] = merged.get((hour, group), 0) + count
        return cls(tuple(sorted((h, g, c) for (h, g), c in merged.items())))

    def hours(self) -> list[int]:
        return sorted({hour for hour, _, _ in self.rows})

    def at(self, hour: int) -> list[tuple[Group, int]]:
        return [(group, count) for h, group, count in self.rows if h == hour]

    def count(self, hour: int, service: str) -> int:
        """Counters serving `service` (alone or with others) in `hour`."""
        return sum(c for h, g, c in self.rows if h == hour and service in g)

    def peak(self) -> int:
        """The most counters open at once."""
        return max((sum(c for _, c in self.at(h)) for h in self.hours()), default=0)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("hour", "services", "counters"))
        for hour, group, count in self.rows:
            writer.writerow((f"{hour:02d}", "+".join(group), count))
        return out.getvalue()


def parse_plan(text: str, services: Iterable[str],
               step_counts: Mapping[str, int] | None = None) -> CounterPlan:
    """A counter plan checked against the office's services (and the steps of
    those with more than one, `step_counts`)."""
    known = set(services)
    counts = dict(step_counts or {})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    for needed in ("hour", "services", "counters"):
        if needed not in header:
            raise SimInputError("sim.error.column_missing", column=needed)
    rows: list[tuple[int, Group, int]] = []
    for number, raw in enumerate(reader, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue
        hour = parse_hour(cells["hour"], number)
        group = tuple(code.strip() for code in cells["services"].split("+"))
        for unit in group:
            code, _, step = unit.partition(":")
            if code not in known or (":" in unit and not (
                    step.isdigit() and 1 <= int(step) <= counts.get(code, 1)
                    and counts.get(code, 1) > 1)):
                raise SimInputError("sim.error.service", line=number, value=unit)
        count_text = cells["counters"]
        if not count_text.isdigit():
            raise SimInputError("sim.error.number", line=number, column="counters",
                                value=count_text)
        rows.append((hour, tuple(dict.fromkeys(group)), int(count_text)))
    if not rows:
        raise SimInputError("sim.error.empty")
    return CounterPlan.of(rows)
