"""Check-in windows at their edges, and a booked ticket in the office."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from antrean.core.bookings import BookingRules, check_in_verdict, make_booking
from antrean.core.model import DomainError, Priority
from antrean.core.office import Office
from tests.core.builders import DAY, DEVICE, TZ, Clock, issue, new_office, open_counter

RULES = BookingRules(before_minutes=30, after_minutes=15)
BOOKING = make_booking("mp-123456", "A", DAY.isoformat(), "10:00", "10:30", "Siti")
SLOT = datetime.combine(DAY, time(10), TZ)


def verdict_code(local: datetime, used: bool = False, booking: object = BOOKING) -> str:
    try:
        check_in_verdict(booking, used, local, RULES)  # type: ignore[arg-type]
    except DomainError as exc:
        return exc.code
    return "ok"


def test_window_edges() -> None:
    assert verdict_code(SLOT - timedelta(minutes=30, seconds=1)) == "booking_early"
    assert verdict_code(SLOT - timedelta(minutes=30)) == "ok"
    assert verdict_code(SLOT + timedelta(minutes=15)) == "ok"
    assert verdict_code(SLOT + timedelta(minutes=15, seconds=1)) == "booking_late"
    assert verdict_code(SLOT + timedelta(days=1)) == "booking_other_day"
    assert verdict_code(SLOT, used=True) == "booking_used"
    assert verdict_code(SLOT, booking=None) == "not_found"


def test_early_says_when_to_come_back_and_late_offers_a_walk_in() -> None:
    with pytest.raises(DomainError) as early:
        check_in_verdict(BOOKING, False, SLOT - timedelta(hours=2), RULES)
    assert early.value.extra["time"] == "09:30"
    with pytest.raises(DomainError) as late:
        check_in_verdict(BOOKING, False, SLOT + timedelta(hours=1), RULES)
    assert late.value.extra == {"walk_in": True, "service": "A"}


def test_codes_are_normalised_and_fields_checked() -> None:
    assert BOOKING.code == "MP-123456"
    for args, field in ((("x", "A", "2026-03-02", "10:00", "10:30"), "code"),
                        (("ABC1", "A", "2026-13-02", "10:00", "10:30"), "date"),
                        (("ABC1", "A", "2026-03-02", "10:00", "09:30"), "end")):
        with pytest.raises(DomainError) as bad:
            make_booking(*args)
        assert bad.value.code == "bad_request" and bad.value.message.startswith(field)


def test_booked_ticket_checks_in_once_and_goes_ahead_once_its_slot_began() -> None:
    office, clock = new_office(), Clock(datetime.combine(DAY, time(9, 0), TZ))
    walk_in = issue(office, "A", clock.now)
    booked_events = office.check_in(BOOKING, "id", clock.tick(minutes=35))  # 09:35
    booked = booked_events[0].ticket
    assert booked is not None and booked.booking == "MP-123456"
    assert booked.slot_at == SLOT and booked_events[0].extra["via"] == "booking"
    with pytest.raises(DomainError) as again:
        office.check_in(BOOKING, "id", clock.tick())
    assert again.value.code == "booking_used"
    open_counter(office, "1", clock.tick())
    # 09:40: the slot has not begun: the walk-in who came first goes first.
    assert [t.id for t in office.waiting_order(clock.now)] == [walk_in.id, booked.id]
    clock.now = SLOT + timedelta(minutes=1)
    assert [t.id for t in office.waiting_order(clock.now)] == [booked.id, walk_in.id]
    called = office.call_next("1", DEVICE["1"], clock.now)[0].ticket
    assert called is not None and called.id == booked.id
    office.no_show(booked.id, DEVICE["1"], clock.tick())
    figures = office.figures()["services"]["A"]
    assert (figures["appointments"], figures["appointment_no_show"], figures["no_show"]) == (
        1, 1, 0)


def test_number_prefix_marks_a_booked_number() -> None:
    spec = new_office().spec
    office = Office(type(spec)(**{**spec.__dict__, "bookings": BookingRules(number_prefix="J")}),
                    DAY)
    events = office.check_in(BOOKING, "en", SLOT)
    assert events[0].ticket is not None and events[0].ticket.number == "JA001"
    assert office.find_ticket("JA001").booking == "MP-123456"
    assert issue(office, "A", SLOT, Priority.REGULAR).number == "A002"
    assert date(2026, 3, 2) == DAY
