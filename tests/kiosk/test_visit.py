"""Whether a service may be chosen, and the date on the kiosk's clock (no Qt)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from antrean.core.model import OpeningHours, Service, ServiceSpec, Text
from antrean.views import IssuedTicket
from kiosk.visit import Visit, availability, long_date

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)
WEEKDAYS_8_TO_15 = OpeningHours(time(8), time(15), frozenset(range(1, 6)))
SERVICE = Service(ServiceSpec("A", "A", Text("Paspor Baru", "New Passport"),
                              hours=WEEKDAYS_8_TO_15), quota=3)


def test_open_service_within_hours_and_quota_can_be_chosen() -> None:
    assert availability(SERVICE, MONDAY_10).choosable
    assert availability(SERVICE, MONDAY_10).reason("id") == ""


def test_each_reason_has_its_own_words() -> None:
    closed = availability(replace(SERVICE, open=False), MONDAY_10)
    early = availability(SERVICE, MONDAY_10.replace(hour=7, minute=59))
    sunday = availability(SERVICE, datetime(2026, 11, 22, 10, 0, tzinfo=JAKARTA))
    used_up = availability(replace(SERVICE, issued=3), MONDAY_10)
    assert [a.choosable for a in (closed, early, sunday, used_up)] == [False] * 4
    assert closed.reason("id") == "Layanan sedang ditutup"
    assert early.reason("id") == "Buka pukul 08:00–15:00"
    assert early.reason("en") == "Open 08:00–15:00"
    assert sunday.reason("en") == "Not open today"
    assert used_up.reason("id") == "Kuota hari ini sudah habis"


def test_closed_by_staff_is_said_before_the_hours() -> None:
    at_night = MONDAY_10.replace(hour=22)
    assert availability(replace(SERVICE, open=False), at_night).reason("en") == (
        "Closed at the moment")


def test_closing_time_itself_is_closed() -> None:
    assert not availability(SERVICE, MONDAY_10.replace(hour=15)).choosable


def test_long_date_in_both_languages() -> None:
    assert long_date(MONDAY_10, "id") == "Senin, 23 November 2026"
    assert long_date(MONDAY_10, "en") == "Monday, 23 November 2026"
    assert long_date(datetime(2027, 8, 17, tzinfo=JAKARTA), "id") == "Selasa, 17 Agustus 2027"


def test_a_visit_is_issuing_only_between_request_and_ticket() -> None:
    visit = Visit("id")
    assert not visit.issuing
    visit.request_id = "kiosk-1-abc-1"
    assert visit.issuing
    visit.ticket = IssuedTicket.from_wire({
        "id": "2026-11-23-A001", "number": "A001", "service": "A", "status": "waiting",
        "issued_at": "2026-11-23T09:00:00+07:00"})
    assert not visit.issuing
