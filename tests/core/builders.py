"""Small builders shared by the core tests: an office spec, a clock in office
time, and the two checks every test leans on (nothing changed; the state is
consistent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from antrean.core.model import (
    CounterSpec,
    CounterState,
    OfficeSpec,
    OpeningHours,
    PolicySpec,
    Priority,
    ServiceSpec,
    Status,
    Text,
    Ticket,
)
from antrean.core.numbering import split_number
from antrean.core.office import Event, Office
from antrean.core.policy import queue_key

TZ = ZoneInfo("Asia/Jakarta")
DAY = date(2026, 3, 2)  # a Monday
OPENING = datetime.combine(DAY, time(7, 30), TZ)

DEVICE = {"1": "console-1", "2": "console-2", "3": "console-3", "4": "console-4"}
INTRUDER = "console-x"


def service(
    code: str,
    *,
    quota: int | None = None,
    weight: float = 1.0,
    minutes: float = 10.0,
    hours: OpeningHours | None = None,
) -> ServiceSpec:
    return ServiceSpec(
        code=code,
        prefix=code,
        name=Text(f"Layanan {code}", f"Service {code}"),
        requirements=(Text("KTP", "ID card"),),
        quota=quota,
        weight=weight,
        default_minutes=minutes,
        hours=hours,
    )


def office_spec(
    *,
    services: tuple[ServiceSpec, ...] | None = None,
    counters: tuple[CounterSpec, ...] | None = None,
    policy: PolicySpec | None = None,
) -> OfficeSpec:
    """Three services and four counters on overlapping services by default;
    C has a quota of 5 and D keeps office hours 08:00-12:00 on weekdays."""
    if services is None:
        services = (
            service("A", minutes=12),
            service("B", weight=1.5, minutes=8),
            service("C", quota=5, minutes=3),
            service("D", hours=OpeningHours(time(8), time(12), frozenset(range(1, 6)))),
        )
    if counters is None:
        counters = (
            CounterSpec("1", Text("Loket 1", "Counter 1"), ("A", "B")),
            CounterSpec("2", Text("Loket 2", "Counter 2"), ("B", "C")),
            CounterSpec("3", Text("Loket 3", "Counter 3"), ("A", "B", "C", "D")),
            CounterSpec("4", Text("Loket 4", "Counter 4"), ("C",)),
        )
    return OfficeSpec(
        name="Kantor Imigrasi Uji",
        timezone="Asia/Jakarta",
        services=services,
        counters=counters,
        policy=policy or PolicySpec(priority_cap=3, regular_max_wait_minutes=15),
    )


def new_office(**kwargs: Any) -> Office:
    return Office(office_spec(**kwargs), DAY)


@dataclass
class Clock:
    """Office time that tests move by hand."""

    now: datetime = OPENING

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta) if delta else timedelta(seconds=1)
        return self.now


def state_of(office: Office) -> dict[str, Any]:
    """Everything an office holds, as comparable values (objects are frozen,
    so shallow copies are enough; queues are copied lane by lane)."""
    return {
        "seq": office.seq,
        "day": office.day,
        "streak": office.streak,
        "tickets": dict(office.tickets),
        "by_number": dict(office.by_number),
        "counters": dict(office.counters),
        "services": dict(office.services),
        "queues": {
            code: (list(q.priority), list(q.regular)) for code, q in office.queues.items()
        },
        "weights": dict(office.weights),
        "announcements": list(office.announcements),
        "devices": dict(office.devices),
    }


def check_consistent(office: Office) -> None:
    """The invariants of a day's state: a counter holds at most one ticket, the
    held ticket is called or serving at that counter, every called or serving
    ticket is held by its counter, and the waiting tickets are exactly those in
    the queues (in their own service's lane, ordered by first arrival)."""
    held: dict[str, str] = {}
    for counter in office.counters.values():
        if counter.ticket is None:
            continue
        assert counter.state is CounterState.OPEN, f"{counter.id} is {counter.state} with a ticket"
        assert counter.ticket not in held, f"{counter.ticket} held by two counters"
        held[counter.ticket] = counter.id
        ticket = office.tickets[counter.ticket]
        assert ticket.status in (Status.CALLED, Status.SERVING), ticket
        assert ticket.counter == counter.id, ticket
    for ticket in office.tickets.values():
        if ticket.status in (Status.CALLED, Status.SERVING):
            assert held.get(ticket.id) == ticket.counter, f"{ticket.number} is not held"
            assert ticket.calls >= 1 and ticket.called_at is not None
        if ticket.status is Status.SERVING:
            assert ticket.started_at is not None
        if ticket.status in (Status.DONE, Status.NO_SHOW):
            assert ticket.finished_at is not None
        assert office.by_number[ticket.number] == ticket.id
    waiting = {t.id for t in office.tickets.values() if t.status is Status.WAITING}
    queued: list[str] = []
    for code, queue in office.queues.items():
        lanes = ((queue.priority, Priority.PRIORITY), (queue.regular, Priority.REGULAR))
        for lane, priority in lanes:
            assert lane == sorted(lane)
            for key in lane:
                ticket = office.tickets[key[1]]
                assert (ticket.service, ticket.priority, queue_key(ticket)) == (
                    code, priority, key
                )
            queued += [ticket_id for _, ticket_id in lane]
    assert len(queued) == len(set(queued)), "a ticket queued twice"
    assert set(queued) == waiting
    assert len(office.by_number) == len(office.tickets)
    for code, svc in office.services.items():
        numbers = [split_number(t.number) for t in office.tickets.values()]
        mine = sorted(n for prefix, n in numbers if prefix == svc.spec.prefix)
        assert mine == list(range(1, svc.issued + 1)), code


def event_names(events: list[Event]) -> list[str]:
    return [e.name for e in events]


def only_ticket(events: list[Event]) -> Ticket:
    assert len(events) == 1 and events[0].ticket is not None, events
    return events[0].ticket


def issue(office: Office, code: str, now: datetime, priority: Priority = Priority.REGULAR,
          lang: str = "id") -> Ticket:
    return only_ticket(office.issue(code, priority, lang, now))


def open_counter(office: Office, counter_id: str, now: datetime,
                 services: tuple[str, ...] | None = None) -> None:
    codes = services if services is not None else office.counters[counter_id].spec.services
    office.open_counter(counter_id, codes, DEVICE[counter_id], None, now)


def call_next(office: Office, counter_id: str, now: datetime) -> Ticket | None:
    events = office.call_next(counter_id, DEVICE[counter_id], now)
    return only_ticket(events) if events else None
