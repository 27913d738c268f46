"""The office for one day: state, the commands that change it, and the events.

Commands validate first and change nothing when they refuse (DomainError).
Each accepted command produces events; `apply` is the only code that changes
the state, and the server, a restart's replay and every client's mirror all
run it, so they agree by construction. Time is always passed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from antrean.core.bookings import DEFAULT_RULES, Booking, BookingRules, check_in_verdict
from antrean.core.calendar import Calendar, OpenState, WeekHours
from antrean.core.lifecycle import (
    COUNTER_EVENTS,
    TICKET_EVENTS,
    CounterAction,
    TicketAction,
    advance,
    check_counter_event,
    check_ticket_event,
    event_action,
    next_counter_state,
    next_ticket_status,
)
from antrean.core.model import (
    JSON,
    Counter,
    CounterSpec,
    CounterState,
    DeviceStatus,
    DomainError,
    OfficeSpec,
    OpeningHours,
    PolicySpec,
    Priority,
    Service,
    ServiceSpec,
    StaffRef,
    Status,
    Text,
    Ticket,
    parse_time,
)
from antrean.core.numbering import ticket_id, ticket_number
from antrean.core.policy import (
    PACE_ALPHA,
    Pace,
    ServiceQueue,
    ahead_of,
    call_order,
    choose_next,
    eta_minutes,
    next_streak,
    paced_after_call,
    paced_eta_minutes,
    updated_estimate,
)

RECENT_ANNOUNCEMENTS = 10
FEEDBACK_EVENTS = frozenset({"survey.submitted", "complaint.filed", "complaint.updated"})


def step_queue(code: str, step: int) -> str:
    """The queue of one step of a service: its code for the first step
    (so one-step services look as before), "D:2" for the second, ..."""
    return code if step <= 1 else f"{code}:{step}"


def queue_of(ticket: Ticket) -> str:
    return step_queue(ticket.service, ticket.step)


@dataclass(frozen=True, slots=True)
class Event:
    """One change, as stored, broadcast and applied. `extra` sits beside the
    object in the wire data (e.g. `reason`, `from_service`, `via`). `closed`
    (day.rolled only) are the day's open tickets as the roll closed them: the
    wire carries their ids, and every office that applies the event closes
    them through the lifecycle table; the server writes its rows from here."""

    seq: int
    name: str
    at: datetime
    day: date
    ticket: Ticket | None = None
    counter: Counter | None = None
    service: Service | None = None
    text: Text | None = None
    device: DeviceStatus | None = None
    extra: JSON = field(default_factory=dict)
    closed: tuple[Ticket, ...] = ()

    def numbered(self, seq: int) -> Event:
        """This event with its place in the stream (a plain constructor call:
        `dataclasses.replace` showed up in the server's profile)."""
        return Event(seq, self.name, self.at, self.day, self.ticket, self.counter,
                     self.service, self.text, self.device, self.extra, self.closed)


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket with where it stands: people ahead and the estimated wait."""

    ticket: Ticket
    ahead: int
    eta_minutes: int

    def to_wire(self) -> JSON:
        wire = self.ticket.to_wire()
        wire["ahead"] = self.ahead
        wire["eta_minutes"] = self.eta_minutes
        return wire


class Office:
    """Today's state of one office."""

    def __init__(self, spec: OfficeSpec, day: date, seq: int = 0) -> None:
        self.spec = spec
        self.tz: tzinfo = ZoneInfo(spec.timezone)
        self._last_now: datetime | None = None
        self._last_local = datetime.min
        self.policy: PolicySpec = spec.policy
        self.seq = seq
        self.day = day
        self.services: dict[str, Service] = {}
        self.counters: dict[str, Counter] = {}
        self.tickets: dict[str, Ticket] = {}
        self.by_number: dict[str, str] = {}
        self.queues: dict[str, ServiceQueue] = {}
        self.weights: dict[str, float] = {}
        self.pace: dict[str, Pace] = {}  # per service: how fast its queue moves today
        self.streak = 0
        self.announcements: deque[Text] = deque(maxlen=RECENT_ANNOUNCEMENTS)
        self.devices: dict[str, DeviceStatus] = {}
        self.calendar: Calendar = spec.calendar or Calendar()
        self.booking_rules: BookingRules = spec.bookings or DEFAULT_RULES
        self.bookings_used: dict[str, str] = {}  # booking code -> today's ticket id
        # Minutes of each step a counter finished today (not the visit's last step,
        # which is a completed ticket): a step-1 counter's own work in its figures.
        self.step_work: dict[str, list[float]] = {}
        self._reset_day(day)

    # ------------------------------------------------------------------ time
    def local(self, now: datetime) -> datetime:
        """`now` in office time, to the millisecond: the precision of the wire
        form, so the server, its replay after a restart and every mirror keep
        exactly the same times (and the same queue order)."""
        if now is self._last_now:  # one command asks for the same instant several times
            return self._last_local
        local = now.astimezone(self.tz).replace(microsecond=now.microsecond // 1000 * 1000)
        self._last_now, self._last_local = now, local
        return local

    def day_at(self, now: datetime) -> date:
        return self.local(now).date()

    def needs_roll(self, now: datetime) -> bool:
        return self.day_at(now) > self.day

    # -------------------------------------------------------------- queries
    def find_ticket(self, ref: str) -> Ticket:
        """A ticket by id, or by today's number (`A012`)."""
        ticket = self.tickets.get(ref)
        if ticket is None:
            known = self.by_number.get(ref.strip().upper())
            ticket = self.tickets.get(known) if known else None
        if ticket is None:
            raise DomainError("not_found", f"no ticket {ref!r} today")
        return ticket

    def find_counter(self, counter_id: str) -> Counter:
        counter = self.counters.get(counter_id)
        if counter is None:
            raise DomainError("not_found", f"no counter {counter_id!r}")
        return counter

    def find_service(self, code: str) -> Service:
        service = self.services.get(code)
        if service is None:
            raise DomainError("not_found", f"no service {code!r}")
        return service

    def open_counters_for(self, code: str) -> int:
        return sum(
            1 for c in self.counters.values() if c.state is CounterState.OPEN and code in c.services
        )

    def view(self, ticket: Ticket, now: datetime) -> TicketView:
        if ticket.status is not Status.WAITING:
            return TicketView(ticket, 0, 0)
        key = queue_of(ticket)
        queue = self.queues[key]
        ahead = ahead_of(queue, ticket, self.streak, self.policy, now)
        if ticket.steps <= 1:
            eta = self._eta(ticket.service, ahead, ticket.priority is Priority.PRIORITY)
        else:  # a step's own queue: the counters serving that step share it
            counters = sum(1 for c in self.counters.values()
                           if c.state is CounterState.OPEN and key in self.counter_queues(c))
            eta = eta_minutes(ahead, self.services[ticket.service].service_minutes, counters)
        return TicketView(ticket, ahead, eta)

    def _eta(self, code: str, ahead: int, priority: bool) -> int:
        """The learned pace of the service's queue once today's calls show it
        (measured: the plain estimate below was within ±25 % for a third of
        the tickets on a busy simulated day; docs/planning.md); until then,
        the work ahead shared by the counters open for the service."""
        counters = self.open_counters_for(code)
        pace = self.pace.get(code)
        if pace is not None:
            free = sum(1 for c in self.counters.values() if c.state is CounterState.OPEN
                       and c.ticket is None and code in c.services)
            paced = paced_eta_minutes(ahead - free, pace, counters, priority)
            if paced is not None:
                return paced
        return eta_minutes(ahead, self.services[code].service_minutes, counters)

    def waiting_count(self, code: str) -> int:
        queue = self.queues.get(code)
        return len(queue) if queue is not None else 0

    def outlook(self, code: str) -> tuple[int, int]:
        """(waiting now, minutes a new regular ticket would likely wait)."""
        waiting = self.waiting_count(code)
        return waiting, self._eta(code, waiting, False) if waiting else 0

    def waiting_order(self, now: datetime, services: Iterable[str] | None = None, *,
                      queues: Iterable[str] | None = None) -> list[Ticket]:
        """Waiting tickets in call order, of `services` (every step of each) or of
        the step queues `queues` ("D:2", see `counter_queues`)."""
        codes = list(services) if services is not None else list(self.services)
        keys = (list(queues) if queues is not None
                else [k for code in codes for k in self.step_queues(code)])
        ids = call_order(self.queues, keys, self.weights, self.streak, self.policy, now)
        return [self.tickets[i] for i in ids]

    def step_queues(self, code: str) -> list[str]:
        service = self.services.get(code)
        steps = service.spec.step_count if service is not None else 1
        return [step_queue(code, n) for n in range(1, steps + 1)]

    def counter_queues(self, counter: Counter) -> list[str]:
        """The queues a counter calls from: the steps it chose, else every
        step of its services."""
        if counter.steps:
            return [step_queue(*_split_step(key)) for key in counter.steps]
        return [k for code in counter.services for k in self.step_queues(code)]

    def step_name(self, ticket: Ticket, step: int | None = None) -> Text | None:
        """The name of a ticket's step (or of `step`), None for a one-step service."""
        service = self.services.get(ticket.service)
        names = service.spec.steps if service is not None else ()
        index = (ticket.step if step is None else step) - 1
        return names[index] if 0 <= index < len(names) else None

    def service_state(self, code: str, local: datetime) -> OpenState:
        """Whether `code` takes tickets at `local`: its own hours (or the
        office's), the holidays and the office's closures."""
        service = self.find_service(code)
        spec = service.spec
        week = spec.week
        if week is None and spec.hours is not None:
            week = WeekHours.one_window(spec.hours.start, spec.hours.end, spec.hours.days)
        return self.calendar.state(local, week)

    def open_tickets(self, now: datetime) -> list[Ticket]:
        """Waiting tickets in call order, then the called and serving ones."""
        rest = [t for t in self.tickets.values() if t.status in (Status.CALLED, Status.SERVING)]
        return self.waiting_order(now) + rest

    # ------------------------------------------------------------- commands
    def issue(
        self, service_code: str, priority: Priority, lang: str, now: datetime
    ) -> list[Event]:
        service = self.find_service(service_code)
        if not service.open:
            raise DomainError("service_closed", f"service {service_code} is closed")
        state = self.service_state(service_code, self.local(now))
        if not state.open:
            raise DomainError("service_closed",
                              f"service {service_code} is closed: {state.reason('en')}",
                              state.to_wire())
        left = service.quota_left()
        if left is not None and left <= 0:
            raise DomainError("quota_exhausted", f"today's quota for {service_code} is used up")
        return self._commit([self._event("ticket.issued", now,
                                         ticket=self._new_ticket(service, priority, lang, now))])

    def check_in(self, booking: Booking | None, lang: str, now: datetime) -> list[Event]:
        """A booked visitor at the kiosk: a ticket in the booking's service,
        marked with the code and queued by its slot (policy: appointment lane)."""
        local = self.local(now)
        verdict = check_in_verdict(
            booking, booking is not None and booking.code in self.bookings_used, local,
            self.booking_rules,
        )
        service = self.find_service(verdict.service)
        if not service.open:
            raise DomainError("service_closed", f"service {service.code} is closed")
        ticket = self._new_ticket(service, Priority.REGULAR, lang, now,
                                  prefix=self.booking_rules.number_prefix)
        ticket = replace(ticket, booking=verdict.code, slot_at=verdict.slot_start(local.tzinfo))
        return self._commit([self._event("ticket.issued", now, ticket=ticket,
                                         extra={"via": "booking"})])

    def _new_ticket(self, service: Service, priority: Priority, lang: str, now: datetime,
                    prefix: str = "") -> Ticket:
        number = prefix + ticket_number(service.spec.prefix, service.issued + 1)
        return Ticket(
            id=ticket_id(self.day, number),
            number=number,
            service=service.code,
            priority=priority,
            status=Status.WAITING,
            issued_at=self.local(now),
            lang=lang,
            steps=service.spec.step_count,
        )

    def open_counter(
        self,
        counter_id: str,
        services: Iterable[str],
        device: str,
        staff: StaffRef | None,
        now: datetime,
        steps: Iterable[str] = (),
    ) -> list[Event]:
        counter = self.find_counter(counter_id)
        codes = tuple(dict.fromkeys(services))
        if not codes:
            raise DomainError("bad_request", "a counter needs at least one service")
        for code in codes:
            self.find_service(code)
        chosen = tuple(dict.fromkeys(steps))
        for key in chosen:
            code, step = _split_step(key)
            if code not in codes or not 1 <= step <= self.services[code].spec.step_count:
                raise DomainError("bad_request", f"steps: {key!r} is not a step of the "
                                  "services opened (write it as SERVICE:STEP, e.g. D:2)")
        self._ensure_free_or_own(counter, device)
        state = next_counter_state(counter.state, CounterAction.OPEN)
        since = counter.since if counter.state is CounterState.OPEN else self.local(now)
        opened = replace(
            counter, state=state, services=codes, device=device, staff=staff, since=since,
            steps=tuple(f"{c}:{n}" for c, n in map(_split_step, chosen)),
        )
        return self._commit([self._event("counter.opened", now, counter=opened)])

    def pause_counter(self, counter_id: str, device: str, now: datetime) -> list[Event]:
        return self._counter_step(counter_id, device, CounterAction.PAUSE, "counter.paused", now)

    def close_counter(self, counter_id: str, device: str, now: datetime) -> list[Event]:
        return self._counter_step(counter_id, device, CounterAction.CLOSE, "counter.closed", now)

    def call_next(self, counter_id: str, device: str, now: datetime) -> list[Event]:
        counter = self._ready_counter(counter_id, device)
        pick = choose_next(
            self.queues, self.counter_queues(counter), self.weights, self.streak, self.policy,
            now,
        )
        if pick is None:
            return []
        ticket = self.tickets[pick.ticket_id]
        return self._commit([self._called(ticket, counter, now, via="next")])

    def call(
        self, counter_id: str, ref: str, reason: str, device: str, now: datetime
    ) -> list[Event]:
        counter = self._ready_counter(counter_id, device)
        if not reason.strip():
            raise DomainError("bad_request", "calling a specific ticket needs a reason")
        ticket = self.find_ticket(ref)
        if ticket.status is not Status.WAITING:
            if ticket.counter and ticket.counter != counter.id and ticket.is_open:
                raise DomainError(
                    "conflict", f"ticket {ticket.number} is already called by counter "
                    f"{ticket.counter}"
                )
            next_ticket_status(ticket.status, TicketAction.CALL)
        return self._commit([self._called(ticket, counter, now, via="specific", reason=reason)])

    def recall(self, ref: str, device: str, now: datetime) -> list[Event]:
        ticket, counter = self._held_ticket(ref, device, TicketAction.RECALL)
        return self._commit([self._called(ticket, counter, now, via="recall")])

    def start(self, ref: str, device: str, now: datetime) -> list[Event]:
        return self._move_held(ref, device, TicketAction.START, now)

    def complete(self, ref: str, device: str, now: datetime) -> list[Event]:
        """The end of the visit, or of one step of it: then the ticket waits for
        the next step (same number, its place by first arrival)."""
        ticket, counter = self._held_ticket(ref, device, TicketAction.COMPLETE)
        if ticket.step < ticket.steps:
            return self._commit([self._moved_step(ticket, counter, TicketAction.ADVANCE,
                                                  ticket.step + 1, now)])
        return self._move_held(ref, device, TicketAction.COMPLETE, now)

    def send_back(self, ref: str, reason: str, device: str, now: datetime) -> list[Event]:
        """Back one step (documents missing), with the reason, same place."""
        ticket, counter = self._held_ticket(ref, device, TicketAction.SEND_BACK)
        if not reason.strip():
            raise DomainError("bad_request", "sending a ticket back needs a reason")
        if ticket.step <= 1:
            raise DomainError("conflict", f"ticket {ticket.number} is at its first step")
        return self._commit([self._moved_step(ticket, counter, TicketAction.SEND_BACK,
                                              ticket.step - 1, now, reason=reason)])

    def _moved_step(self, ticket: Ticket, counter: Counter, action: TicketAction, step: int,
                    now: datetime, reason: str = "") -> Event:
        moved = advance(ticket, action, self.local(now), step=step)
        extra: JSON = {"from_step": ticket.step, "from_counter": counter.id}
        next_name = self.step_name(moved)
        if next_name is not None:
            extra["step_name"] = next_name.to_wire()
        if reason:
            extra["reason"] = reason
        return self._event(TICKET_EVENTS[action], now, ticket=moved, extra=extra)

    def no_show(self, ref: str, device: str, now: datetime) -> list[Event]:
        return self._move_held(ref, device, TicketAction.NO_SHOW, now)

    def transfer(self, ref: str, service_code: str, device: str, now: datetime) -> list[Event]:
        ticket, counter = self._held_ticket(ref, device, TicketAction.TRANSFER)
        target = self.find_service(service_code)
        if not target.is_open_at(self.local(now)):
            raise DomainError("service_closed", f"service {service_code} is closed")
        moved = replace(advance(ticket, TicketAction.TRANSFER, self.local(now),
                                service=service_code),
                        step=1, steps=target.spec.step_count)  # the new service's first step
        event = self._event(
            TICKET_EVENTS[TicketAction.TRANSFER], now, ticket=moved,
            extra={"from_service": ticket.service, "from_counter": counter.id},
        )
        return self._commit([event])

    def announce(self, text: Text, now: datetime) -> list[Event]:
        if not (text.id.strip() or text.en.strip()):
            raise DomainError("bad_request", "an announcement needs text")
        # A language left blank shows the other one, rather than an empty
        # ticker; stored this way, the event also reads back from the wire as sent.
        text = Text(
            text.id if text.id.strip() else text.en, text.en if text.en.strip() else text.id
        )
        return self._commit([self._event("announcement", now, text=text)])

    def update_service(
        self,
        code: str,
        now: datetime,
        *,
        open: bool | None = None,
        quota: int | None = None,
        clear_quota: bool = False,
    ) -> list[Event]:
        service = self.find_service(code)
        if quota is not None and quota < 0:
            raise DomainError("bad_request", "a quota cannot be negative")
        changed = replace(
            service,
            open=service.open if open is None else open,
            quota=None if clear_quota else (service.quota if quota is None else quota),
        )
        return self._commit([self._event("service.updated", now, service=changed)])

    def report_device(
        self, device: str, role: str, status: str, detail: str, now: datetime
    ) -> list[Event]:
        report = DeviceStatus(device, role, status, detail, self.local(now))
        previous = self.devices.get(device)
        if previous and (previous.status, previous.detail) == (status, detail):
            return []  # nothing new to tell supervisors
        return self._commit([self._event("device.status", now, device=report)])

    def record(self, name: str, now: datetime, data: JSON) -> list[Event]:
        """An event about the public's feedback (survey, complaint): it takes
        its place in the stream but changes nothing in the office day."""
        if name not in FEEDBACK_EVENTS:
            raise ValueError(f"{name} is not a feedback event")
        return self._commit([self._event(name, now, extra=data)])

    def roll_day(self, now: datetime) -> list[Event]:
        """Close the day's open tickets and start the new office day: one
        `day.rolled` event that carries the closures (see `Event.closed`)."""
        new_day = self.day_at(now)
        if new_day <= self.day:
            return []
        closures = self.day_end_closures(now)
        event = self._event(
            "day.rolled", now,
            extra={"day": new_day.isoformat(), "closed": [t.id for t in closures],
                   "reason": self.policy.day_end_reason,
                   "previous_day": self.day.isoformat()},
        )
        return self._commit([replace(event, day=new_day, closed=tuple(closures))])

    def day_end_closures(self, now: datetime) -> list[Ticket]:
        """The open tickets as `roll_day` will close them."""
        return self._closures(
            [t.id for t in self.tickets.values() if t.is_open],
            self.policy.day_end_reason, self.local(now),
        )

    def _closures(self, ids: Iterable[str], reason: str, at: datetime) -> list[Ticket]:
        """Each ticket closed by the table's CLOSE_DAY move; `conflict` when
        one is unknown or not open (then nothing is closed)."""
        closed = []
        for ref in ids:
            ticket = self.tickets.get(ref)
            if ticket is None:
                raise DomainError("conflict", f"the day roll closes {ref}: "
                                  "no such ticket today")
            closed.append(advance(ticket, TicketAction.CLOSE_DAY, at, reason=reason))
        return closed

    def figures(self) -> JSON:
        """Today's figures per counter and per service, from today's tickets."""
        counters: dict[str, JSON] = {
            c.id: {"served": 0, "no_show": 0, "service_minutes": 0.0}
            for c in self.counters.values()
        }
        services: dict[str, JSON] = {
            code: {"issued": s.issued, "waiting": self.waiting_count(code), "served": 0,
                   "no_show": 0, "wait_minutes": 0.0, "appointments": 0,
                   "appointment_no_show": 0}
            for code, s in self.services.items()
        }
        durations: dict[str, list[float]] = {}
        waits: dict[str, list[float]] = {}
        for ticket in self.tickets.values():
            per_counter = counters.get(ticket.counter or "")
            per_service = services.get(ticket.service)
            if ticket.booking is not None and per_service is not None:
                per_service["appointments"] += 1
            if ticket.called_at is not None:
                waits.setdefault(ticket.service, []).append(
                    (ticket.called_at - ticket.issued_at).total_seconds() / 60
                )
            if ticket.status is Status.DONE and ticket.finished_at is not None:
                began = ticket.started_at or ticket.called_at or ticket.finished_at
                durations.setdefault(ticket.counter or "", []).append(
                    (ticket.finished_at - began).total_seconds() / 60
                )
                for figures in (per_counter, per_service):
                    if figures is not None:
                        figures["served"] += 1
            elif ticket.status is Status.NO_SHOW:
                if per_counter is not None:
                    per_counter["no_show"] += 1
                if per_service is not None:
                    # A service's booked no-shows are counted apart (a booked slot lost).
                    per_service["appointment_no_show" if ticket.booking else "no_show"] += 1
        for counter_id, steps_done in self.step_work.items():
            if counter_id in counters:
                counters[counter_id]["served"] += len(steps_done)
                durations.setdefault(counter_id, []).extend(steps_done)
        for counter_id, values in durations.items():
            if counter_id in counters:
                counters[counter_id]["service_minutes"] = round(sum(values) / len(values), 1)
        for code, values in waits.items():
            if code in services:
                services[code]["wait_minutes"] = round(sum(values) / len(values), 1)
        return {"day": self.day.isoformat(), "counters": counters, "services": services}

    # ---------------------------------------------------------------- apply
    def apply(self, event: Event) -> None:
        """Change the state by one event; the only place state changes."""
        if event.seq != self.seq + 1:
            raise DomainError("conflict", f"event {event.seq} does not follow {self.seq}")
        handler = _APPLIERS.get(event.name)
        if handler is not None:
            handler(self, event)
        self.seq = event.seq

    def _apply_issued(self, event: Event) -> None:
        ticket = _required(event.ticket)
        if ticket.status is not Status.WAITING or ticket.id in self.tickets:
            raise DomainError("conflict", f"ticket {ticket.number} cannot be issued again "
                              f"({ticket.status.value})")
        self.tickets[ticket.id] = ticket
        self.by_number[ticket.number] = ticket.id
        self.queues[queue_of(ticket)].add(ticket)
        if ticket.booking is not None:
            self.bookings_used[ticket.booking] = ticket.id
        s = self.services[ticket.service]
        self.services[ticket.service] = Service(s.spec, s.open, s.quota, s.issued + 1,
                                                s.service_minutes)

    def _apply_called(self, event: Event) -> None:
        previous, ticket = self._checked_move(event)
        if previous.status is Status.WAITING:
            self.queues[queue_of(previous)].remove(previous)
            if previous.step <= 1:  # the pace is learned on a service's first queue
                self._paced(previous.service, event.at, previous.priority is Priority.PRIORITY)
        self.tickets[ticket.id] = ticket
        if ticket.counter in self.counters:
            self.counters[ticket.counter] = replace(self.counters[ticket.counter], ticket=ticket.id)
        if event.extra.get("via") == "next":
            self.streak = next_streak(self.streak, ticket.priority is Priority.PRIORITY)

    def _apply_started(self, event: Event) -> None:
        _, ticket = self._checked_move(event)
        self.tickets[ticket.id] = ticket

    def _apply_finished(self, event: Event) -> None:
        _, ticket = self._checked_move(event)
        self.tickets[ticket.id] = ticket
        self._release(ticket.counter, ticket.id)
        if event.name == "ticket.completed" and ticket.finished_at is not None:
            began = ticket.started_at or ticket.called_at
            if began is not None:
                minutes = (ticket.finished_at - began).total_seconds() / 60
                service = self.services[ticket.service]
                estimate = updated_estimate(
                    service.service_minutes, minutes, self.policy.estimate_alpha
                )
                self.services[ticket.service] = replace(service, service_minutes=estimate)

    def _apply_advanced(self, event: Event) -> None:
        """A finished step: the ticket moves on (like a transfer); the counter's
        work on that step counts in its figures and in the service-time estimate."""
        ticket = _required(event.ticket)
        previous = self.tickets.get(ticket.id)
        began = (previous.started_at or previous.called_at) if previous is not None else None
        counter_id = str(event.extra.get("from_counter") or "")
        self._apply_transferred(event)
        if began is None:
            return
        minutes = max(0.0, (event.at - began).total_seconds() / 60)
        self.step_work.setdefault(counter_id, []).append(minutes)
        service = self.services[ticket.service]
        self.services[ticket.service] = replace(service, service_minutes=updated_estimate(
            service.service_minutes, minutes, self.policy.estimate_alpha))

    def _apply_transferred(self, event: Event) -> None:
        previous, ticket = self._checked_move(event)
        if queue_of(ticket) not in self.queues:
            raise DomainError("not_found", f"no service {ticket.service!r}")
        self._release(previous.counter, ticket.id)
        self.tickets[ticket.id] = ticket
        self.queues[queue_of(ticket)].add(ticket)

    def _paced(self, code: str, at: datetime, priority: bool) -> None:
        queue = self.queues.get(code)
        self.pace[code] = paced_after_call(
            self.pace.get(code, Pace()), at, self.open_counters_for(code), priority,
            bool(queue is not None and len(queue)), PACE_ALPHA,
            self.services[code].service_minutes)

    def _apply_counter(self, event: Event) -> None:
        counter = _required(event.counter)
        known = self.counters.get(counter.id)
        if known is not None:
            check_counter_event(known.state, COUNTER_EVENTS[event.name], counter.state)
        spec = known.spec if known is not None else counter.spec
        self.counters[counter.id] = replace(counter, spec=spec)

    def _apply_service(self, event: Event) -> None:
        service = _required(event.service)
        known = self.services.get(service.code)
        spec = known.spec if known is not None else service.spec
        self.services[service.code] = replace(service, spec=spec)
        for key in self.step_queues(service.code):
            self.queues.setdefault(key, ServiceQueue())
            self.weights[key] = spec.weight

    def _apply_announcement(self, event: Event) -> None:
        self.announcements.append(_required(event.text))

    def _apply_device(self, event: Event) -> None:
        report = _required(event.device)
        self.devices[report.device] = report

    def _apply_nothing(self, event: Event) -> None:
        pass

    def _apply_rolled(self, event: Event) -> None:
        # The closures are checked against the table here, by every office
        # (server, replay, mirror), before the old day is forgotten.
        extra = event.extra
        new_day = date.fromisoformat(str(extra["day"]))
        if new_day < self.day or (new_day == self.day and self.tickets):
            raise DomainError("conflict", f"the day {self.day} cannot roll to {new_day}")
        if new_day > self.day:
            self._closures(extra.get("closed", ()), str(extra.get("reason", "")), event.at)
        # else: a restart's replay of the new day begins with its roll (the log
        # files the roll under the new day); the closures were the day before's.
        self._reset_day(new_day)

    # --------------------------------------------------------------- wire
    def counter_wire(self, counter: Counter, with_staff: bool = True) -> JSON:
        ticket = self.tickets.get(counter.ticket) if counter.ticket else None
        return counter.to_wire(ticket, with_staff)

    def event_data(self, event: Event, with_staff: bool = True) -> JSON:
        data: JSON = {}
        if event.ticket is not None:
            data["ticket"] = event.ticket.to_wire()
        if event.counter is not None:
            data["counter"] = self.counter_wire(event.counter, with_staff)
        if event.service is not None:
            data["service"] = self._service_wire(event.service)
        if event.text is not None:
            data["text"] = event.text.to_wire()
        if event.device is not None:
            data["device"] = event.device.to_wire()
        data.update(event.extra)
        return data

    def event_from_wire(self, seq: int, name: str, at: str, data: JSON) -> Event:
        """Rebuild an event from its stored or received form."""
        moment = parse_time(at) or datetime.now(self.tz)
        day = date.fromisoformat(data["day"]) if name == "day.rolled" else self.day
        reserved = {"ticket", "counter", "service", "text", "device"}
        return Event(
            seq=seq,
            name=name,
            at=moment,
            day=day,
            ticket=Ticket.from_wire(data["ticket"]) if "ticket" in data else None,
            counter=Counter.from_wire(data["counter"]) if "counter" in data else None,
            service=Service.from_wire(data["service"]) if "service" in data else None,
            text=Text.from_wire(data["text"]) if "text" in data else None,
            device=DeviceStatus.from_wire(data["device"]) if "device" in data else None,
            extra={k: v for k, v in data.items() if k not in reserved},
        )

    def _service_wire(self, service: Service, now: datetime | None = None) -> JSON:
        wire = service.to_wire(self.local(now) if now is not None else None)
        if now is not None:  # the calendar's answer (breaks, holidays), not only `hours`
            wire["open"] = service.open and self.service_state(service.code,
                                                               self.local(now)).open
        if service.code in self.queues:
            waiting, eta = self.outlook(service.code)
            wire["waiting"] = waiting
            wire["eta_minutes"] = eta
        pace = self.pace.get(service.code)
        if pace is not None:
            wire["pace"] = pace.to_wire()  # so a client's mirror estimates as the server does
        return wire

    def snapshot(self, now: datetime, with_staff: bool = True) -> JSON:
        return {
            "office": {
                "name": self.spec.name,
                "timezone": self.spec.timezone,
                "day": self.day.isoformat(),
                "ticket_url": self.spec.ticket_url,
                # The office file's own ticker lines and logo, for the displays.
                "announcements": [t.to_wire() for t in self.spec.announcements],
                "logo": self.spec.logo,
                "calendar": self.calendar.to_wire(self.day),
                "bookings": {
                    "before_minutes": self.booking_rules.before_minutes,
                    "after_minutes": self.booking_rules.after_minutes,
                    "late_walk_in": self.booking_rules.late_walk_in,
                    "mark": self.booking_rules.mark,
                    "number_prefix": self.booking_rules.number_prefix,
                },
                "policy": {
                    "priority_cap": self.policy.priority_cap,
                    "regular_max_wait_minutes": self.policy.regular_max_wait_minutes,
                    "estimate_alpha": self.policy.estimate_alpha,
                    "streak": self.streak,
                },
            },
            "services": [self._service_wire(s, now) for s in self.services.values()],
            "counters": [self.counter_wire(c, with_staff) for c in self.counters.values()],
            "tickets": [t.to_wire() for t in self.open_tickets(now)],
            "announcements": [t.to_wire() for t in self.announcements],
            "devices": [d.to_wire() for d in self.devices.values()],
        }

    def checkpoint(self) -> JSON:
        """The whole day's state at `seq`, so a restart need not replay the day.
        Specs are left out: they come from the office's configuration."""
        return {
            "seq": self.seq,
            "day": self.day.isoformat(),
            "streak": self.streak,
            "services": {
                code: {"open": s.open, "quota": s.quota, "issued": s.issued,
                       "service_minutes": s.service_minutes}
                for code, s in self.services.items()
            },
            "counters": [self.counter_wire(c) for c in self.counters.values()],
            "tickets": [t.to_wire() for t in self.tickets.values()],
            "announcements": [t.to_wire() for t in self.announcements],
            "devices": [d.to_wire() for d in self.devices.values()],
            "pace": {code: pace.to_wire() for code, pace in self.pace.items()},
            "step_work": self.step_work,
        }

    @classmethod
    def from_checkpoint(cls, spec: OfficeSpec, data: JSON) -> Office:
        office = cls(spec, date.fromisoformat(data["day"]), int(data["seq"]))
        office.streak = int(data.get("streak", 0))
        for code, raw in data.get("services", {}).items():
            service = office.services.get(code)
            if service is not None:
                office.services[code] = replace(
                    service, open=bool(raw["open"]), quota=raw.get("quota"),
                    issued=int(raw["issued"]), service_minutes=float(raw["service_minutes"]),
                )
        for raw in data.get("counters", []):
            counter = Counter.from_wire(raw)
            known = office.counters.get(counter.id)
            if known is not None:
                office.counters[counter.id] = replace(counter, spec=known.spec)
        for raw in data.get("tickets", []):
            ticket = Ticket.from_wire(raw)
            office.tickets[ticket.id] = ticket
            office.by_number[ticket.number] = ticket.id
            if ticket.booking is not None:
                office.bookings_used[ticket.booking] = ticket.id
            if ticket.status is Status.WAITING and queue_of(ticket) in office.queues:
                office.queues[queue_of(ticket)].add(ticket)
        for text in data.get("announcements", []):
            office.announcements.append(Text.from_wire(text))
        for raw in data.get("devices", []):
            report = DeviceStatus.from_wire(raw)
            office.devices[report.device] = report
        for code, raw in data.get("pace", {}).items():
            office.pace[code] = Pace.from_wire(raw)
        office.step_work = {k: [float(m) for m in v]
                            for k, v in (data.get("step_work") or {}).items()}
        return office

    @classmethod
    def from_snapshot(cls, snapshot: JSON, seq: int) -> Office:
        """A client's mirror: the office as the server's welcome describes it."""
        info = snapshot["office"]
        policy_raw = info.get("policy") or {}
        services = [Service.from_wire(raw) for raw in snapshot.get("services", [])]
        counters = [Counter.from_wire(raw) for raw in snapshot.get("counters", [])]
        spec = OfficeSpec(
            name=info.get("name", ""),
            timezone=info.get("timezone", "Asia/Jakarta"),
            services=tuple(s.spec for s in services),
            counters=tuple(c.spec for c in counters),
            policy=PolicySpec(
                priority_cap=int(policy_raw.get("priority_cap", 3)),
                regular_max_wait_minutes=float(policy_raw.get("regular_max_wait_minutes", 15)),
                estimate_alpha=float(policy_raw.get("estimate_alpha", 0.2)),
            ),
            ticket_url=info.get("ticket_url"),
            announcements=tuple(Text.from_wire(t) for t in info.get("announcements", [])),
            logo=info.get("logo"),
            calendar=Calendar.from_wire(info.get("calendar")),
            bookings=_rules_from_wire(info.get("bookings")),
        )
        office = cls(spec, date.fromisoformat(info["day"]), seq)
        office.streak = int(policy_raw.get("streak", 0))
        for service in services:
            office.services[service.code] = service
        for raw in snapshot.get("services", []):
            if isinstance(raw.get("pace"), dict):
                office.pace[raw["code"]] = Pace.from_wire(raw["pace"])
        for counter in counters:
            office.counters[counter.id] = counter
        for raw in snapshot.get("tickets", []):
            ticket = Ticket.from_wire(raw)
            office.tickets[ticket.id] = ticket
            office.by_number[ticket.number] = ticket.id
            if ticket.booking is not None:
                office.bookings_used[ticket.booking] = ticket.id
            if ticket.status is Status.WAITING:
                office.queues.setdefault(queue_of(ticket), ServiceQueue()).add(ticket)
        for text in snapshot.get("announcements", []):
            office.announcements.append(Text.from_wire(text))
        for raw in snapshot.get("devices", []):
            report = DeviceStatus.from_wire(raw)
            office.devices[report.device] = report
        return office

    # ------------------------------------------------------------- helpers
    def _reset_day(self, day: date) -> None:
        self.day = day
        self.tickets.clear()
        self.by_number.clear()
        self.streak = 0
        self.bookings_used.clear()
        self.services = {
            s.code: Service(spec=s, open=True, quota=s.quota, service_minutes=s.default_minutes)
            for s in self.spec.services
        }
        keys = [(step_queue(s.code, n), s) for s in self.spec.services
                for n in range(1, s.step_count + 1)]
        self.queues = {key: ServiceQueue() for key, _ in keys}
        self.weights = {key: s.weight for key, s in keys}
        self.counters = {
            c.id: Counter(spec=c, services=c.services) for c in self.spec.counters
        }
        self.devices.clear()
        self.pace = {}
        self.step_work = {}

    def _event(
        self,
        name: str,
        now: datetime,
        *,
        ticket: Ticket | None = None,
        counter: Counter | None = None,
        service: Service | None = None,
        text: Text | None = None,
        device: DeviceStatus | None = None,
        extra: JSON | None = None,
    ) -> Event:
        return Event(
            seq=0, name=name, at=self.local(now), day=self.day, ticket=ticket,
            counter=counter, service=service, text=text, device=device, extra=extra or {},
        )

    def _commit(self, events: list[Event]) -> list[Event]:
        numbered = []
        for event in events:
            numbered_event = event.numbered(self.seq + 1)
            self.apply(numbered_event)
            numbered.append(numbered_event)
        return numbered

    def _called(
        self, ticket: Ticket, counter: Counter, now: datetime, *, via: str, reason: str = ""
    ) -> Event:
        action = TicketAction.RECALL if via == "recall" else TicketAction.CALL
        called = advance(ticket, action, self.local(now), counter=counter.id)
        extra: JSON = {"via": via}
        if reason:
            extra["reason"] = reason
        return self._event(TICKET_EVENTS[action], now, ticket=called, extra=extra)

    def _move_held(self, ref: str, device: str, action: TicketAction, now: datetime
                   ) -> list[Event]:
        """START, COMPLETE or NO_SHOW of the ticket this device's counter holds."""
        ticket, _ = self._held_ticket(ref, device, action)
        moved = advance(ticket, action, self.local(now))
        return self._commit([self._event(TICKET_EVENTS[action], now, ticket=moved)])

    def _checked_move(self, event: Event) -> tuple[Ticket, Ticket]:
        """(the ticket as known, the ticket as the event brings it), once the
        table allows the move; else `conflict` before anything changes."""
        ticket = _required(event.ticket)
        action = event_action(event.name, event.extra.get("via"))
        if action is None:  # pragma: no cover - only ticket events are routed here
            raise DomainError("bad_request", f"{event.name} moves no ticket")
        return check_ticket_event(self.tickets.get(ticket.id), action, ticket), ticket

    def _ensure_free_or_own(self, counter: Counter, device: str) -> None:
        if counter.state is not CounterState.CLOSED and counter.device not in (None, device):
            raise DomainError(
                "conflict", f"counter {counter.id} is already open on device {counter.device}"
            )

    def _counter_step(
        self, counter_id: str, device: str, action: CounterAction, name: str, now: datetime
    ) -> list[Event]:
        counter = self.find_counter(counter_id)
        self._ensure_free_or_own(counter, device)
        state = next_counter_state(counter.state, action)
        if counter.ticket is not None:
            held = self.tickets[counter.ticket]
            raise DomainError(
                "conflict", f"counter {counter.id} still holds ticket {held.number}: "
                "finish, mark no-show or transfer it first"
            )
        changed = replace(counter, state=state)
        if state is CounterState.CLOSED:
            changed = replace(changed, device=None, staff=None, since=None)
        return self._commit([self._event(name, now, counter=changed)])

    def _ready_counter(self, counter_id: str, device: str) -> Counter:
        counter = self.find_counter(counter_id)
        if counter.state is CounterState.CLOSED:
            raise DomainError("conflict", f"counter {counter.id} is closed: open it first")
        self._ensure_free_or_own(counter, device)
        if counter.state is CounterState.PAUSED:
            raise DomainError("conflict", f"counter {counter.id} is paused")
        if counter.ticket is not None:
            held = self.tickets[counter.ticket]
            raise DomainError(
                "conflict", f"counter {counter.id} still holds ticket {held.number}: "
                "finish, mark no-show or transfer it first"
            )
        return counter

    def _held_ticket(
        self, ref: str, device: str, action: TicketAction
    ) -> tuple[Ticket, Counter]:
        ticket = self.find_ticket(ref)
        next_ticket_status(ticket.status, action)
        counter = self.counters.get(ticket.counter or "")
        if counter is None or counter.ticket != ticket.id:
            raise DomainError("conflict", f"ticket {ticket.number} is not at a counter")
        if counter.device != device:
            raise DomainError(
                "conflict", f"ticket {ticket.number} is at counter {counter.id}, not yours"
            )
        return ticket, counter

    def _release(self, counter_id: str | None, held: str) -> None:
        counter = self.counters.get(counter_id or "")
        if counter is not None and counter.ticket == held:
            self.counters[counter.id] = replace(counter, ticket=None)


_T = TypeVar("_T")


def _split_step(key: str) -> tuple[str, int]:
    """"D:2" -> ("D", 2); a bare "D" is its first step."""
    code, _, step = key.rpartition(":")
    if not code:
        return key, 1
    try:
        return code, int(step)
    except ValueError:
        return key, 0


def _rules_from_wire(raw: JSON | None) -> BookingRules | None:
    if not raw:
        return None
    return BookingRules(
        before_minutes=int(raw.get("before_minutes", 30)),
        after_minutes=int(raw.get("after_minutes", 15)),
        late_walk_in=bool(raw.get("late_walk_in", True)),
        mark=str(raw.get("mark", "◆")),
        number_prefix=str(raw.get("number_prefix", "")),
    )


def _required(value: _T | None) -> _T:
    if value is None:
        raise DomainError("bad_request", "event is missing its object")
    return value


_APPLIERS: dict[str, Callable[[Office, Event], Any]] = {
    "ticket.issued": Office._apply_issued,
    "ticket.called": Office._apply_called,
    "ticket.started": Office._apply_started,
    "ticket.completed": Office._apply_finished,
    "ticket.no_show": Office._apply_finished,
    "ticket.transferred": Office._apply_transferred,
    "ticket.advanced": Office._apply_advanced,  # to the next step
    "ticket.sent_back": Office._apply_transferred,  # back a step
    "counter.opened": Office._apply_counter,
    "counter.paused": Office._apply_counter,
    "counter.closed": Office._apply_counter,
    "service.updated": Office._apply_service,
    "announcement": Office._apply_announcement,
    "device.status": Office._apply_device,
    "day.rolled": Office._apply_rolled,
    # kept by the server's visitor desk (server/web.py), not by the office day
    "survey.submitted": Office._apply_nothing,
    "complaint.filed": Office._apply_nothing,
    "complaint.updated": Office._apply_nothing,
}

__all__ = [
    "CounterSpec",
    "Event",
    "Office",
    "OpeningHours",
    "ServiceSpec",
    "TicketView",
]
