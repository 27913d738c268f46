"""The office calendar: breaks, holidays, closures, extra days, time zones, midnight."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from antrean.core.calendar import Calendar, Closed, DayOff, Period, WeekHours
from antrean.core.model import Text

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
P = Period.parse
WEEK = WeekHours({
    1: (P("08:00-12:00"), P("13:00-16:00")),
    2: (P("08:00-12:00"), P("13:00-16:00")),
    3: (P("08:00-12:00"), P("13:00-16:00")),
    4: (P("08:00-12:00"), P("13:00-16:00")),
    5: (P("08:00-11:30"), P("13:30-16:00")),
})
IDUL_FITRI = DayOff(date(2026, 3, 20), Text("Hari Raya Idul Fitri", "Eid al-Fitr"),
                    Closed.HOLIDAY)
CUTI = DayOff(date(2026, 3, 23), Text("Cuti bersama", "Collective leave"), Closed.CLOSURE)
CAL = Calendar(WEEK, {d.day: d for d in (IDUL_FITRI, CUTI)},
               {date(2026, 3, 7): (P("08:00-12:00"),)})  # an extra Saturday


def at(y: int, m: int, d: int, hh: int, mm: int = 0, tz: ZoneInfo = JAKARTA) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


def test_friday_prayer_break_and_its_reopening_in_both_languages() -> None:
    assert CAL.state(at(2026, 3, 6, 11, 29)).open
    state = CAL.state(at(2026, 3, 6, 11, 30))  # Friday, the break starts (end is exclusive)
    assert not state.open and state.closed is Closed.BREAK
    assert state.reopens_at == at(2026, 3, 6, 13, 30)
    assert state.reason("id") == "Istirahat — buka kembali pukul 13.30"
    assert state.reason("en") == "Break — opens again at 13:30"
    assert CAL.state(at(2026, 3, 6, 13, 30)).open


def test_monday_break_is_shorter_and_hours_have_edges() -> None:
    assert not CAL.state(at(2026, 3, 2, 12, 0)).open
    assert CAL.state(at(2026, 3, 2, 12, 0)).reopens_at == at(2026, 3, 2, 13, 0)
    before = CAL.state(at(2026, 3, 2, 7, 59))
    assert before.closed is Closed.BEFORE_HOURS and before.reopens_at == at(2026, 3, 2, 8, 0)
    assert CAL.state(at(2026, 3, 2, 8, 0)).open
    after = CAL.state(at(2026, 3, 2, 16, 0))
    assert after.closed is Closed.AFTER_HOURS and after.reopens_at == at(2026, 3, 3, 8, 0)
    assert "Selasa" in after.reason("id") and "pukul 08.00" in after.reason("id")


def test_holiday_names_itself_and_reopens_after_the_closure_that_follows() -> None:
    state = CAL.state(at(2026, 3, 20, 10))
    assert state.closed is Closed.HOLIDAY
    assert state.reason("id").startswith("Libur Nasional: Hari Raya Idul Fitri — buka kembali")
    assert state.reason("en").startswith("National holiday: Eid al-Fitr")
    # Sat 21 (no hours), Sun 22 (no hours), Mon 23 (cuti bersama) -> Tue 24 at 08:00
    assert state.reopens_at == at(2026, 3, 24, 8)
    cuti = CAL.state(at(2026, 3, 23, 9))
    assert cuti.closed is Closed.CLOSURE and cuti.reason("id").startswith("Kantor tutup: Cuti")


def test_weekend_and_extra_opening_day() -> None:
    sunday = CAL.state(at(2026, 3, 8, 10))
    assert sunday.closed is Closed.NOT_A_WORKING_DAY
    assert sunday.reopens_at == at(2026, 3, 9, 8)
    assert CAL.state(at(2026, 3, 7, 10)).open  # the extra Saturday
    assert CAL.state(at(2026, 3, 7, 12)).closed is Closed.AFTER_HOURS


def test_service_hours_replace_the_office_hours_but_not_its_days_off() -> None:
    afternoons = WeekHours({d: (P("13:00-16:00"),) for d in range(1, 6)})
    assert not CAL.state(at(2026, 3, 2, 10), afternoons).open
    assert CAL.state(at(2026, 3, 2, 14), afternoons).open
    assert not CAL.state(at(2026, 3, 20, 14), afternoons).open  # the holiday still holds


def test_office_time_zone_and_midnight() -> None:
    # 07:30 in Jakarta is 08:30 in Makassar: the office's own clock decides.
    utc_moment = at(2026, 3, 2, 7, 30).astimezone(ZoneInfo("UTC"))
    assert not CAL.state(utc_moment.astimezone(JAKARTA)).open
    assert CAL.state(utc_moment.astimezone(MAKASSAR)).open
    late = CAL.state(at(2026, 3, 2, 23, 59))
    assert late.reopens_at == at(2026, 3, 3, 8)
    assert CAL.state(at(2026, 3, 3, 0, 0)).closed is Closed.BEFORE_HOURS


def test_empty_calendar_is_always_open_and_the_wire_round_trips() -> None:
    assert Calendar().state(at(2026, 3, 20, 3)).open
    back = Calendar.from_wire(CAL.to_wire(date(2026, 3, 1)))
    for moment in (at(2026, 3, 6, 12), at(2026, 3, 20, 10), at(2026, 3, 7, 10)):
        assert back.state(moment) == CAL.state(moment)
    assert Calendar.from_wire(None) == Calendar()


def test_periods_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        Period.parse("12:00-08:00")
    with pytest.raises(ValueError):
        Period.parse("08:00")
    assert P("08:00-12:00") == Period(time(8), time(12))
