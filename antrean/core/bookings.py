"""Appointments: a booking (code, service, day, slot) and the check-in rules.

A booking checks in once, on its own day, from `before_minutes` before its
slot to `after_minutes` after its start. The verdict is pure: the time is
passed in (office time), and a refusal is a `DomainError` whose code is the
protocol's (`booking_early` with the time to come back, `booking_late`,
`booking_other_day`, `booking_used`, `not_found`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from antrean.core.calendar import clock_text
from antrean.core.model import DomainError

JSON = dict[str, Any]
CODE_PATTERN = re.compile(r"^[A-Z0-9-]{3,40}$")


@dataclass(frozen=True, slots=True)
class BookingRules:
    """The office's check-in window and how a booked ticket is marked."""

    before_minutes: int = 30
    after_minutes: int = 15
    late_walk_in: bool = True  # a late visitor may take a walk-in ticket instead
    mark: str = "◆"  # the sign beside a booked ticket's number (★ marks priority)
    number_prefix: str = ""  # optional letters before a booked ticket's number


DEFAULT_RULES = BookingRules()


@dataclass(frozen=True, slots=True)
class Booking:
    code: str
    service: str
    day: date
    start: time
    end: time
    name: str | None = None
    cancelled: bool = False

    def slot_start(self, tz: Any) -> datetime:
        return datetime.combine(self.day, self.start, tz)

    def to_wire(self) -> JSON:
        return {
            "code": self.code,
            "service": self.service,
            "date": self.day.isoformat(),
            "start": self.start.strftime("%H:%M"),
            "end": self.end.strftime("%H:%M"),
            "name": self.name,
            "cancelled": self.cancelled,
        }

    @classmethod
    def from_wire(cls, raw: JSON) -> Booking:
        return cls(
            code=raw["code"], service=raw["service"], day=date.fromisoformat(raw["date"]),
            start=time.fromisoformat(raw["start"]), end=time.fromisoformat(raw["end"]),
            name=raw.get("name"), cancelled=bool(raw.get("cancelled", False)),
        )


def normalise_code(raw: str) -> str:
    """Codes are compared without case and surrounding blanks (scanners and
    on-screen keyboards differ)."""
    return raw.strip().upper()


def make_booking(code: str, service: str, day: str, start: str, end: str,
                 name: str | None = None) -> Booking:
    """A booking from its text fields, or `bad_request` naming the field."""
    code = normalise_code(code)
    if not CODE_PATTERN.match(code):
        raise DomainError("bad_request", "code: 3 to 40 letters, digits or dashes")
    if not service.strip():
        raise DomainError("bad_request", "service: missing")
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        raise DomainError("bad_request", f"date: {day!r} is not YYYY-MM-DD") from None
    try:
        first, last = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise DomainError("bad_request", "start and end: HH:MM") from None
    if last <= first:
        raise DomainError("bad_request", "end: must be after start")
    clean_name = name.strip() if name and name.strip() else None
    return Booking(code, service.strip(), when, first, last, clean_name)


def check_in_verdict(booking: Booking | None, used: bool, local: datetime,
                     rules: BookingRules) -> Booking:
    """The booking if it may check in at `local` (office time), else a refusal."""
    if booking is None or booking.cancelled:
        raise DomainError("not_found", "no such booking code")
    if used:
        raise DomainError("booking_used", f"booking {booking.code} has already checked in")
    if booking.day != local.date():
        raise DomainError("booking_other_day",
                          f"booking {booking.code} is for {booking.day.isoformat()}",
                          {"date": booking.day.isoformat()})
    slot = booking.slot_start(local.tzinfo)
    opens = slot - timedelta(minutes=rules.before_minutes)
    closes = slot + timedelta(minutes=rules.after_minutes)
    if local < opens:
        raise DomainError("booking_early", f"too early: check in from {clock_text(opens, 'en')}",
                          {"come_back_at": opens.isoformat(timespec="minutes"),
                           "time": opens.strftime("%H:%M")})
    if local > closes:
        raise DomainError("booking_late", f"too late: check-in closed at "
                          f"{clock_text(closes, 'en')}",
                          {"walk_in": rules.late_walk_in, "service": booking.service})
    return booking
