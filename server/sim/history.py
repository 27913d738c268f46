"""What an office's own database says about its days: the arrivals per hour
and service, the priority share, the service times, the no-show rate, how
long visitors take to reach the desk, and the counters it had open. The
simulator replays a period from these (and compares its waits with the real
ones)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from antrean.sim import SimInputError
from antrean.sim.figures import DayEvents, traces_of
from antrean.sim.plan import CounterPlan, Group
from antrean.sim.profile import Arrival, Demand, Profile, ServiceTime
from server.sim.driver import Behaviour
from server.store import Store

HALF_HOUR = 30.0  # a counter counts for an hour it was open at least this many minutes of


@dataclass
class History:
    days: list[date]
    events: list[list[tuple[str, str, dict[str, Any]]]]  # per day, in seq order
    profiles: list[Profile]  # per day: that day's arrivals, the period's other rates
    plans: list[CounterPlan]  # per day: the counters that day had open
    behaviour: Behaviour
    arrivals: list[list[Arrival]]  # per day: when who came for what

    def average_profile(self) -> Profile:
        """The period as one profile: mean arrivals per hour and service over
        its days; service times as a log-normal with the observed mean and
        spread (for a profile file an office can edit and grow)."""
        days = max(1, len(self.profiles))
        totals: dict[tuple[int, str], float] = {}
        rows: dict[tuple[int, str], Demand] = {}
        for profile in self.profiles:
            for row in profile.rows:
                key = (row.hour, row.service)
                totals[key] = totals.get(key, 0.0) + row.arrivals
                rows.setdefault(key, row)
        result = []
        for key, row in sorted(rows.items()):
            samples = row.service_time.samples
            mean = statistics.fmean(samples) if samples else row.service_time.mean
            cv = (statistics.pstdev(samples) / mean) if len(samples) > 1 and mean > 0 else 0.0
            result.append(Demand(row.hour, row.service, round(totals[key] / days, 2),
                                 round(row.priority_share, 3),
                                 ServiceTime(round(mean, 2), round(cv, 2)),
                                 round(row.no_show_share, 3), None,
                                 round(row.booked_share, 3),
                                 None if row.booked_no_show_share is None
                                 else round(row.booked_no_show_share, 3),
                                 tuple(ServiceTime(round(t.mean, 2), round(cv, 2))
                                       for t in row.step_times)))
        return Profile(tuple(result))

    def busiest(self) -> int:
        """Index of the day with the most tickets."""
        counts = [sum(1 for name, _, _ in day if name == "ticket.issued") for day in self.events]
        return counts.index(max(counts))


async def read_days(db_url: str, first: date, last: date
                    ) -> tuple[list[date], list[list[tuple[str, str, dict[str, Any]]]]]:
    try:
        store = Store(db_url)
    except ValueError as exc:
        raise SimInputError("sim.error.database", reason=str(exc)) from None
    days: list[date] = []
    logs: list[list[tuple[str, str, dict[str, Any]]]] = []
    try:
        day = first
        while day <= last:
            rows = await store.events_of_day(day)
            if any(row.name == "ticket.issued" for row in rows):
                days.append(day)
                logs.append([(row.name, row.at, orjson.loads(row.data)) for row in rows])
            day += timedelta(days=1)
    except Exception as exc:  # a database that is not Antrean's, or not there
        raise SimInputError("sim.error.database", reason=str(exc).splitlines()[0]) from None
    finally:
        await store.close()
    if not days:
        raise SimInputError("sim.error.history_empty", start=first.isoformat(),
                            to=last.isoformat())
    return days, logs


def learn(days: list[date], logs: list[list[tuple[str, str, dict[str, Any]]]],
          services: Sequence[str], default_minutes: dict[str, float],
          step_counts: dict[str, int] | None = None) -> History:
    """What the period says. A service with steps (`step_counts`) gets its
    service times per step (from each step's start to its move on); booked
    tickets (`booking` set) give each service's booked share and the booked
    no-show rate (booked tickets called and marked no-show)."""
    counts = dict(step_counts or {})
    traces = [traces_of(day) for day in logs]
    everything = [t for day in traces for t in day]
    durations: dict[str, list[float]] = {code: [] for code in services}
    per_step: dict[tuple[str, int], list[float]] = {
        (code, n): [] for code in services for n in range(1, counts.get(code, 1) + 1)}
    walks: list[float] = []
    recalls: list[float] = []
    started: dict[str, datetime] = {}
    for day in logs:
        for name, at, data in day:
            ticket = data.get("ticket")
            if not isinstance(ticket, dict):
                continue
            if name == "ticket.started":
                started[ticket["id"]] = datetime.fromisoformat(at)
                if ticket.get("called_at"):
                    walks.append((datetime.fromisoformat(at) - datetime.fromisoformat(
                        ticket["called_at"])).total_seconds())
            elif name == "ticket.completed" and ticket["id"] in started:
                minutes = (datetime.fromisoformat(at) - started[ticket["id"]]).total_seconds() / 60
                if ticket["service"] in durations:
                    durations[ticket["service"]].append(round(minutes, 3))
                step_key = (ticket["service"], int(ticket.get("step") or 1))
                if step_key in per_step:
                    per_step[step_key].append(round(minutes, 3))
            elif name == "ticket.advanced" and ticket["id"] in started:
                minutes = (datetime.fromisoformat(at)
                           - started.pop(ticket["id"])).total_seconds() / 60
                step_key = (ticket["service"], int(data.get("from_step") or 1))
                if step_key in per_step:
                    per_step[step_key].append(round(minutes, 3))
    for trace in everything:
        if trace.outcome == "no_show" and trace.called and trace.finished:
            recalls.append((trace.finished - trace.called).total_seconds() / 2)
    priority_share: dict[str, float] = {}
    no_show_share: dict[str, float] = {}
    booked_share: dict[str, float] = {}
    booked_no_show: dict[str, float | None] = {}
    for code in services:
        mine = [t for t in everything if t.service == code]
        called = [t for t in mine if t.called is not None and not t.booking]
        priority_share[code] = sum(t.priority for t in mine) / len(mine) if mine else 0.0
        no_show_share[code] = (sum(t.outcome == "no_show" for t in called) / len(called)
                               if called else 0.0)
        booked = [t for t in mine if t.booking]
        booked_called = [t for t in booked if t.called is not None]
        booked_share[code] = len(booked) / len(mine) if mine else 0.0
        booked_no_show[code] = (sum(t.outcome == "no_show" for t in booked_called)
                                / len(booked_called) if booked_called else None)
    times = {code: ServiceTime(statistics.fmean(values) if values else default_minutes[code],
                               0.0, tuple(values))
             for code, values in durations.items()}
    for code, values in durations.items():
        if not values:
            times[code] = ServiceTime(default_minutes[code])
    step_times: dict[str, tuple[ServiceTime, ...]] = {}
    for code in services:
        steps = counts.get(code, 1)
        if steps < 2:
            continue
        # A history without times for every step (from before the service had
        # steps): the whole visit's mean time, shared evenly.
        learned = [per_step[(code, n)] for n in range(1, steps + 1)]
        if all(learned):
            step_times[code] = tuple(ServiceTime(statistics.fmean(values), 0.0, tuple(values))
                                     for values in learned)
        else:
            step_times[code] = (ServiceTime(times[code].mean / steps, 0.0),) * steps
    profiles: list[Profile] = []
    for day_traces in traces:
        arrived: dict[tuple[int, str], int] = {}
        for trace in day_traces:
            if trace.service in times:
                key = (trace.issued.hour, trace.service)
                arrived[key] = arrived.get(key, 0) + 1
        profiles.append(Profile(tuple(
            Demand(hour, code, float(n), priority_share[code], times[code], no_show_share[code],
                   None, booked_share[code], booked_no_show[code], step_times.get(code, ()))
            for (hour, code), n in sorted(arrived.items()))))
    usual = Behaviour()
    walk = max(1.0, statistics.median(walks) if walks else usual.walk_seconds)
    recall = max(1.0, statistics.median(recalls) if recalls else usual.recall_seconds)
    behaviour = Behaviour(react_seconds=min(usual.react_seconds, walk), walk_seconds=walk,
                          recall_seconds=recall)
    arrivals = [[(t.issued.hour * 3600 + t.issued.minute * 60 + t.issued.second
                  + t.issued.microsecond / 1e6, t.service, t.priority)
                 for t in day_traces if t.service in times] for day_traces in traces]
    return History(days, logs, profiles, [staffing(day) for day in logs], behaviour, arrivals)


def staffing(events: DayEvents) -> CounterPlan:
    """The counters a day had open, per hour and group of services."""
    intervals: list[tuple[datetime, datetime, Group]] = []
    opened: dict[str, tuple[datetime, Group]] = {}
    last: datetime | None = None
    for name, at, data in events:
        moment = datetime.fromisoformat(at)
        last = moment
        counter = data.get("counter")
        if not isinstance(counter, dict):
            continue
        cid = str(counter["id"])
        if name == "counter.opened":
            if cid in opened:
                since, group = opened.pop(cid)
                intervals.append((since, moment, group))
            opened[cid] = (moment, tuple(counter.get("services") or ()))
        elif name in ("counter.closed", "counter.paused") and cid in opened:
            since, group = opened.pop(cid)
            intervals.append((since, moment, group))
    for since, group in opened.values():
        if last is not None:
            intervals.append((since, last, group))
    rows: dict[tuple[int, Group], float] = {}
    for since, until, group in intervals:
        hour_start = since.replace(minute=0, second=0, microsecond=0)
        while hour_start < until:
            hour_end = hour_start + timedelta(hours=1)
            overlap = (min(until, hour_end) - max(since, hour_start)).total_seconds() / 60
            key = (hour_start.hour, group)
            rows[key] = rows.get(key, 0.0) + overlap
            hour_start = hour_end
    return CounterPlan.of((hour, group, int((minutes + HALF_HOUR) // 60))
                          for (hour, group), minutes in rows.items())
