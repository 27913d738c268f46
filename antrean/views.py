"""Typed views of what the server sends the apps (PROTOCOL.md, answers and events).

The apps read frames through these decoders instead of `dict` `.get` chains: a
field that is missing or of the wrong kind raises `WireError` naming the
message and the field, here, at the edge, rather than a `TypeError` deep in a
widget. Fields the protocol marks optional get the same defaults the screens
used before. Pure: no Qt, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from antrean.core.model import Priority, Status

_E = TypeVar("_E", bound=StrEnum)
log = logging.getLogger("antrean.views")


class WireError(ValueError):
    """A server frame does not have the shape the protocol promises."""

    def __init__(self, what: str, field: str, problem: str, value: object = None) -> None:
        shown = "" if value is None else f": {value!r}"[:120]
        super().__init__(f"{what}: {field!r} {problem}{shown}")
        self.what = what
        self.field = field


def _mapping(what: str, raw: object) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise WireError(what, "(frame)", "is not an object", raw)
    return raw


def _str(what: str, raw: Mapping[str, Any], key: str) -> str:
    """A required, non-empty string."""
    value = raw.get(key)
    if value is None or value == "":
        raise WireError(what, key, "is missing")
    if not isinstance(value, str):
        raise WireError(what, key, "is not text", value)
    return value


def _opt_str(what: str, raw: Mapping[str, Any], key: str) -> str | None:
    """An optional string; absent, null and empty all read as None."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WireError(what, key, "is not text", value)
    return value


def _int(what: str, raw: Mapping[str, Any], key: str, default: int = 0) -> int:
    """An optional whole number; absent or null reads as `default`."""
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise WireError(what, key, "is not a whole number", value)
    return value


def _float(what: str, raw: Mapping[str, Any], key: str) -> float:
    value = raw.get(key)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WireError(what, key, "is not a number", value)
    return float(value)


def _enum(what: str, raw: Mapping[str, Any], key: str, kind: type[_E],
          default: _E | None = None) -> _E:
    value = raw.get(key)
    if value is None and default is not None:
        return default
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        raise WireError(what, key, f"is not one of {[m.value for m in kind]}", value) from None


def _time(what: str, raw: Mapping[str, Any], key: str) -> datetime:
    text = _str(what, raw, key)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise WireError(what, key, "is not an ISO 8601 time", text) from None


@dataclass(frozen=True, slots=True)
class IssuedTicket:
    """A ticket as an answer carries it (`ticket.issue`, `ticket.check_in`,
    `ticket.call_next`, ...): the ticket's wire form plus, where the server adds
    them, where it stands (`ahead`, `eta_minutes`) and its live page (`url`)."""

    id: str
    number: str
    service: str
    priority: Priority
    status: Status
    issued_at: datetime
    lang: str = "id"
    counter: str | None = None
    calls: int = 0
    step: int = 1
    steps: int = 1
    booking: str | None = None
    ahead: int = 0
    eta_minutes: int = 0
    url: str | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is Priority.PRIORITY

    @classmethod
    def from_wire(cls, raw: object) -> IssuedTicket:
        what = "ticket"
        wire = _mapping(what, raw)
        return cls(
            id=_str(what, wire, "id"),
            number=_str(what, wire, "number"),
            service=_str(what, wire, "service"),
            priority=_enum(what, wire, "priority", Priority, Priority.REGULAR),
            status=_enum(what, wire, "status", Status),
            issued_at=_time(what, wire, "issued_at"),
            lang=_opt_str(what, wire, "lang") or "id",
            counter=_opt_str(what, wire, "counter"),
            calls=_int(what, wire, "calls"),
            step=_int(what, wire, "step", 1) or 1,
            steps=_int(what, wire, "steps", 1) or 1,
            booking=_opt_str(what, wire, "booking"),
            ahead=_int(what, wire, "ahead"),
            eta_minutes=_int(what, wire, "eta_minutes"),
            url=_opt_str(what, wire, "url"),
        )


@dataclass(frozen=True, slots=True)
class StaffView:
    """Who is logged in, as the `login` answer gives it: the roles, and the
    services or steps ("D:2") they may serve when the office file says (None:
    no limit)."""

    username: str
    name: str = ""
    roles: tuple[str, ...] = ()
    skills: tuple[str, ...] | None = None

    @classmethod
    def from_wire(cls, raw: object) -> StaffView:
        what = "staff"
        wire = _mapping(what, raw)
        roles = _texts(what, wire, "roles") or ()
        return cls(_str(what, wire, "username"), _opt_str(what, wire, "name") or "",
                   roles, _texts(what, wire, "skills"))


def _texts(what: str, raw: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    """An optional list of strings (None when absent)."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WireError(what, key, "is not a list of texts", value)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class CounterAnswer:
    """A counter as an answer carries it (`counter.open`, `ticket.call_next`, ...):
    the fields the console compares with its mirror."""

    id: str
    state: str
    services: tuple[str, ...]

    @classmethod
    def from_wire(cls, raw: object) -> CounterAnswer:
        what = "counter"
        wire = _mapping(what, raw)
        services = wire.get("services", [])
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise WireError(what, "services", "is not a list of service codes", services)
        return cls(_str(what, wire, "id"), _str(what, wire, "state"), tuple(services))


@dataclass(frozen=True, slots=True)
class CounterFigures:
    """One counter's line of today's figures (`stats.today`'s `counters`)."""

    served: int = 0
    no_show: int = 0
    service_minutes: float = 0.0

    @classmethod
    def from_wire(cls, raw: object) -> CounterFigures:
        what = "figures.counters[]"
        wire = _mapping(what, raw)
        return cls(_int(what, wire, "served"), _int(what, wire, "no_show"),
                   _float(what, wire, "service_minutes"))

    @classmethod
    def by_counter(cls, figures: object) -> dict[str, CounterFigures]:
        """Every counter's line in a `figures` object (`{"counters": {id: line}}`)."""
        counters = _mapping("figures", figures).get("counters") or {}
        return {str(counter): cls.from_wire(line)
                for counter, line in _mapping("figures.counters", counters).items()}


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """A complaint as `complaint.list` gives it (the shared contract in
    common.md, plus `overdue`)."""

    code: str
    category: str
    text: str
    status: str
    filed_at: str
    deadline: str
    ticket: str | None = None
    name: str | None = None
    contact: str | None = None
    reply: str | None = None
    overdue: bool = False

    @classmethod
    def from_wire(cls, raw: object) -> ComplaintView:
        what = "complaint"
        wire = _mapping(what, raw)
        overdue = wire.get("overdue", False)
        if not isinstance(overdue, bool):
            raise WireError(what, "overdue", "is not true or false", overdue)
        return cls(
            code=_str(what, wire, "code"),
            category=_str(what, wire, "category"),
            text=_opt_str(what, wire, "text") or "",
            status=_str(what, wire, "status"),
            filed_at=_opt_str(what, wire, "filed_at") or "",
            deadline=_opt_str(what, wire, "deadline") or "",
            ticket=_opt_str(what, wire, "ticket"),
            name=_opt_str(what, wire, "name"),
            contact=_opt_str(what, wire, "contact"),
            reply=_opt_str(what, wire, "reply"),
            overdue=overdue,
        )


def complaints_of(result: object) -> list[ComplaintView]:
    """The complaints of a `complaint.list` answer, in the order the server sends them."""
    complaints = _mapping("complaint.list", result).get("complaints", [])
    if not isinstance(complaints, list):
        raise WireError("complaint.list", "complaints", "is not a list", complaints)
    return [ComplaintView.from_wire(complaint) for complaint in complaints]


@dataclass(frozen=True, slots=True)
class BookingView:
    """One booking as `booking.list` gives it (its wire form plus the ticket it
    checked in with, if it has)."""

    code: str
    service: str
    start: str  # HH:MM, office time
    end: str
    name: str | None = None
    cancelled: bool = False
    ticket: str | None = None

    @property
    def state(self) -> str:
        """`cancelled`, `checked_in` or `booked` (the supervisor's words' keys)."""
        return ("cancelled" if self.cancelled
                else "checked_in" if self.ticket else "booked")

    @classmethod
    def from_wire(cls, raw: object) -> BookingView:
        what = "booking"
        wire = _mapping(what, raw)
        cancelled = wire.get("cancelled", False)
        if not isinstance(cancelled, bool):
            raise WireError(what, "cancelled", "is not true or false", cancelled)
        return cls(_str(what, wire, "code"), _str(what, wire, "service"),
                   _str(what, wire, "start"), _str(what, wire, "end"),
                   _opt_str(what, wire, "name"), cancelled, _opt_str(what, wire, "ticket"))

    @classmethod
    def list_from_wire(cls, result: object) -> list[BookingView]:
        """The bookings of a `booking.list` answer."""
        bookings = _mapping("booking.list", result).get("bookings", [])
        if not isinstance(bookings, list):
            raise WireError("booking.list", "bookings", "is not a list", bookings)
        return [cls.from_wire(booking) for booking in bookings]


@dataclass(frozen=True, slots=True)
class EventMessage:
    """An event frame as the server sent it: its name, time and data (the
    supervisor's live figures read the data as the monthly report does)."""

    name: str
    at: str
    data: dict[str, Any]

    @classmethod
    def from_wire(cls, raw: object) -> EventMessage:
        what = "event"
        wire = _mapping(what, raw)
        data = wire.get("data")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise WireError(what, "data", "is not an object", data)
        return cls(_str(what, wire, "name"), _str(what, wire, "at"), data)


@dataclass(frozen=True, slots=True)
class DeskAnswer:
    """What the console reads in the answer to one of its requests: the ticket as
    the request left it (None when call-next found nobody), or the counter, and
    for a completed ticket the survey's address."""

    ticket: IssuedTicket | None = None
    counter: CounterAnswer | None = None
    survey_url: str | None = None

    @classmethod
    def from_wire(cls, raw: object) -> DeskAnswer:
        wire = _mapping("answer", raw)
        ticket, counter = wire.get("ticket"), wire.get("counter")
        return cls(
            ticket=None if ticket is None else IssuedTicket.from_wire(ticket),
            counter=None if counter is None else CounterAnswer.from_wire(counter),
            survey_url=_opt_str("answer", wire, "survey_url"),
        )


@dataclass(frozen=True, slots=True)
class Refusal:
    """What an error answer carries beside its code and message (PROTOCOL.md:
    a refusal may say more): when to come back, for which day a booking is, the
    service a late visitor may take instead, a closure's own words, the services
    or steps a member of staff may not serve, how long a login stays locked."""

    time: str = ""  # booking_early: check in from HH:MM
    date: str = ""  # booking_other_day: the booking's day, YYYY-MM-DD
    walk_in: bool = False  # booking_late: a walk-in ticket may be taken instead
    service: str = ""  # booking_late: the booked service
    reason: dict[str, str] | None = None  # a closure's reason by language
    refused: tuple[str, ...] = ()  # services or steps the staff may not serve
    locked_seconds: float = 0.0  # unauthorized: the login is locked this long

    @property
    def walk_in_service(self) -> str:
        """The service a late visitor may take a walk-in ticket for, or ""."""
        return self.service if self.walk_in else ""

    @classmethod
    def from_wire(cls, raw: object) -> Refusal:
        what = "error"
        wire = _mapping(what, {} if raw is None else raw)
        walk_in = wire.get("walk_in", False)
        if not isinstance(walk_in, bool):
            raise WireError(what, "walk_in", "is not true or false", walk_in)
        reason = wire.get("reason")
        if reason is not None and not (isinstance(reason, Mapping) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in reason.items())):
            raise WireError(what, "reason", "is not a text by language", reason)
        refused = wire.get("refused", [])
        if not isinstance(refused, list) or not all(isinstance(r, str) for r in refused):
            raise WireError(what, "refused", "is not a list of services or steps", refused)
        return cls(
            time=_opt_str(what, wire, "time") or "",
            date=_opt_str(what, wire, "date") or "",
            walk_in=walk_in,
            service=_opt_str(what, wire, "service") or "",
            reason=dict(reason) if reason is not None else None,
            refused=tuple(refused),
            locked_seconds=_float(what, wire, "locked_seconds"),
        )

    @classmethod
    def read(cls, raw: object) -> Refusal:
        """`from_wire`, but a malformed detail is logged and dropped: the error's
        code still explains the refusal, in the user's language."""
        try:
            return cls.from_wire(raw)
        except WireError as exc:
            log.warning("an error answer's details cannot be read: %s", exc)
            return cls()
