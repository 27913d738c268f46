"""`antrean report`: the period's figures read from the database (never from
a running server), as tables a renderer (server/report_render.py) writes to
XLSX, CSV, HTML or PDF.

The database does the reading work: it filters the period and the event
names and pulls the few JSON fields each event needs (`json_extract` on
SQLite, `jsonb` on PostgreSQL), so Python handles a handful of short columns
per event, not the whole JSON. Figures are computed as antrean/core/figures.py
and antrean/core/skm.py define them; the period's last audit hash is printed,
and the chain over the period is checked.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.engine import Connection

from antrean.core import skm
from antrean.core.figures import (
    EtaHonesty,
    Group,
    TicketFacts,
    eta_honesty,
    minutes_between,
    percentile,
    spread,
)
from antrean.core.model import OfficeSpec
from antrean.i18n import CATALOGUE, tr
from server import audit
from server.report_trial import trial_codes, trial_tables

# ticket.started is not read: the ticket row holds the start.
TICKET_EVENTS = ("ticket.issued", "ticket.called", "ticket.completed", "ticket.no_show",
                 "ticket.transferred")
CLOSED_STATUSES = ("selesai", "ditolak")
_STATUS_AFTER = {"ticket.issued": "waiting", "ticket.transferred": "waiting",
                 "ticket.called": "called"}


# ==================================================================== tables
@dataclass(frozen=True, slots=True)
class Column:
    key: str  # catalogue key of the header
    kind: str  # text, int, minutes, hours, share, number, hash


@dataclass(slots=True)
class ReportTable:
    key: str  # file and sheet name: report.sheet.<key> in the catalogue
    columns: list[Column]
    rows: list[list[Any]]
    note: str | None = None  # already in the report's language
    overrides: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> kind

    def kinds(self, row: int) -> list[str]:
        """The kind of each cell of a row: the column's, unless overridden."""
        kinds = [column.kind for column in self.columns]
        if self.overrides:
            for (r, c), kind in self.overrides.items():
                if r == row:
                    kinds[c] = kind
        return kinds


@dataclass(slots=True)
class Report:
    office: str
    first_day: date
    last_day: date
    lang: str
    generated: datetime
    tables: list[ReportTable] = field(default_factory=list)
    charts: dict[str, bytes] = field(default_factory=dict)  # name -> PNG
    warnings: list[str] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown first
    last_hash: str = audit.GENESIS
    summary_ikm: str = "-"
    facts: list[TicketFacts] = field(default_factory=list)  # for the charts

    def table(self, key: str) -> ReportTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def t(self, key: str, **params: object) -> str:
        return tr(key, self.lang, **params)


def _c(key: str, kind: str = "int") -> Column:
    return Column(f"report.col.{key}", kind)


# ==================================================================== reading
@dataclass(slots=True)
class _CallRow:
    seq: int
    day: str
    at: str
    staff: str | None
    ticket: str
    number: str
    service: str
    counter: str | None
    via: str | None
    reason: str | None


@dataclass(slots=True, repr=False)  # a month of tickets: no repr walking them all
class PeriodData:
    """What the database holds for the period, in the shape the tables need."""

    tickets: dict[str, TicketFacts]
    calls: list[_CallRow]  # every out-of-order ticket.called, in seq order
    transfers: list[tuple[str, str | None, str | None, str]]  # (ticket, counter, staff, from)
    quotas: dict[tuple[str, str], int | None]  # (day, service) -> quota set that day
    surveys: list[skm.Response]
    complaints: dict[str, list[tuple[str, dict[str, Any], str | None]]]  # code -> (name,..)
    events: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str


OTHER_EVENTS = ("service.updated", "survey.submitted", "complaint.filed", "complaint.updated")


def _period_query(dialect: str) -> str:
    """One pass over the period's events: for ticket events the few JSON fields
    the figures need, pulled out by the database; the whole data only for the
    rare events read in full (quotas, surveys, complaints)."""
    fields = {"t_id": ("ticket", "id"), "t_counter": ("ticket", "counter"),
              "via": ("via",), "reason": ("reason",), "eta": ("ticket", "eta_minutes"),
              "from_service": ("from_service",), "from_counter": ("from_counter",)}
    wanted = ", ".join(f"'{name}'" for name in (*TICKET_EVENTS, *OTHER_EVENTS))
    whole = ", ".join(f"'{name}'" for name in OTHER_EVENTS)
    if dialect == "sqlite":
        columns = ", ".join(f"json_extract(data, '$.{'.'.join(path)}')"
                            for path in fields.values())
        return (f"SELECT seq, day, at, name, staff, {columns}, "
                f"CASE WHEN name IN ({whole}) THEN data END FROM events "
                f"WHERE day >= :first AND day <= :last AND name IN ({wanted}) ORDER BY seq")
    columns = ", ".join(f"(j #>> '{{{','.join(path)}}}')" for path in fields.values())
    return (f"SELECT seq, day, at, name, staff, {columns}, "
            f"CASE WHEN name IN ({whole}) THEN data END FROM "
            f"(SELECT seq, day, at, name, staff, data, "
            f"CASE WHEN name IN ({whole}) THEN NULL ELSE data::jsonb END AS j FROM events "
            f"WHERE day >= :first AND day <= :last AND name IN ({wanted})) AS e ORDER BY seq")


def read_period(conn: Connection, first: date, last: date,
                spec: OfficeSpec | None) -> PeriodData:
    params = {"first": first.isoformat(), "last": last.isoformat()}
    ticket_rows = conn.execute(text(
        "SELECT id, day, number, service, priority, status, issued_at, started_at, "
        "finished_at, origin_service, closed_reason FROM tickets "
        "WHERE day >= :first AND day <= :last"), params).all()
    parse = datetime.fromisoformat
    tickets: dict[str, TicketFacts] = {}
    for (tid, day, number, service, priority, status, issued_at, started_at, finished_at,
         origin, closed_reason) in ticket_rows:
        tickets[tid] = TicketFacts(
            id=tid, day=day, number=number, service=origin or service, priority=priority,
            status=status, issued_at=parse(issued_at), final_service=service,
            started_at=parse(started_at) if started_at else None,
            finished_at=parse(finished_at) if finished_at else None,
            closed_reason=closed_reason)

    quotas: dict[tuple[str, str], int | None] = {}
    if spec is not None:
        for day_number in range((last - first).days + 1):
            day = (first + timedelta(days=day_number)).isoformat()
            for service_spec in spec.services:
                if service_spec.quota is not None:
                    quotas[(day, service_spec.code)] = service_spec.quota
    calls: list[_CallRow] = []
    transfers: list[tuple[str, str | None, str | None, str]] = []
    last_status: dict[str, str] = {}
    surveys: list[skm.Response] = []
    complaints: dict[str, list[tuple[str, dict[str, Any], str | None]]] = defaultdict(list)
    for (seq, day, at, name, staff, tid, counter, via, reason, eta, from_service,
         from_counter, data) in conn.execute(text(_period_query(conn.dialect.name)), params):
        if data is not None:
            parsed = orjson.loads(data)
            if name == "survey.submitted":
                surveys.append(skm.Response.from_event(parsed, at))
            elif name == "service.updated":
                service = parsed.get("service") or {}
                if "code" in service:
                    quotas[(day, service["code"])] = service.get("quota")
            else:
                complaint = parsed.get("complaint") or {}
                if "code" in complaint:
                    complaints[complaint["code"]].append(
                        (name, complaint, parsed.get("staff") or staff))
            continue
        facts = tickets.get(tid)
        if facts is None:  # a ticket without its row (never written by the store)
            continue
        status = _STATUS_AFTER.get(name)
        if status is not None:
            last_status[tid] = status
        if name == "ticket.called":
            if via == "specific":
                calls.append(_CallRow(seq, day, at, staff, tid, facts.number,
                                      facts.final_service, counter, via, reason))
            if facts.first_call is None:
                facts.first_call = parse(at)
                facts.first_counter = counter
                facts.first_staff = staff
        elif name == "ticket.issued":
            facts.eta_minutes = float(eta) if eta is not None else None
        elif name == "ticket.completed" or name == "ticket.no_show":
            facts.done_counter = counter
            facts.done_staff = staff
        elif name == "ticket.transferred":
            facts.transfers += 1
            transfers.append((tid, from_counter, staff, from_service or ""))
    for tid, facts in tickets.items():
        facts.settle()
        if facts.closed_reason is not None:
            status = last_status.get(tid, "waiting")
            facts.status_at_close = ("serving" if status == "called" and facts.started_at
                                     else status)

    span = conn.execute(text(
        "SELECT count(*), min(seq), max(seq) FROM events WHERE day >= :first AND day <= :last"),
        params).one()
    if span[2] is not None:  # the period's last event, by its key
        last_hash = conn.execute(text("SELECT hash FROM events WHERE seq = :seq"),
                                 {"seq": span[2]}).scalar()
    else:  # no event in the period: the chain as it stood before it
        last_hash = conn.execute(text(
            "SELECT hash FROM events WHERE day <= :last ORDER BY seq DESC LIMIT 1"),
            {"last": params["last"]}).scalar()
    last_hash = last_hash or audit.GENESIS
    return PeriodData(tickets, calls, transfers, quotas, surveys, dict(complaints),
                      int(span[0]), span[1], span[2], str(last_hash))


# ==================================================================== building
def _minutes(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _group_columns(first: Column) -> list[Column]:
    return [first, _c("issued"), _c("served"), _c("no_shows"), _c("transfers"),
            _c("wait_p50", "minutes"), _c("wait_p90", "minutes"), _c("wait_max", "minutes"),
            _c("service_p50", "minutes"), _c("service_p90", "minutes"),
            _c("priority_share", "share"), _c("priority_wait_p50", "minutes"),
            _c("priority_wait_p90", "minutes"), _c("open_at_close")]


def _group_row(label: Any, group: Group) -> list[Any]:
    wait, service, priority = (spread(group.waits), spread(group.service_times),
                               spread(group.priority_waits))
    return [label, group.issued, group.served, group.no_shows, group.transfers,
            _minutes(wait[0]), _minutes(wait[1]), _minutes(wait[2]),
            _minutes(service[0]), _minutes(service[1]),
            group.priority_share, _minutes(priority[0]), _minutes(priority[1]),
            group.open_at_close]


def _grouped(tickets: Iterable[TicketFacts], key: Callable[[TicketFacts], Any]
             ) -> dict[Any, Group]:
    groups: dict[Any, Group] = defaultdict(Group)
    for ticket in tickets:
        groups[key(ticket)].add_issued(ticket)
    return groups


class _Names:
    def __init__(self, spec: OfficeSpec | None, staff: dict[str, str], lang: str) -> None:
        self.services = {s.code: (s.name.en if lang == "en" else s.name.id)
                         for s in (spec.services if spec else ())}
        self.counters = {c.id: (c.name.en if lang == "en" else c.name.id)
                         for c in (spec.counters if spec else ())}
        self.staff = staff

    def service(self, code: str) -> str:
        name = self.services.get(code)
        return f"{code} – {name}" if name else code

    def counter(self, counter: str | None) -> str:
        return self.counters.get(counter or "", counter or "-")

    def person(self, username: str | None) -> str:
        if not username:
            return "-"
        name = self.staff.get(username)
        return f"{name} ({username})" if name else username


def build_report(data: PeriodData, first: date, last: date, office: str,
                 spec: OfficeSpec | None, staff_names: dict[str, str], lang: str,
                 now: datetime, trial_from: date | None = None) -> Report:
    report = Report(office, first, last, lang, now, last_hash=data.last_hash)
    names = _Names(spec, staff_names, lang)
    t = report.t
    tickets = sorted(data.tickets.values(), key=lambda ticket: ticket.issued_at)
    report.facts = tickets
    total = Group()
    for ticket in tickets:
        total.add_issued(ticket)

    per_day = _grouped(tickets, lambda ticket: ticket.day)
    day_rows = [_group_row(day, per_day[day]) for day in sorted(per_day)]
    day_rows.append(_group_row(t("report.total"), total))
    report.tables.append(ReportTable("per_day", _group_columns(_c("day", "text")), day_rows))

    per_hour = _grouped(tickets, lambda ticket: ticket.issued_at.hour)
    report.tables.append(ReportTable(
        "per_hour", _group_columns(_c("hour", "text")),
        [_group_row(f"{hour:02d}:00", per_hour[hour]) for hour in sorted(per_hour)],
        t("report.note.per_hour")))

    per_service = _grouped(tickets, lambda ticket: ticket.service)
    on_trial = set(trial_codes(spec))  # shown apart (server/report_trial.py)
    report.tables.append(ReportTable(
        "per_service", _group_columns(_c("service", "text")),
        [_group_row(names.service(code), per_service[code]) for code in sorted(per_service)
         if code not in on_trial],
        t("report.note.per_service")))
    trial_line = trial_tables(report, tickets, spec, trial_from, names.service, _c,
                              ReportTable, _group_columns, _group_row)

    # Counters and staff: the waits of the tickets they called first, the
    # outcomes (served, no-shows, service times) of those they ended, the
    # transfers they made.
    Pick = Callable[[TicketFacts], "str | None"]
    sides: list[tuple[str, Pick, Pick, Callable[[str | None], str]]] = [
        ("per_counter", lambda x: x.first_counter, lambda x: x.done_counter, names.counter),
        ("per_staff", lambda x: x.first_staff, lambda x: x.done_staff, names.person)]
    for key, first_of, done_of, label in sides:
        groups: dict[Any, Group] = defaultdict(Group)
        for ticket in tickets:
            if ticket.first_call is not None:
                groups[first_of(ticket)].add_wait(ticket)
            if ticket.served or ticket.no_show:
                outcome = groups[done_of(ticket)]
                outcome.served += ticket.served
                outcome.no_shows += ticket.no_show
                if ticket.service_time is not None:
                    outcome.service_times.append(ticket.service_time)
        for _tid, counter, staff, _from in data.transfers:
            groups[counter if key == "per_counter" else staff].transfers += 1
        first_column = _c("counter" if key == "per_counter" else "staff", "text")
        columns = [first_column, _c("called"), _c("served"), _c("no_shows"), _c("transfers"),
                   _c("wait_p50", "minutes"), _c("wait_p90", "minutes"),
                   _c("wait_max", "minutes"), _c("service_p50", "minutes"),
                   _c("service_p90", "minutes")]
        rows = []
        for name in sorted(groups, key=lambda value: (value is None, str(value))):
            group = groups[name]
            wait, service = spread(group.waits), spread(group.service_times)
            rows.append([label(name), group.called, group.served, group.no_shows,
                         group.transfers, _minutes(wait[0]), _minutes(wait[1]),
                         _minutes(wait[2]), _minutes(service[0]), _minutes(service[1])])
        report.tables.append(ReportTable(key, columns, rows, t(f"report.note.{key}")))

    # Quota use: each day and service with a quota.
    issued_by_day_service = Counter((ticket.day, ticket.service) for ticket in tickets)
    quota_rows = [[day, names.service(service), quota,
                   issued_by_day_service[(day, service)],
                   _share(issued_by_day_service[(day, service)], quota or 0)]
                  for (day, service), quota in sorted(data.quotas.items()) if quota is not None]
    report.tables.append(ReportTable(
        "quota", [_c("day", "text"), _c("service", "text"), _c("quota"), _c("issued"),
                  _c("quota_use", "share")], quota_rows,
        None if quota_rows else t("report.note.no_quota")))

    # Tickets still open at the day's close, and why they were closed.
    closures = Counter((ticket.day, ticket.service, ticket.status_at_close or "waiting",
                        ticket.closed_reason) for ticket in tickets if ticket.closed_reason)
    report.tables.append(ReportTable(
        "closed_at_day_end", [_c("day", "text"), _c("service", "text"),
                              _c("status_at_close", "text"), _c("closed_reason", "text"),
                              _c("tickets")],
        [[day, names.service(service), t(f"status.{status}"),
          t(f"report.reason.{reason}") if f"report.reason.{reason}" in CATALOGUE else reason,
          count] for (day, service, status, reason), count in sorted(closures.items())],
        None if closures else t("report.note.none_open")))

    # Every out-of-order call, with who, when and why.
    out_of_order = []
    by_day_service: dict[tuple[str, str], list[TicketFacts]] = defaultdict(list)
    for ticket in tickets:
        by_day_service[(ticket.day, ticket.service)].append(ticket)
    for call in data.calls:
        at = datetime.fromisoformat(call.at)
        facts = data.tickets.get(call.ticket)
        passed = 0
        if facts is not None:
            passed = sum(1 for other in by_day_service[(call.day, facts.service)]
                         if other.issued_at < facts.issued_at and other.id != facts.id
                         and (other.first_call is None or other.first_call > at)
                         and (other.finished_at is None or other.finished_at > at))
        out_of_order.append([call.day, call.at[11:16], call.number, names.service(call.service),
                             names.counter(call.counter), names.person(call.staff),
                             call.reason or "",
                             _minutes(minutes_between(facts.issued_at, at)) if facts else None,
                             passed])
    report.tables.append(ReportTable(
        "out_of_order", [_c("day", "text"), _c("time", "text"), _c("number", "text"),
                         _c("service", "text"), _c("counter", "text"), _c("staff", "text"),
                         _c("reason", "text"), _c("waited", "minutes"), _c("passed_over")],
        out_of_order, t("report.note.out_of_order") if out_of_order else
        t("report.note.no_out_of_order")))

    # ETA honesty, per service and overall.
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for ticket in tickets:
        real = ticket.wait
        if ticket.served and ticket.eta_minutes is not None and real is not None:
            pairs[ticket.service].append((ticket.eta_minutes, real))
    eta_rows = []
    for code in sorted(pairs):
        eta_rows.append(_eta_row(names.service(code), eta_honesty(pairs[code])))
    overall = eta_honesty(pair for values in pairs.values() for pair in values)
    eta_rows.append(_eta_row(t("report.total"), overall))
    report.tables.append(ReportTable(
        "eta", [_c("service", "text"), _c("tickets"), _c("eta_error_median", "minutes"),
                _c("eta_within", "share")], eta_rows, t("report.note.eta")))

    _complaint_tables(report, data, last)
    _skm_tables(report, data, names, total.served)

    report.tables.append(ReportTable(
        "audit", [_c("item", "text"), _c("value", "text")], [
            [t("report.audit.events"), str(data.events)],
            [t("report.audit.seqs"), f"{data.first_seq or '-'} – {data.last_seq or '-'}"],
            [t("report.audit.last_hash"), data.last_hash],
        ], t("report.note.audit")))

    report.summary = [
        (t("report.summary.office"), office),
        (t("report.summary.period"), f"{first.isoformat()} – {last.isoformat()}"),
        (t("report.col.issued"), str(total.issued)),
        (t("report.col.served"), str(total.served)),
        (t("report.col.no_shows"), str(total.no_shows)),
        (t("report.col.wait_p50"), _decimal(_shown_minutes(percentile(total.waits, 50)), lang)),
        (t("report.col.wait_p90"), _decimal(_shown_minutes(percentile(total.waits, 90)), lang)),
        (t("report.summary.eta"), _decimal(_shown_share(overall.within), lang)),
        (t("report.summary.ikm"), _decimal(report.summary_ikm, lang)),
        (t("report.audit.last_hash"), data.last_hash),
        (t("report.summary.generated"), now.strftime("%Y-%m-%d %H:%M")),
    ]
    if trial_line is not None:
        report.summary.insert(2, trial_line)
    return report


def _decimal(text: str, lang: str) -> str:
    """Indonesian writes the decimal comma (a summary line is text, not a number)."""
    return text.replace(".", ",") if lang == "id" else text


def _eta_row(label: str, honesty: EtaHonesty) -> list[Any]:
    return [label, honesty.tickets, _minutes(honesty.median_abs_error), honesty.within]


def _shown_minutes(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _shown_share(value: float | None) -> str:
    return f"{value * 100:.1f} %" if value is not None else "-"


def _hours(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        span = minutes_between(datetime.fromisoformat(start), datetime.fromisoformat(end))
    except ValueError:
        return None
    return round(span / 60, 2) if span is not None else None


def _complaint_tables(report: Report, data: PeriodData, last: date) -> None:
    t = report.t
    rows = []
    by_category_status: Counter[tuple[str, str]] = Counter()
    first_answers: list[float] = []
    closures: list[float] = []
    late = 0
    for code, history in sorted(data.complaints.items(),
                                key=lambda item: str(item[1][0][1].get("filed_at"))):
        current = history[-1][1]
        filed = str(current.get("filed_at") or "")
        first_answer = next((c.get("updated_at") for name, c, _ in history
                             if name == "complaint.updated"
                             and (c.get("reply") or c.get("status") != "diterima")), None)
        closed = next((c.get("updated_at") for name, c, _ in history
                       if name == "complaint.updated" and c.get("status") in CLOSED_STATUSES),
                      None)
        deadline = str(current.get("deadline") or "")
        answer_hours, closure_hours = _hours(filed, first_answer), _hours(filed, closed)
        if answer_hours is not None:
            first_answers.append(answer_hours)
        if closure_hours is not None:
            closures.append(closure_hours)
        period_end = f"{(last + timedelta(days=1)).isoformat()}T00:00"
        is_late = bool(deadline) and ((closed or period_end) > deadline)
        late += is_late
        status = str(current.get("status") or "")
        category = str(current.get("category") or "")
        by_category_status[(category, status)] += 1
        rows.append([code, filed[:16].replace("T", " "), _category(report, category),
                     _complaint_status(report, status), str(current.get("text") or ""),
                     str(current.get("reply") or ""), answer_hours, closure_hours,
                     deadline[:16].replace("T", " "),
                     t("report.yes") if is_late else t("report.no")])
    report.tables.append(ReportTable(
        "complaints_summary", [_c("category", "text"), _c("status", "text"), _c("complaints")],
        [[_category(report, category), _complaint_status(report, status), count]
         for (category, status), count in sorted(by_category_status.items())],
        t("report.note.complaints", count=len(rows), late=late,
          answer=_shown_hours(percentile(first_answers, 50)),
          closure=_shown_hours(percentile(closures, 50)))))
    report.tables.append(ReportTable(
        "complaints", [_c("code", "text"), _c("filed", "text"), _c("category", "text"),
                       _c("status", "text"), _c("complaint", "text"), _c("reply", "text"),
                       _c("first_answer_hours", "hours"), _c("closure_hours", "hours"),
                       _c("deadline", "text"), _c("past_deadline", "text")],
        rows, None if rows else t("report.note.no_complaints")))


def _shown_hours(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _category(report: Report, key: str) -> str:
    label = report.t(f"complaint.category.{key}")
    return key if label == f"complaint.category.{key}" else label


def _complaint_status(report: Report, key: str) -> str:
    label = report.t(f"report.complaint_status.{key}")
    return key if label == f"report.complaint_status.{key}" else label


def _ikm_cells(report: Report, result: skm.Ikm) -> list[Any]:
    grade = result.grade
    return [result.respondents, skm.as_float(result.ikm, 2), skm.as_float(result.converted, 2),
            grade or "-", report.t(f"skm.grade.{grade.lower()}") if grade else "-"]


def _skm_tables(report: Report, data: PeriodData, names: _Names, served: int) -> None:
    t = report.t
    responses = data.surveys
    result = skm.compute(responses)
    # The table offices publish: the nine unsur with NRR and weighted NRR.
    rows: list[list[Any]] = []
    for index, unsur in enumerate(skm.UNSUR, start=1):
        rows.append([f"U{index}", t(f"skm.{unsur}"), result.totals[unsur],
                     result.answered[unsur], skm.as_float(result.nrr[unsur], 2),
                     skm.as_float(result.weighted[unsur], 3)])
    rows.append(["", t("skm.ikm"), None, None, None, skm.as_float(result.ikm, 3)])
    rows.append(["", t("skm.converted"), None, None, None, skm.as_float(result.converted, 2)])
    rows.append(["", t("skm.grade"), None, None, None,
                 f"{result.grade} ({t(f'skm.grade.{result.grade.lower()}')})" if result.grade
                 else "-"])
    minimum = skm.minimum_sample(served)
    note = t("skm.note", respondents=result.respondents, population=served, minimum=minimum,
             first=report.first_day.isoformat(), last=report.last_day.isoformat())
    if result.respondents < minimum:
        warning = t("skm.too_few", respondents=result.respondents, minimum=minimum,
                    population=served)
        report.warnings.append(warning)
        note = f"{note} {warning}"
    report.tables.append(ReportTable(
        "skm", [_c("no", "text"), _c("unsur", "text"), _c("answer_sum"), _c("answered"),
                _c("nrr", "number"), _c("nrr_weighted", "number3")], rows, note,
        {(len(rows) - 2, 5): "number", (len(rows) - 1, 5): "text"}))
    report.summary_ikm = (f"{skm.shown(result.converted)} – {result.grade} "
                          f"({t(f'skm.grade.{result.grade.lower()}')})" if result.grade
                          else "-")

    group_rows: list[list[Any]] = []
    kinds: list[tuple[str, Callable[[skm.Response], str], Callable[[str], str]]] = [
        ("service", lambda r: r.service or "-", names.service),
        ("counter", lambda r: r.counter or "-", names.counter),
        ("month", lambda r: (r.day or r.at or "-")[:7], str)]
    for kind, key_of, label in kinds:
        grouped: dict[str, list[skm.Response]] = defaultdict(list)
        for response in responses:
            grouped[key_of(response)].append(response)
        for key in sorted(grouped):
            group_rows.append([t(f"report.col.{kind}"), label(key),
                               *_ikm_cells(report, skm.compute(grouped[key]))])
    report.tables.append(ReportTable(
        "skm_groups", [_c("group", "text"), _c("name", "text"), _c("respondents"),
                       _c("ikm", "number"), _c("ikm_converted", "number"), _c("grade", "text"),
                       _c("grade_label", "text")], group_rows,
        None if group_rows else t("skm.none")))

    profile = skm.profile_counts(responses)
    profile_rows = []
    band_order = {name: index for index, (_, _, name) in enumerate(skm.AGE_BANDS)}
    for category, counts in profile.items():
        for value, count in sorted(counts.items(), key=lambda item: (
                item[0] == "-", band_order.get(item[0], 0), item[0])):
            key = f"skm.profile.{category}.{value.lower()}"
            shown = t(key)
            if shown == key:
                shown = t("skm.profile.not_given") if value == "-" else value
            profile_rows.append([t(f"skm.profile.{category}"), shown, count,
                                 _share(count, len(responses))])
    report.tables.append(ReportTable(
        "skm_profile", [_c("category", "text"), _c("value", "text"), _c("respondents"),
                        _c("share", "share")], profile_rows))
    comments = [[(r.day or "")[:10], r.number or "", names.service(r.service or "-"),
                 names.counter(r.counter), r.comment or ""]
                for r in responses if r.comment]
    report.tables.append(ReportTable(
        "skm_comments", [_c("day", "text"), _c("number", "text"), _c("service", "text"),
                         _c("counter", "text"), _c("comment", "text")], comments,
        None if comments else t("skm.no_comments")))


# ==================================================================== command
class ReportError(ValueError):
    """Something about the request that the user must fix; the text is theirs."""


def produce(db_url: str, first: date, last: date, out: str, lang: str = "id",
            config_path: str | None = None, office_name: str | None = None,
            now: datetime | None = None, trial_from: date | None = None) -> Report:
    """Read, build and write one office's report."""
    from server.report_render import charts, write
    from server.store import Store

    spec: OfficeSpec | None = None
    staff_names: dict[str, str] = {}
    if config_path:
        from server.config import ConfigError, load_config

        try:
            config = load_config(config_path)
        except ConfigError as exc:
            raise ReportError(tr("report.error.config", lang, path=config_path,
                                 reason=str(exc))) from None
        spec = config.office
        staff_names = {member.username: member.name for member in config.staff}

    async def read() -> PeriodData:
        store = Store(db_url)
        try:
            return await store.run(lambda conn: read_period(conn, first, last, spec))
        finally:
            await store.close()

    data = asyncio.run(read())
    name = office_name or (spec.name if spec else tr("report.office_unknown", lang))
    report = build_report(data, first, last, name, spec, staff_names, lang,
                          now or datetime.now().astimezone(), trial_from)
    report.charts = charts(report)
    write(report, out)
    return report


def office_schemas(db_url: str) -> list[str]:
    """The schemas of a PostgreSQL database that hold an Antrean event log."""
    from server.store import Store

    async def read() -> list[str]:
        store = Store(db_url)
        try:
            rows = await store.run(lambda conn: conn.execute(text(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = "
                "'events' AND table_schema NOT IN ('pg_catalog', 'information_schema') "
                "ORDER BY table_schema")).all())
        finally:
            await store.close()
        return [str(row[0]) for row in rows]

    return asyncio.run(read())


def with_schema(db_url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(db_url).update_query_dict({"schema": schema}).render_as_string(
        hide_password=False)


FORMATS = (".xlsx", ".csv", ".zip", ".html", ".pdf")


def run_report(args: Any) -> int:
    """`antrean report`: 0 written, 2 for a request that cannot be done (said why)."""
    import sys
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    lang = args.lang

    def fail(message: str) -> int:
        print(f"antrean report: {message}", file=sys.stderr)
        return 2

    try:
        first, last = date.fromisoformat(args.first_day), date.fromisoformat(args.last_day)
    except ValueError:
        bad = args.first_day if not audit._is_day(args.first_day) else args.last_day
        return fail(tr("audit.bad_day", lang, value=bad))
    if last < first:
        return fail(tr("report.error.period", lang, first=first, last=last))
    trial_from: date | None = None
    if getattr(args, "trial_from", None):
        try:
            trial_from = date.fromisoformat(args.trial_from)
        except ValueError:
            return fail(tr("audit.bad_day", lang, value=args.trial_from))
        if not first < trial_from <= last:
            return fail(tr("report.error.trial_from", lang, day=trial_from, first=first,
                           last=last))
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        return fail(tr("report.error.format", lang, out=args.out))
    try:
        is_postgres = make_url(args.db).drivername.startswith("postgres")
    except Exception:
        return fail(tr("audit.unreadable", lang, reason=args.db))
    if (args.office or args.all_offices) and not is_postgres:
        return fail(tr("report.error.offices_need_postgres", lang))
    try:
        if args.all_offices:
            schemas = office_schemas(args.db)
            if not schemas:
                return fail(tr("report.error.no_offices", lang))
            for schema in schemas:
                target = out.with_name(f"{out.stem}-{schema}{out.suffix}")
                produce(with_schema(args.db, schema), first, last, str(target), lang,
                        args.config, office_name=None if args.config else schema,
                        trial_from=trial_from)
                print(tr("report.written", lang, path=target))
            return 0
        url = with_schema(args.db, args.office) if args.office else args.db
        produce(url, first, last, str(out), lang, args.config, trial_from=trial_from)
    except ReportError as exc:
        return fail(str(exc))
    except (ValueError, OSError, SQLAlchemyError) as exc:
        return fail(tr("audit.unreadable", lang, reason=str(exc).splitlines()[0]))
    print(tr("report.written", lang, path=out))
    return 0
