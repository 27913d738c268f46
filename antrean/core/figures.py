"""The figures an office is judged by, from plain facts about tickets: the
report (`antrean report`) and the supervisor's live tab compute them the
same way.

Percentiles are nearest-rank: p50 is the smallest value that at least half
of the values do not exceed, so every figure is a wait someone really had.
A wait runs from issue to the ticket's first call (a transferred ticket keeps
its first wait); service time runs from the start (or, if the counter went
straight to done, the call) to done. The ETA is honest for a ticket when the
estimate given at issue is within 25 % of the real wait.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from antrean.core.skm import Ikm, Response, compute

ETA_TOLERANCE = 0.25


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (0 < p <= 100) of unsorted values; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """(p50, p90, max) from one sort."""
    if not values:
        return None, None, None
    ordered = sorted(values)
    count = len(ordered)
    return (ordered[max(1, math.ceil(0.5 * count)) - 1],
            ordered[max(1, math.ceil(0.9 * count)) - 1], ordered[-1])


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


@dataclass(slots=True)
class TicketFacts:
    """One ticket's day, as the event log tells it."""

    id: str
    day: str
    number: str
    service: str  # the service it was issued for
    priority: str
    status: str  # the last status (a ticket closed at day end: as closed)
    issued_at: datetime
    final_service: str = ""
    first_call: datetime | None = None
    first_counter: str | None = None
    first_staff: str | None = None
    eta_minutes: float | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    done_counter: str | None = None
    done_staff: str | None = None
    transfers: int = 0
    closed_reason: str | None = None
    status_at_close: str | None = None
    # Set by settle(), once the facts are complete (read many times after).
    served: bool = False
    no_show: bool = False
    wait: float | None = None
    service_time: float | None = None

    def settle(self) -> TicketFacts:
        """Work out the outcome, the wait and the service time from the facts."""
        self.served = self.status == "done" and self.closed_reason is None
        self.no_show = self.status == "no_show" and self.closed_reason is None
        self.wait = minutes_between(self.issued_at, self.first_call)
        self.service_time = (minutes_between(self.started_at or self.first_call,
                                             self.finished_at) if self.served else None)
        return self


@dataclass(slots=True)
class Group:
    """What a table row sums up: the tickets of a day, an hour, a service..."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    priority: int = 0
    open_at_close: int = 0
    waits: list[float] = field(default_factory=list)
    priority_waits: list[float] = field(default_factory=list)
    service_times: list[float] = field(default_factory=list)

    def add_issued(self, ticket: TicketFacts) -> None:
        self.issued += 1
        if ticket.priority == "priority":
            self.priority += 1
        if ticket.closed_reason is not None:
            self.open_at_close += 1
        self.add_outcome(ticket)
        self.add_wait(ticket)

    def add_wait(self, ticket: TicketFacts) -> None:
        wait = ticket.wait
        if wait is not None:
            self.called += 1
            self.waits.append(wait)
            if ticket.priority == "priority":
                self.priority_waits.append(wait)

    def add_outcome(self, ticket: TicketFacts) -> None:
        self.served += ticket.served
        self.no_shows += ticket.no_show
        self.transfers += ticket.transfers
        service_time = ticket.service_time
        if service_time is not None:
            self.service_times.append(service_time)

    @property
    def priority_share(self) -> float | None:
        return self.priority / self.issued if self.issued else None


@dataclass(frozen=True, slots=True)
class EtaHonesty:
    tickets: int
    median_abs_error: float | None  # minutes
    within: float | None  # share of tickets whose estimate was within 25 %


def eta_honesty(pairs: Iterable[tuple[float, float]]) -> EtaHonesty:
    """From (estimate at issue, real wait) in minutes, for served tickets."""
    errors: list[float] = []
    good = 0
    for estimate, real in pairs:
        error = abs(estimate - real)
        errors.append(error)
        good += error <= ETA_TOLERANCE * real
    if not errors:
        return EtaHonesty(0, None, None)
    median = sorted(errors)
    middle = len(median) // 2
    value = median[middle] if len(median) % 2 else (median[middle - 1] + median[middle]) / 2
    return EtaHonesty(len(errors), value, good / len(errors))


@dataclass(frozen=True, slots=True)
class ServiceLive:
    code: str
    served: int
    no_shows: int
    wait_p50: float | None
    wait_p90: float | None


class LiveFigures:
    """Today's figures as a console sees them: fed the open tickets it starts
    with and then every event it receives (name, time, data as on the wire),
    so the supervisor's tab shows served, no-shows, wait p50/p90 per service,
    the ETA honesty and the IKM of today's responses while the day runs.

    A console knows the tickets it was told about: those open when it
    connected and every one after; `since` says from when."""

    def __init__(self, since: datetime | None = None) -> None:
        self.since = since
        self.day: str | None = None
        self.tickets: dict[str, TicketFacts] = {}
        self.responses: list[Response] = []

    def seed(self, tickets: Iterable[dict[str, Any]], since: datetime, day: str) -> None:
        """A snapshot's tickets (wire form). A new office day starts over; the
        same day (a reconnect) keeps what was seen and adds what is new."""
        if day != self.day:
            self.day, self.since = day, since
            self.tickets, self.responses = {}, []
        for wire in tickets:
            if wire.get("id") in self.tickets:
                continue
            facts = self._facts(wire)
            if facts is not None and wire.get("called_at"):
                facts.first_call = _parse(wire.get("called_at"))

    def apply(self, name: str, at: str, data: dict[str, Any]) -> None:
        if name == "day.rolled":
            self.tickets, self.responses = {}, []
            self.since = _parse(at)
            self.day = str(data.get("day") or "") or None
            return
        if name == "survey.submitted":
            self.responses.append(Response.from_event(data, at))
            return
        wire = data.get("ticket")
        if not isinstance(wire, dict):
            return
        facts = self._facts(wire)
        if facts is None:
            return
        if name == "ticket.issued" and isinstance(wire.get("eta_minutes"), (int, float)):
            facts.eta_minutes = float(wire["eta_minutes"])
        elif name == "ticket.called" and facts.first_call is None:
            facts.first_call = _parse(at)
        elif name == "ticket.transferred":
            facts.transfers += 1
        elif name in ("ticket.completed", "ticket.no_show"):
            facts.status = "done" if name == "ticket.completed" else "no_show"
            facts.started_at = _parse(wire.get("started_at"))
            facts.finished_at = _parse(wire.get("finished_at")) or _parse(at)

    def _facts(self, wire: dict[str, Any]) -> TicketFacts | None:
        tid = wire.get("id")
        issued = _parse(wire.get("issued_at"))
        if not isinstance(tid, str) or issued is None:
            return None
        facts = self.tickets.get(tid)
        if facts is None:
            service = str(wire.get("origin_service") or wire.get("service") or "")
            facts = self.tickets[tid] = TicketFacts(
                id=tid, day="", number=str(wire.get("number") or ""), service=service,
                priority=str(wire.get("priority") or "regular"),
                status=str(wire.get("status") or "waiting"), issued_at=issued)
        return facts

    def per_service(self) -> list[ServiceLive]:
        groups: dict[str, Group] = {}
        for facts in self.tickets.values():
            facts.settle()
            groups.setdefault(facts.service, Group()).add_issued(facts)
        rows = []
        for code in sorted(groups):
            p50, p90, _ = spread(groups[code].waits)
            rows.append(ServiceLive(code, groups[code].served, groups[code].no_shows, p50, p90))
        return rows

    def ikm(self) -> Ikm:
        return compute(self.responses)

    def eta(self) -> EtaHonesty:
        pairs = []
        for facts in self.tickets.values():
            facts.settle()
            if facts.served and facts.eta_minutes is not None and facts.wait is not None:
                pairs.append((facts.eta_minutes, facts.wait))
        return eta_honesty(pairs)


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
