"""Domain data: what a service, a ticket and a counter are, and their wire form.

Objects are frozen: a change makes a new object, so an event can carry the
object as it was without copying. Wire forms are plain JSON-ready dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from antrean.core.bookings import BookingRules
    from antrean.core.calendar import Calendar, WeekHours

JSON = dict[str, Any]


class DomainError(Exception):
    """A command the domain refuses; `code` is a protocol error code."""

    def __init__(self, code: str, message: str, extra: JSON | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra: JSON = extra or {}  # fields beside the message (e.g. a closure's reason)


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"


OPEN_STATUSES = frozenset({Status.WAITING, Status.CALLED, Status.SERVING})
# Lookups for the wire's values: calling the enum cost a restart ~7 ms per 3,000 tickets.
_STATUSES = {status.value: status for status in Status}


class Priority(StrEnum):
    REGULAR = "regular"
    PRIORITY = "priority"


_PRIORITIES = {priority.value: priority for priority in Priority}


class CounterState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Bahasa Indonesia and English."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.id

    def to_wire(self) -> JSON:
        return {"id": self.id, "en": self.en}

    @classmethod
    def from_wire(cls, raw: Any) -> Text:
        if isinstance(raw, str):
            return cls(raw, raw)
        return cls(str(raw.get("id", "")), str(raw.get("en", "") or raw.get("id", "")))


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Daily window in office time; `days` are ISO weekdays (1 = Monday)."""

    start: time
    end: time
    days: frozenset[int] = frozenset(range(1, 8))

    def contains(self, local: datetime) -> bool:
        return local.isoweekday() in self.days and self.start <= local.time() < self.end

    def to_wire(self) -> JSON:
        return {
            "from": self.start.strftime("%H:%M"),
            "to": self.end.strftime("%H:%M"),
            "days": sorted(self.days),
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> OpeningHours:
        return cls(
            time.fromisoformat(raw["from"]),
            time.fromisoformat(raw["to"]),
            frozenset(int(d) for d in raw.get("days", range(1, 8))),
        )


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A service as the office configures it."""

    code: str
    prefix: str
    name: Text
    requirements: tuple[Text, ...] = ()
    quota: int | None = None
    weight: float = 1.0
    default_minutes: float = 10.0
    hours: OpeningHours | None = None
    trial: bool = False  # on trial (uji coba): the kiosk says so, reports show it apart
    week: WeekHours | None = None  # own hours per weekday with breaks (None: the office's)
    steps: tuple[Text, ...] = ()  # the visit's steps in order; none = one step

    @property
    def step_count(self) -> int:
        return max(1, len(self.steps))


@dataclass(frozen=True, slots=True)
class Service:
    """A service as it stands today: the spec plus what changed during the day."""

    spec: ServiceSpec
    open: bool = True
    quota: int | None = None
    issued: int = 0
    service_minutes: float = 10.0

    @property
    def code(self) -> str:
        return self.spec.code

    def is_open_at(self, local: datetime) -> bool:
        hours = self.spec.hours
        return self.open and (hours is None or hours.contains(local))

    def quota_left(self) -> int | None:
        return None if self.quota is None else max(0, self.quota - self.issued)

    def to_wire(self, local_now: datetime | None = None) -> JSON:
        spec = self.spec
        is_open = self.open if local_now is None else self.is_open_at(local_now)
        return {
            "code": spec.code,
            "name": spec.name.to_wire(),
            "prefix": spec.prefix,
            "open": is_open,
            "enabled": self.open,
            "quota": self.quota,
            "issued": self.issued,
            "service_minutes": self.service_minutes,  # unrounded: replays and mirrors must agree
            "weight": spec.weight,
            "requirements": [r.to_wire() for r in spec.requirements],
            "hours": spec.hours.to_wire() if spec.hours else None,
            "week": spec.week.to_wire() if spec.week else None,
            "steps": [s.to_wire() for s in spec.steps],
            # The configured values a new office day starts from, so that a
            # client mirror rolls the day over as the server does.
            "default_quota": spec.quota,
            "default_minutes": spec.default_minutes,
            "trial": spec.trial,
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> Service:
        from antrean.core.calendar import WeekHours

        spec = ServiceSpec(
            code=raw["code"],
            prefix=str(raw.get("prefix") or raw["code"]),
            name=Text.from_wire(raw.get("name", raw["code"])),
            requirements=tuple(Text.from_wire(r) for r in raw.get("requirements", [])),
            quota=raw.get("default_quota", raw.get("quota")),
            weight=float(raw.get("weight", 1.0)),
            default_minutes=float(raw["default_minutes"] if "default_minutes" in raw
                                  else raw.get("service_minutes", 10.0)),
            hours=OpeningHours.from_wire(raw["hours"]) if raw.get("hours") else None,
            trial=raw.get("trial") is True,
            week=WeekHours.from_wire(raw["week"]) if raw.get("week") else None,
            steps=tuple(Text.from_wire(s) for s in raw.get("steps") or ()),
        )
        return cls(
            spec=spec,
            open=bool(raw.get("enabled", raw.get("open", True))),
            quota=raw.get("quota"),
            issued=int(raw.get("issued", 0)),
            service_minutes=float(raw.get("service_minutes", 10.0)),
        )


@dataclass(frozen=True, slots=True)
class StaffRef:
    username: str
    name: str

    def to_wire(self) -> JSON:
        return {"username": self.username, "name": self.name}


@dataclass(frozen=True, slots=True)
class Ticket:
    """One visitor's place in the queue for one office day."""

    id: str
    number: str
    service: str
    priority: Priority
    status: Status
    issued_at: datetime
    lang: str = "id"
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter: str | None = None
    calls: int = 0
    origin_service: str | None = None
    closed_reason: str | None = None
    step: int = 1  # 1-based step of a multi-step visit
    steps: int = 1  # how many steps the service has
    booking: str | None = None  # the booking code it checked in with
    slot_at: datetime | None = None  # a booked ticket's slot start (office time)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_wire(self) -> JSON:
        return {
            "id": self.id,
            "number": self.number,
            "service": self.service,
            "priority": self.priority.value,
            "status": self.status.value,
            "issued_at": _iso(self.issued_at),
            "called_at": _iso(self.called_at),
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "counter": self.counter,
            "calls": self.calls,
            "lang": self.lang,
            "origin_service": self.origin_service,
            "closed_reason": self.closed_reason,
            "step": self.step,
            "steps": self.steps,
            "booking": self.booking,
            "slot_at": _iso(self.slot_at),
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> Ticket:
        return cls(
            id=raw["id"],
            number=raw["number"],
            service=raw["service"],
            priority=_PRIORITIES.get(raw.get("priority", "regular")) or Priority(raw["priority"]),
            status=_STATUSES.get(raw["status"]) or Status(raw["status"]),
            issued_at=_parse(raw["issued_at"]) or datetime.min,
            lang=raw.get("lang") or "id",
            called_at=_parse(raw.get("called_at")),
            started_at=_parse(raw.get("started_at")),
            finished_at=_parse(raw.get("finished_at")),
            counter=raw.get("counter"),
            calls=int(raw.get("calls", 0)),
            origin_service=raw.get("origin_service"),
            closed_reason=raw.get("closed_reason"),
            step=int(raw.get("step") or 1),
            steps=int(raw.get("steps") or 1),
            booking=raw.get("booking"),
            slot_at=_parse(raw.get("slot_at")),
        )


@dataclass(frozen=True, slots=True)
class CounterSpec:
    id: str
    name: Text
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Counter:
    """A service desk; at most one ticket at a time, held by one device."""

    spec: CounterSpec
    state: CounterState = CounterState.CLOSED
    services: tuple[str, ...] = ()
    ticket: str | None = None
    device: str | None = None
    staff: StaffRef | None = None
    since: datetime | None = None
    steps: tuple[str, ...] = ()  # queues it serves as "D:2"; empty = every step

    @property
    def id(self) -> str:
        return self.spec.id

    def to_wire(self, ticket: Ticket | None, with_staff: bool = True) -> JSON:
        return {
            "id": self.spec.id,
            "name": self.spec.name.to_wire(),
            "state": self.state.value,
            "services": list(self.services),
            "ticket": ticket.to_wire() if ticket else None,
            "device": self.device,
            "staff": self.staff.to_wire() if (self.staff and with_staff) else None,
            "since": _iso(self.since),
            "default_services": list(self.spec.services),  # what a new office day starts with
            "steps": list(self.steps),
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> Counter:
        staff = raw.get("staff")
        ticket = raw.get("ticket")
        return cls(
            spec=CounterSpec(
                raw["id"], Text.from_wire(raw.get("name", raw["id"])),
                tuple(raw.get("default_services", ())),
            ),
            state=CounterState(raw.get("state", "closed")),
            services=tuple(raw.get("services", ())),
            ticket=ticket["id"] if isinstance(ticket, dict) else ticket,
            device=raw.get("device"),
            staff=StaffRef(staff["username"], staff.get("name", "")) if staff else None,
            since=_parse(raw.get("since")),
            steps=tuple(raw.get("steps") or ()),
        )


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """What a device last reported about itself (e.g. a kiosk printer fault)."""

    device: str
    role: str
    status: str
    detail: str = ""
    at: datetime | None = None

    def to_wire(self) -> JSON:
        return {
            "device": self.device,
            "role": self.role,
            "status": self.status,
            "detail": self.detail,
            "at": _iso(self.at),
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> DeviceStatus:
        return cls(
            raw["device"], raw.get("role", ""), raw["status"], raw.get("detail", ""),
            _parse(raw.get("at")),
        )


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """Call-next rules: after `priority_cap` priority calls in a row, a regular
    ticket waiting longer than `regular_max_wait_minutes` goes next."""

    priority_cap: int = 3
    regular_max_wait_minutes: float = 15.0
    day_end_reason: str = "day_end"
    estimate_alpha: float = 0.2


@dataclass(frozen=True)
class OfficeSpec:
    name: str
    timezone: str
    services: tuple[ServiceSpec, ...]
    counters: tuple[CounterSpec, ...]
    policy: PolicySpec = field(default_factory=PolicySpec)
    announcements: tuple[Text, ...] = ()
    ticket_url: str | None = None
    logo: str | None = None
    calendar: Calendar | None = None  # None: open at every hour (the demo)
    bookings: BookingRules | None = None  # None: the defaults


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


iso = _iso
parse_time = _parse
