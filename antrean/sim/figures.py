"""The figures of office days, read from their event log: waits per hour and
service (p50/p90), the priority lane, utilisation per counter, the queue
over the day, and how honest the ETA given at the kiosk was.

The same code reads a simulated day and a real one (the office's own
database), so the two can be compared figure for figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ALL = "*"  # every service together
QUEUE_STEP_MINUTES = 15
ETA_TOLERANCE = 0.25  # an ETA within ±25 % of the real wait ...
ETA_FLOOR_MINUTES = 1.0  # ... or within a minute (it is given in whole minutes)

DayEvents = Sequence[tuple[str, str, dict[str, Any]]]  # (name, at, data), in seq order


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values` (0 when empty)."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(q * len(values)))
    return values[min(rank, len(values)) - 1]


@dataclass(frozen=True, slots=True)
class WaitStats:
    count: int
    mean: float
    p50: float
    p90: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float]) -> WaitStats:
        ordered = sorted(values)
        if not ordered:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        return cls(len(ordered), sum(ordered) / len(ordered), percentile(ordered, 0.5),
                   percentile(ordered, 0.9), ordered[-1])


@dataclass(frozen=True, slots=True)
class EtaStats:
    count: int
    median_abs_error: float  # minutes
    share_within: float  # 0..1

    @classmethod
    def of(cls, pairs: Sequence[tuple[float, float]]) -> EtaStats:
        """`pairs` of (ETA at issue, real wait), in minutes."""
        if not pairs:
            return cls(0, 0.0, 0.0)
        errors = sorted(abs(eta - wait) for eta, wait in pairs)
        within = sum(1 for eta, wait in pairs if eta_within(eta, wait))
        return cls(len(pairs), percentile(errors, 0.5), within / len(pairs))


def eta_within(eta: float, wait: float) -> bool:
    return abs(eta - wait) <= max(ETA_TOLERANCE * wait, ETA_FLOOR_MINUTES)


@dataclass(frozen=True, slots=True)
class CounterUse:
    open_minutes: float
    busy_minutes: float
    served: int

    @property
    def utilisation(self) -> float:
        return self.busy_minutes / self.open_minutes if self.open_minutes > 0 else 0.0


@dataclass(frozen=True, slots=True)
class TicketTrace:
    """One ticket's day, from the log."""

    id: str
    service: str
    priority: bool
    issued: datetime
    eta: float | None
    called: datetime | None = None
    counter: str | None = None
    finished: datetime | None = None
    outcome: str = "waiting"  # done | no_show | waiting (never called)
    booking: str | None = None  # the booking code it checked in with
    steps: int = 1  # the steps of its service
    step_waits: tuple[float, ...] = ()  # minutes waited at steps 2, 3, ...

    @property
    def wait(self) -> float | None:
        if self.called is None:
            return None
        return (self.called - self.issued).total_seconds() / 60


@dataclass
class Figures:
    days: int
    services: list[str]
    hours: list[int]
    waits: dict[tuple[int, str], WaitStats]  # (issue hour, service or ALL)
    by_service: dict[str, WaitStats]
    by_lane: dict[str, WaitStats]  # "priority" / "regular"
    outcomes: dict[str, dict[str, int]]  # service -> issued/done/no_show/not_called
    counters: dict[str, CounterUse]
    queue: list[tuple[int, dict[str, float]]]  # (minute of the day, mean waiting per service)
    eta: dict[str, EtaStats]  # service or ALL
    trial: tuple[str, ...] = ()
    traces: list[TicketTrace] = field(default_factory=list, repr=False)
    # Multi-step services: waits per step ("D:2"), overall and per hour of issue.
    by_step: dict[str, WaitStats] = field(default_factory=dict)
    step_waits: dict[tuple[int, str], WaitStats] = field(default_factory=dict)

    def units(self) -> list[str]:
        """The queues planned and reported: each service, or each step of a
        service with steps."""
        stepped = {key.split(":")[0] for key in self.by_step}
        return [u for code in self.services for u in (
            sorted((k for k in self.by_step if k.split(":")[0] == code),
                   key=lambda k: int(k.split(":")[1])) if code in stepped else [code])]

    def wait_at(self, hour: int, unit: str) -> WaitStats | None:
        return self.step_waits.get((hour, unit)) if ":" in unit else self.waits.get((hour, unit))


def traces_of(events: DayEvents) -> list[TicketTrace]:
    """Every ticket of a day's log with its first call and its end."""
    traces: dict[str, TicketTrace] = {}
    waiting_since: dict[str, datetime] = {}  # a ticket waiting at a later step, since
    for name, at, data in events:
        ticket = data.get("ticket")
        if not isinstance(ticket, dict):
            continue
        key = ticket["id"]
        if name == "ticket.issued":
            eta = ticket.get("eta_minutes")
            traces[key] = TicketTrace(key, ticket["service"], ticket["priority"] == "priority",
                                      datetime.fromisoformat(ticket["issued_at"]),
                                      float(eta) if isinstance(eta, int | float) else None,
                                      booking=ticket.get("booking"),
                                      steps=int(ticket.get("steps") or 1))
            continue
        trace = traces.get(key)
        if trace is None:
            continue
        moment = datetime.fromisoformat(at)
        if name in ("ticket.advanced", "ticket.sent_back"):
            waiting_since[key] = moment
        elif name == "ticket.called" and key in waiting_since:
            waited = (moment - waiting_since.pop(key)).total_seconds() / 60
            traces[key] = _replace(trace, step_waits=(*trace.step_waits, waited),
                                   counter=ticket.get("counter"))
        elif name == "ticket.called" and trace.called is None:
            traces[key] = _replace(trace, called=moment, counter=ticket.get("counter"))
        elif name in ("ticket.completed", "ticket.no_show"):
            outcome = "done" if name == "ticket.completed" else "no_show"
            traces[key] = _replace(trace, finished=moment, outcome=outcome,
                                   counter=ticket.get("counter") or trace.counter)
    return list(traces.values())


def _replace(trace: TicketTrace, **changes: Any) -> TicketTrace:
    values = {name: getattr(trace, name) for name in TicketTrace.__slots__}
    values.update(changes)
    return TicketTrace(**values)


def counter_use(events: DayEvents, traces: Sequence[TicketTrace]) -> dict[str, CounterUse]:
    """Open time from the counters' events; busy from each call of a ticket to
    the end of that counter's part (the visitor's walk to the desk included):
    its end, its move to the next step, or its transfer. A counter's served
    visitors are those it finished (a step's counter: the steps it finished)."""
    opened: dict[str, datetime] = {}
    open_minutes: dict[str, float] = {}
    last: datetime | None = None
    for name, at, data in events:
        moment = datetime.fromisoformat(at)
        last = moment
        counter = data.get("counter")
        if not isinstance(counter, dict):
            continue
        cid = str(counter["id"])
        if name == "counter.opened":
            opened.setdefault(cid, moment)
            open_minutes.setdefault(cid, 0.0)
        elif name in ("counter.closed", "counter.paused") and cid in opened:
            open_minutes[cid] += (moment - opened.pop(cid)).total_seconds() / 60
    for cid, since in opened.items():
        if last is not None:
            open_minutes[cid] += (last - since).total_seconds() / 60
    busy: dict[str, float] = {}
    served: dict[str, int] = {}
    known = {t.id for t in traces}
    at_desk: dict[str, tuple[str, datetime]] = {}  # ticket -> (counter, called at)
    for name, at, data in events:
        ticket = data.get("ticket")
        if not isinstance(ticket, dict) or ticket.get("id") not in known:
            continue
        key = ticket["id"]
        if name == "ticket.called" and ticket.get("counter") is not None:
            at_desk.setdefault(key, (str(ticket["counter"]), datetime.fromisoformat(at)))
        elif name in ("ticket.completed", "ticket.no_show", "ticket.advanced",
                      "ticket.sent_back", "ticket.transferred") and key in at_desk:
            cid, since = at_desk.pop(key)
            busy[cid] = busy.get(cid, 0.0) + (
                datetime.fromisoformat(at) - since).total_seconds() / 60
            if name in ("ticket.completed", "ticket.advanced"):
                served[cid] = served.get(cid, 0) + 1
    ids = set(open_minutes) | set(busy)
    return {cid: CounterUse(open_minutes.get(cid, 0.0), busy.get(cid, 0.0), served.get(cid, 0))
            for cid in ids}


def queue_over_day(traces: Sequence[TicketTrace], services: Sequence[str],
                   step: int = QUEUE_STEP_MINUTES) -> list[tuple[int, dict[str, float]]]:
    """Waiting tickets per service every `step` minutes (summed over the days
    the traces cover; the caller divides)."""
    if not traces:
        return []
    first = min(_minute(t.issued) for t in traces) // step * step
    ends = [_minute(t.called) if t.called else _minute(t.issued) for t in traces]
    last = max(ends)
    points: list[tuple[int, dict[str, float]]] = []
    for minute in range(first, last + step, step):
        counts = dict.fromkeys(services, 0.0)
        for trace in traces:
            if _minute(trace.issued) <= minute and (
                    trace.called is None or _minute(trace.called) > minute):
                counts[trace.service] = counts.get(trace.service, 0.0) + 1
        points.append((minute, counts))
    return points


def _minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def figures_of(days: Sequence[DayEvents], services: Sequence[str],
               trial: Sequence[str] = ()) -> Figures:
    """The figures of one or more office days (pooled; queue lengths averaged)."""
    traces: list[TicketTrace] = []
    counters: dict[str, CounterUse] = {}
    queue_sum: dict[int, dict[str, float]] = {}
    for events in days:
        day_traces = traces_of(events)
        traces.extend(day_traces)
        for cid, use in counter_use(events, day_traces).items():
            known = counters.get(cid, CounterUse(0.0, 0.0, 0))
            counters[cid] = CounterUse(known.open_minutes + use.open_minutes,
                                       known.busy_minutes + use.busy_minutes,
                                       known.served + use.served)
        for minute, counts in queue_over_day(day_traces, services):
            slot = queue_sum.setdefault(minute, dict.fromkeys(services, 0.0))
            for code, value in counts.items():
                slot[code] = slot.get(code, 0.0) + value
    count = max(1, len(days))
    codes = list(services)
    hours = sorted({t.issued.hour for t in traces})
    waits: dict[tuple[int, str], WaitStats] = {}
    for hour in hours:
        in_hour = [t for t in traces if t.issued.hour == hour and t.wait is not None]
        for code in codes:
            waits[(hour, code)] = WaitStats.of(t.wait for t in in_hour
                                               if t.service == code and t.wait is not None)
        waits[(hour, ALL)] = WaitStats.of(t.wait for t in in_hour if t.wait is not None)
    by_service = {code: WaitStats.of(t.wait for t in traces
                                     if t.service == code and t.wait is not None)
                  for code in [*codes, ALL] if code != ALL}
    by_service[ALL] = WaitStats.of(t.wait for t in traces if t.wait is not None)
    by_lane = {lane: WaitStats.of(t.wait for t in traces if t.wait is not None
                                  and t.priority == (lane == "priority"))
               for lane in ("priority", "regular")}
    outcomes: dict[str, dict[str, int]] = {}
    for code in [*codes, ALL]:
        mine = [t for t in traces if code == ALL or t.service == code]
        outcomes[code] = {
            "issued": len(mine),
            "done": sum(1 for t in mine if t.outcome == "done"),
            "no_show": sum(1 for t in mine if t.outcome == "no_show"),
            "not_called": sum(1 for t in mine if t.called is None),
            "booked": sum(1 for t in mine if t.booking),
            "booked_no_show": sum(1 for t in mine if t.booking and t.outcome == "no_show"),
        }
    eta: dict[str, EtaStats] = {}
    for code in [*codes, ALL]:
        pairs = [(t.eta, t.wait) for t in traces if (code == ALL or t.service == code)
                 and t.eta is not None and t.wait is not None]
        eta[code] = EtaStats.of(pairs)
    queue = [(minute, {code: value / count for code, value in slot.items()})
             for minute, slot in sorted(queue_sum.items())]
    by_step: dict[str, WaitStats] = {}
    step_waits: dict[tuple[int, str], WaitStats] = {}
    for code in codes:
        mine = [t for t in traces if t.service == code and t.steps > 1]
        if not mine:
            continue
        for step in range(1, max(t.steps for t in mine) + 1):
            unit = f"{code}:{step}"

            def waited(trace: TicketTrace, step: int = step) -> float | None:
                if step == 1:
                    return trace.wait
                return trace.step_waits[step - 2] if len(trace.step_waits) >= step - 1 \
                    else None

            pairs = [(t.issued.hour, w) for t in mine if (w := waited(t)) is not None]
            by_step[unit] = WaitStats.of(w for _, w in pairs)
            for hour in hours:
                step_waits[(hour, unit)] = WaitStats.of(w for h, w in pairs if h == hour)
    return Figures(len(days), codes, hours, waits, by_service, by_lane, outcomes,
                   dict(sorted(counters.items(), key=lambda kv: _counter_order(kv[0]))),
                   queue, eta, tuple(trial), traces, by_step=by_step, step_waits=step_waits)


def _counter_order(counter_id: str) -> tuple[int, str]:
    return (int(counter_id), "") if counter_id.isdigit() else (1 << 30, counter_id)
