"""The office file's calendar, steps, bookings and skills keys: what loads,
and every mistake refused with a message naming the key."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from antrean.core.calendar import Closed
from server.config import ConfigError, load_config
from tests.server.test_config import EXAMPLE, _write, office_file

JAKARTA = ZoneInfo("Asia/Jakarta")
HOURS = ('[office]\nname = "Kantor"\ntimezone = "Asia/Jakarta"\n'
         'hours = { mon = ["08:00-12:00", "13:00-16:00"], fri = ["08:00-11:30", "13:30-16:00"] }\n')
CALENDAR = ('[calendar]\nnational_holidays = true\ncuti_bersama = true\n'
            'closures = [ { date = 2026-03-23, name = { id = "Cuti bersama", en = "Leave" } } ]\n'
            'extra_days = [ { date = "2026-03-07", hours = ["08:00-12:00"] } ]\n'
            '[bookings]\nbefore_minutes = 20\nafter_minutes = 10\nlate_walk_in = false\n'
            'mark = "J"\nnumber_prefix = "J"\n')


def test_hours_breaks_holidays_closures_steps_bookings_and_skills_load(tmp_path: Path) -> None:
    services = ('[[services]]\ncode = "A"\nname = "Paspor Baru"\n'
                'steps = [ { id = "Verifikasi berkas", en = "Document check" }, '
                '{ id = "Foto & wawancara", en = "Photo & interview" } ]\n'
                '[[services]]\ncode = "C"\nname = "Pengambilan"\n'
                'hours = { mon = ["13:00-16:00"] }\n')
    staff = ('[[staff]]\nusername = "siti"\nskills = ["A:1", "C"]\n'
             f'pin_hash = "{_hash()}"\n')
    config = load_config(_write(tmp_path, office_file(
        office=HOURS + "\n" + CALENDAR, services=services, counters="[[counters]]\nid = 1\n",
        staff=staff)))
    office = config.office
    calendar = office.calendar
    assert calendar is not None and calendar.week is not None
    friday_noon = datetime(2026, 3, 6, 12, tzinfo=JAKARTA)
    assert calendar.state(friday_noon).closed is Closed.BREAK
    idul_fitri = calendar.days_off[date(2026, 3, 21)]  # as the holidays package lists it
    assert idul_fitri.kind is Closed.HOLIDAY and idul_fitri.name.id == "Hari Raya Idul Fitri"
    assert idul_fitri.name.en == "Eid al-Fitr"
    cuti = calendar.days_off[date(2026, 3, 24)]
    assert cuti.kind is Closed.CLOSURE and cuti.name.id.startswith("Cuti Bersama")
    assert calendar.days_off[date(2026, 3, 23)].name.en == "Leave"  # the file's own wins
    assert calendar.extra_days[date(2026, 3, 7)][0].start == time(8)
    a, c = office.services
    assert [s.en for s in a.steps] == ["Document check", "Photo & interview"]
    assert a.step_count == 2 and a.week is None and a.hours is None
    assert c.week is not None and c.week.on(1)[0].start == time(13)
    assert office.bookings is not None and office.bookings.number_prefix == "J"
    assert office.bookings.late_walk_in is False and office.bookings.before_minutes == 20
    assert config.staff[0].skills == ("A:1", "C")


def _hash() -> str:
    from tests.server.offices import quick_hash
    return quick_hash("1234")


@pytest.mark.parametrize(("section", "text", "named"), [
    ("office", HOURS.replace('"13:00-16:00"]', '"11:00-16:00"]', 1), "office.hours.mon"),
    ("office", HOURS.replace("fri =", "friday ="), "office.hours"),
    ("office", HOURS.replace('"08:00-11:30"', '"11:30-08:00"'), "office.hours.fri"),
    ("office", HOURS + "[calendar]\nclosures = [ { date = \"2026-02-30\", name = \"x\" } ]\n",
     "calendar.closures[0].date"),
    ("office", HOURS + "[calendar]\nclosures = [ { date = 2026-03-01 } ]\n",
     "calendar.closures[0].name"),
    ("office", HOURS + "[calendar]\nextra_days = [ { date = 2026-03-01, hours = \"x\" } ]\n",
     "calendar.extra_days[0].hours"),
    ("office", HOURS + "[calendar]\nholidays = true\n", "calendar.holidays"),
    ("office", HOURS + "[calendar]\nnational_holidays = \"yes\"\n",
     "calendar.national_holidays"),
    ("office", HOURS + "[bookings]\nbefore_minutes = -5\n", "bookings.before_minutes"),
    ("office", HOURS + "[bookings]\nnumber_prefix = \"j1\"\n", "bookings.number_prefix"),
    ("office", HOURS + "[bookings]\nlate_walk_in = 1\n", "bookings.late_walk_in"),
    ("office", HOURS + "[bookings]\nwindow = 5\n", "bookings.window"),
    ("services", '[[services]]\ncode = "A"\nname = "A"\nsteps = [ "Satu" ]\n',
     "services[0].steps"),
    ("services", '[[services]]\ncode = "A"\nname = "A"\nsteps = [ "Satu", 2 ]\n',
     "services[0].steps[1]"),
    ("staff", '[[staff]]\nusername = "siti"\nskills = ["Z"]\npin_hash = "{h}"\n',
     "staff[0].skills"),
    ("staff", '[[staff]]\nusername = "siti"\nskills = ["A:2"]\npin_hash = "{h}"\n',
     "staff[0].skills"),
])
def test_mistakes_name_the_key(tmp_path: Path, section: str, text: str, named: str) -> None:
    text = text.replace("{h}", _hash())
    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, office_file(**{section: text})))
    assert str(refused.value).startswith(named), str(refused.value)


def test_example_file_has_a_calendar_steps_and_bookings() -> None:
    office = load_config(EXAMPLE).office
    assert office.calendar is not None and office.calendar.week is not None
    assert any(s.step_count > 1 for s in office.services)
    assert office.bookings is not None
