"""The office calendar: opening hours per weekday with breaks, days off
(national holidays, the office's own closures) and extra opening days.

Pure data and arithmetic: the holidays themselves come from the office's
configuration (the server fills them in from the `holidays` package), and
the time is always passed in, in office time. `Calendar()` with nothing in it
is open at every hour of every day (the demo office).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from antrean.core.model import Text
from antrean.i18n import tr

JSON = dict[str, Any]
# How far ahead a reopening is looked for (a closed service says "closed" beyond that).
REOPEN_HORIZON_DAYS = 60
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Closed(StrEnum):
    """Why a service does not take tickets at a moment."""

    BREAK = "break"  # between two periods of the same day
    BEFORE_HOURS = "before_hours"  # today's first period has not begun
    AFTER_HOURS = "after_hours"  # today's last period is over
    NOT_A_WORKING_DAY = "not_a_working_day"  # no hours on this weekday
    HOLIDAY = "holiday"  # a national holiday
    CLOSURE = "closure"  # the office's own closure date (cuti bersama, ...)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One stretch of opening time within a day, `start` inclusive, `end` exclusive."""

    start: time
    end: time

    def to_wire(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def parse(cls, raw: str) -> Period:
        """`"08:00-12:00"`; ValueError when it is not that or ends before it starts."""
        first, sep, second = raw.partition("-")
        if not sep:
            raise ValueError(f"{raw!r} is not HH:MM-HH:MM")
        start, end = time.fromisoformat(first.strip()), time.fromisoformat(second.strip())
        if end <= start:
            raise ValueError(f"{raw!r} ends before it starts")
        return cls(start, end)


Periods = tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class WeekHours:
    """Opening periods per ISO weekday (1 = Monday); a weekday left out is closed."""

    days: Mapping[int, Periods]

    def on(self, weekday: int) -> Periods:
        return self.days.get(weekday, ())

    def to_wire(self) -> JSON:
        return {
            WEEKDAY_KEYS[d - 1]: [p.to_wire() for p in periods]
            for d, periods in sorted(self.days.items())
        }

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> WeekHours:
        return cls({
            WEEKDAY_KEYS.index(key) + 1: tuple(Period.parse(p) for p in periods)
            for key, periods in raw.items()
        })

    @classmethod
    def one_window(cls, start: time, end: time, days: frozenset[int]) -> WeekHours:
        """The older `hours = { from, to, days }` form: one window, no break."""
        return cls({d: (Period(start, end),) for d in sorted(days)})


@dataclass(frozen=True, slots=True)
class DayOff:
    day: date
    name: Text
    kind: Closed = Closed.CLOSURE  # HOLIDAY or CLOSURE

    def to_wire(self) -> JSON:
        return {"date": self.day.isoformat(), "name": self.name.to_wire(), "kind": self.kind.value}

    @classmethod
    def from_wire(cls, raw: JSON) -> DayOff:
        return cls(date.fromisoformat(raw["date"]), Text.from_wire(raw["name"]),
                   Closed(raw.get("kind", "closure")))


@dataclass(frozen=True, slots=True)
class OpenState:
    """Whether a service takes tickets now; when not, why and when it opens again."""

    open: bool
    closed: Closed | None = None
    name: Text | None = None  # the holiday's or closure's name
    reopens_at: datetime | None = None

    def reason(self, lang: str) -> str:
        """The words the kiosk, the displays and the error show ("Istirahat — buka
        kembali pukul 13.30", "Libur Nasional: Hari Raya Idul Fitri — ...")."""
        if self.open or self.closed is None:
            return ""
        head = tr(f"calendar.closed.{self.closed.value}", lang,
                  name=self.name.get(lang) if self.name else "")
        if self.reopens_at is None:
            return head
        return f"{head} — {reopening_text(self.reopens_at, self.closed, lang)}"

    def to_wire(self) -> JSON:
        """What rides on a `service_closed` error beside its message."""
        return {
            "closed": self.closed.value if self.closed else None,
            "reason": {"id": self.reason("id"), "en": self.reason("en")},
            "reopens_at": self.reopens_at.isoformat(timespec="minutes")
            if self.reopens_at else None,
        }


def clock_text(moment: time | datetime, lang: str) -> str:
    """13.30 in Indonesian usage, 13:30 in English."""
    return moment.strftime("%H:%M" if lang == "en" else "%H.%M")


def reopening_text(at: datetime, closed: Closed, lang: str) -> str:
    if closed is Closed.BREAK:
        return tr("calendar.reopens_today", lang, time=clock_text(at, lang))
    if closed is Closed.BEFORE_HOURS:
        return tr("calendar.opens_today", lang, time=clock_text(at, lang))
    weekdays = tr("kiosk.weekdays", lang).split(",")
    months = tr("kiosk.months", lang).split(",")
    return tr("calendar.reopens_on", lang, weekday=weekdays[at.weekday()], day=at.day,
              month=months[at.month - 1], time=clock_text(at, lang))


@dataclass(frozen=True)
class Calendar:
    """The office's days: `week` is the office's hours (None: open all day),
    `days_off` its holidays and closures, `extra_days` extra opening days with
    their periods (they win over the weekday's hours, not over a day off)."""

    week: WeekHours | None = None
    days_off: Mapping[date, DayOff] = field(default_factory=dict)
    extra_days: Mapping[date, Periods] = field(default_factory=dict)

    def periods(self, day: date, week: WeekHours | None) -> Periods | None:
        """The opening periods of `day` (None: all day long)."""
        if day in self.days_off:
            return ()
        if day in self.extra_days:
            return self.extra_days[day]
        hours = week or self.week
        if hours is None:
            return None
        return hours.on(day.isoweekday())

    def state(self, local: datetime, week: WeekHours | None = None) -> OpenState:
        """Open or closed at `local` (office time), for a service whose own hours
        are `week` (None: the office's)."""
        day = local.date()
        periods = self.periods(day, week)
        if periods is None:
            return OpenState(True)
        now = local.time()
        if any(p.start <= now < p.end for p in periods):
            return OpenState(True)
        off = self.days_off.get(day)
        if off is not None:
            closed, name = off.kind, off.name
        elif not periods:
            closed, name = Closed.NOT_A_WORKING_DAY, None
        elif now < periods[0].start:
            closed, name = Closed.BEFORE_HOURS, None
        elif now >= max(p.end for p in periods):
            closed, name = Closed.AFTER_HOURS, None
        else:
            closed, name = Closed.BREAK, None
        return OpenState(False, closed, name, self.reopens(local, week))

    def reopens(self, local: datetime, week: WeekHours | None = None) -> datetime | None:
        """The next moment after `local` at which the service opens."""
        for offset in range(REOPEN_HORIZON_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            periods = self.periods(day, week)
            if periods is None:
                return datetime.combine(day, time(0), local.tzinfo)
            for period in sorted(periods):
                start = datetime.combine(day, period.start, local.tzinfo)
                if start > local:
                    return start
        return None

    def to_wire(self, around: date, days: int = 400) -> JSON:
        """The calendar for clients' mirrors: the days off and extra days from
        `around` (the office day) for `days` days."""
        last = around + timedelta(days=days)
        return {
            "week": self.week.to_wire() if self.week else None,
            "days_off": [off.to_wire() for d, off in sorted(self.days_off.items())
                         if around <= d <= last],
            "extra_days": {d.isoformat(): [p.to_wire() for p in periods]
                           for d, periods in sorted(self.extra_days.items())
                           if around <= d <= last},
        }

    @classmethod
    def from_wire(cls, raw: JSON | None) -> Calendar:
        if not raw:
            return cls()
        return cls(
            week=WeekHours.from_wire(raw["week"]) if raw.get("week") else None,
            days_off={off.day: off for off in map(DayOff.from_wire, raw.get("days_off", []))},
            extra_days={date.fromisoformat(d): tuple(Period.parse(p) for p in periods)
                        for d, periods in (raw.get("extra_days") or {}).items()},
        )
