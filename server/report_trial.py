"""Trial services (uji coba) in `antrean report` (issue 14).

A service marked `trial = true` in the office file (`--config`) is shown
apart: its rows leave the per-service table for a table of their own, and a
before/after table compares the period's days before the trial with the days
from its start on, per service (trial services first) and in total.

The split day is `--trial-from DAY` when given; otherwise the first day of
the period on which a trial service issued a ticket. When that is the
period's first day there is nothing before it: the table then says so (and
`--trial-from` or a longer period gives the comparison).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from antrean.core.figures import Group, TicketFacts, spread
from antrean.core.model import OfficeSpec

if TYPE_CHECKING:
    from server.report import Column, Report, ReportTable


def trial_codes(spec: OfficeSpec | None) -> list[str]:
    return [s.code for s in spec.services if s.trial] if spec is not None else []


def split_day(tickets: Sequence[TicketFacts], trial: Sequence[str],
              trial_from: date | None) -> date | None:
    """The day the trial began: given, or the first day a trial service issued."""
    if trial_from is not None:
        return trial_from
    days = sorted(t.day for t in tickets if t.service in trial)
    return date.fromisoformat(days[0]) if days else None


def _per_day(count: int, days: int) -> float | None:
    return round(count / days, 2) if days else None


def _p(values: list[float], index: int) -> float | None:
    value = spread(values)[index]
    return round(value, 2) if value is not None else None


def trial_tables(report: Report, tickets: Sequence[TicketFacts], spec: OfficeSpec | None,
                 trial_from: date | None, label: Callable[[str], str],
                 column: Callable[..., Column], table: type[ReportTable],
                 group_columns: Callable[[Column], list[Column]],
                 group_row: Callable[[Any, Group], list[Any]]) -> tuple[str, str] | None:
    """Append the trial tables to `report`; returns the summary line (label,
    value), or None when the office has no trial service and no split day."""
    t = report.t
    trial = trial_codes(spec)
    if not trial and trial_from is None:
        return None
    mark = t("report.trial.mark")
    if trial:
        groups: dict[str, Group] = {code: Group() for code in trial}
        for ticket in tickets:
            if ticket.service in groups:
                groups[ticket.service].add_issued(ticket)
        report.tables.append(table(
            "trial", group_columns(column("service", "text")),
            [group_row(f"{label(code)} ({mark})", groups[code]) for code in trial],
            t("report.note.trial")))
    start = split_day(tickets, trial, trial_from)
    before = [x for x in tickets if start is not None and date.fromisoformat(x.day) < start]
    during = [x for x in tickets if start is not None and date.fromisoformat(x.day) >= start]
    days_before = len({x.day for x in before})
    days_during = len({x.day for x in during})
    seen = {x.service for x in tickets}
    codes = [*trial, *sorted(code for code in seen if code not in trial)]
    rows: list[list[Any]] = []
    for code in [*codes, None]:
        mine_before = [x for x in before if code is None or x.service == code]
        mine_during = [x for x in during if code is None or x.service == code]
        waits_before = [w for x in mine_before if (w := x.wait) is not None]
        waits_during = [w for x in mine_during if (w := x.wait) is not None]
        p90_before, p90_during = _p(waits_before, 1), _p(waits_during, 1)
        name = t("report.total") if code is None else (
            f"{label(code)} ({mark})" if code in trial else label(code))
        rows.append([
            name, _per_day(len(mine_before), days_before), _per_day(len(mine_during), days_during),
            _p(waits_before, 0), _p(waits_during, 0), p90_before, p90_during,
            round(p90_during - p90_before, 2)
            if p90_before is not None and p90_during is not None else None,
        ])
    if start is None:
        note = t("report.note.trial_none")
        rows = []
    elif not before:
        note = t("report.note.trial_nothing_before", day=start.isoformat())
    else:
        note = t("report.note.trial_compare", day=start.isoformat(), before=days_before,
                 during=days_during,
                 how=t("report.trial.given" if trial_from else "report.trial.first_ticket"))
    report.tables.append(table(
        "trial_compare",
        [column("service", "text"), column("per_day_before", "number"),
         column("per_day_during", "number"), column("wait_p50_before", "minutes"),
         column("wait_p50_during", "minutes"), column("wait_p90_before", "minutes"),
         column("wait_p90_during", "minutes"), column("wait_p90_change", "minutes")],
        rows, note))
    shown = ", ".join(f"{label(code)}" for code in trial) or "-"
    return (t("report.summary.trial"),
            f"{shown} ({t('report.trial.from', day=start.isoformat())})" if start else shown)
