"""Issue 12 through the real server: the calendar's refusals with their
reason, bookings (add, check in, cancel), two-step visits and staff skills."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection

from antrean.core.calendar import Calendar, Closed, DayOff, Period, WeekHours
from antrean.core.model import Text
from server.bookings import bookings_table
from server.config import StaffMember
from server.demo import DEMO_HASHES
from tests.server.databases import ON_BOTH_DATABASES
from tests.server.servers import Servers, app
from tests.server.test_security import config_with_limits
from tests.server.wire import RawClient
from tests.support import FakeClock, ServerThread, cached_demo_config, open_counter

Connect = Callable[..., RawClient]
FRIDAY = date(2026, 3, 6)
WEEK = WeekHours({5: (Period.parse("08:00-11:30"), Period.parse("13:30-16:00")),
                  1: (Period.parse("08:00-16:00"),)})
HOLIDAY = DayOff(date(2026, 3, 20), Text("Hari Raya Idul Fitri", "Eid al-Fitr"), Closed.HOLIDAY)


def jakarta(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh - 7, mm), UTC)  # Asia/Jakarta is UTC+7


def audit_of(server: ServerThread, code: str) -> tuple[str | None, str | None]:
    """(added_by, cancelled_by) of a booking, as the bookings table has them."""
    store = app(server).store

    def read(conn: Connection) -> tuple[str | None, str | None]:
        row = conn.execute(select(bookings_table.c.added_by, bookings_table.c.cancelled_by)
                           .where(bookings_table.c.code == code)).one()
        return row[0], row[1]

    return server.run(store._run(read))  # type: ignore[no-any-return]


def office_with_calendar() -> object:
    demo = cached_demo_config()
    skilled = StaffMember("rina", "Rina", ("counter",), DEMO_HASHES["1234"], ("A", "D:1"))
    return replace(demo, office=replace(demo.office, calendar=Calendar(
        WEEK, {HOLIDAY.day: HOLIDAY})), staff=(*demo.staff, skilled))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(jakarta(FRIDAY, 12))


@pytest.fixture
def calendar_server(servers: Servers, clock: FakeClock) -> ServerThread:
    return servers.start(office_with_calendar(), clock)  # type: ignore[arg-type]


def test_friday_break_refuses_with_the_reason_and_counters_go_on(
        calendar_server: ServerThread, connect: Connect, clock: FakeClock) -> None:
    kiosk = connect(calendar_server, "kiosk")
    services = {s["code"]: s for s in kiosk.welcome["snapshot"]["services"]}
    assert (services["A"]["open"], services["A"]["enabled"]) == (False, True)  # 12:00: break
    clock.now = jakarta(FRIDAY, 11)
    ticket = kiosk.ok("ticket.issue", service="A")["ticket"]
    clock.now = jakarta(FRIDAY, 12)
    answer = kiosk.request("ticket.issue", service="A")
    assert answer["code"] == "service_closed"
    assert answer["closed"] == "break"
    assert answer["reason"] == {"id": "Istirahat — buka kembali pukul 13.30",
                                "en": "Break — opens again at 13:30"}
    assert answer["reopens_at"] == "2026-03-06T13:30+07:00"
    counter = connect(calendar_server, "counter", "counter-1")
    open_counter(counter, "1", ["A"])
    called = counter.ok("ticket.call_next", counter="1")["ticket"]
    assert called["id"] == ticket["id"]
    assert counter.ok("ticket.complete", ticket=called["id"])["ticket"]["status"] == "done"
    clock.now = jakarta(FRIDAY, 13, 30)
    assert kiosk.ok("ticket.issue", service="A")["ticket"]["number"] == "A002"


def test_holiday_is_named(calendar_server: ServerThread, connect: Connect,
                          clock: FakeClock) -> None:
    clock.now = jakarta(HOLIDAY.day, 9)
    kiosk = connect(calendar_server, "kiosk")
    answer = kiosk.request("ticket.issue", service="B")
    assert answer["code"] == "service_closed" and answer["closed"] == "holiday"
    assert answer["reason"]["id"].startswith("Libur Nasional: Hari Raya Idul Fitri")
    welcome_calendar = kiosk.welcome["snapshot"]["office"]["calendar"]
    assert welcome_calendar["week"]["fri"] == ["08:00-11:30", "13:30-16:00"]


def test_skills_refuse_what_the_staff_may_not_serve(
        calendar_server: ServerThread, connect: Connect) -> None:
    counter = connect(calendar_server, "counter", "counter-4")
    counter.login("rina", "1234")
    answer = counter.request("counter.open", counter="4", services=["D"])
    assert answer["code"] == "forbidden" and answer["refused"] == ["D:2"]
    assert "D:2" in answer["message"]
    assert counter.request("counter.open", counter="4", services=["B"])["refused"] == ["B"]
    opened = counter.ok("counter.open", counter="4", services=["D"], steps=["D:1"])
    assert opened["counter"]["steps"] == ["D:1"]


@ON_BOTH_DATABASES
def test_bookings_add_check_in_once_and_cancel(
        servers: Servers, connect: Connect) -> None:
    clock = FakeClock(jakarta(FRIDAY, 9, 50))
    server = servers.start(clock=clock)
    supervisor = connect(server, "supervisor")
    supervisor.login()
    kiosk = connect(server, "kiosk")
    fields = {"code": "mp-0001", "service": "A", "date": "2026-03-06", "start": "10:00",
              "end": "10:30", "name": "Siti"}
    assert supervisor.ok("booking.add", **fields)["booking"]["code"] == "MP-0001"
    supervisor.ok("booking.add", **fields)  # the same again: nothing new
    assert supervisor.request("booking.add", **{**fields, "start": "10:15"})["code"] == "conflict"
    assert supervisor.request("booking.add", **{**fields, "code": "x"})["code"] == "bad_request"
    assert supervisor.request("booking.add", **{**fields, "code": "MP-9",
                                                 "service": "Z"})["code"] == "not_found"
    supervisor.ok("booking.add", **{**fields, "code": "MP-0002", "date": "2026-03-09"})
    supervisor.ok("booking.add", **{**fields, "code": "MP-0003", "start": "09:00",
                                    "end": "09:30"})
    supervisor.ok("booking.add", **{**fields, "code": "MP-0004", "start": "11:00",
                                    "end": "11:30"})
    assert kiosk.request("booking.check_in", code="NOPE")["code"] == "not_found"
    assert kiosk.request("booking.check_in", code="MP-0002")["code"] == "booking_other_day"
    late = kiosk.request("booking.check_in", code="MP-0003")
    assert late["code"] == "booking_late" and late["walk_in"] is True
    early = kiosk.request("booking.check_in", code="mp-0004")
    assert early["code"] == "booking_early" and early["time"] == "10:30"
    ticket = kiosk.ok("booking.check_in", code=" mp-0001 ", lang="en")["ticket"]
    assert ticket["booking"] == "MP-0001" and ticket["status"] == "waiting"
    assert kiosk.request("booking.check_in", code="MP-0001")["code"] == "booking_used"
    listed = supervisor.ok("booking.list")["bookings"]
    assert {b["code"]: b["ticket"] for b in listed}["MP-0001"] == ticket["id"]
    assert supervisor.ok("booking.cancel", code="MP-0004")["booking"]["cancelled"]
    assert kiosk.request("booking.check_in", code="MP-0004")["code"] == "not_found"
    assert supervisor.request("booking.cancel", code="NOPE")["code"] == "not_found"
    assert audit_of(server, "MP-0004") == ("demo", "demo")  # who added it, who cancelled it
    # A restart keeps the check-in: the code stays used.
    again = servers.restart(server)
    kiosk2 = connect(again, "kiosk", "kiosk-2")
    assert kiosk2.request("booking.check_in", code="MP-0001")["code"] == "booking_used"


def test_two_step_visit_over_the_wire(server: ServerThread, connect: Connect) -> None:
    kiosk = connect(server, "kiosk")
    display = connect(server, "display")
    first = connect(server, "counter", "counter-4")
    second = connect(server, "counter", "counter-6")
    open_counter(first, "4", ["D"])
    second.login()
    second.ok("counter.open", counter="6", services=["D"], steps=["D:2"])
    first.ok("counter.open", counter="4", services=["D"], steps=["D:1"])
    ticket = kiosk.ok("ticket.issue", service="D")["ticket"]
    assert (ticket["step"], ticket["steps"]) == (1, 2)
    assert second.ok("ticket.call_next", counter="6")["ticket"] is None
    first.ok("ticket.call_next", counter="4")
    moved = first.ok("ticket.complete", ticket=ticket["id"])["ticket"]
    assert (moved["status"], moved["step"], moved["number"]) == ("waiting", 2, ticket["number"])
    advanced = display.event("ticket.advanced")
    assert advanced["data"]["step_name"] == {"id": "Wawancara & biometrik",
                                             "en": "Interview & biometrics"}
    called = second.ok("ticket.call_next", counter="6")["ticket"]
    assert called["id"] == ticket["id"] and called["step"] == 2
    back = second.ok("ticket.send_back", ticket=ticket["id"], reason="Paspor kurang")["ticket"]
    assert (back["status"], back["step"]) == ("waiting", 1)
    first.ok("ticket.call_next", counter="4")
    first.ok("ticket.complete", ticket=ticket["id"])
    second.ok("ticket.call_next", counter="6")
    assert second.ok("ticket.complete", ticket=ticket["id"])["ticket"]["status"] == "done"


def test_ticket_rows_keep_step_and_booking_and_a_restart_keeps_the_visit(
        servers: Servers, connect: Connect) -> None:
    clock = FakeClock(jakarta(FRIDAY, 9, 50))
    server = servers.start(clock=clock)
    supervisor = connect(server, "supervisor")
    supervisor.login()
    supervisor.ok("booking.add", code="MP-0009", service="D", date="2026-03-06",
                  start="10:00", end="10:30")
    kiosk = connect(server, "kiosk")
    booked = kiosk.ok("booking.check_in", code="MP-0009")["ticket"]
    counter = connect(server, "counter", "counter-4")
    open_counter(counter, "4", ["D"])
    counter.ok("ticket.call_next", counter="4")
    counter.ok("ticket.complete", ticket=booked["id"])
    rows = server.run(server.server.store.tickets_of_day(FRIDAY))  # type: ignore[union-attr]
    assert [(r["number"], r["step"], r["steps"], r["booking"], r["status"]) for r in rows] == [
        ("D001", 2, 2, "MP-0009", "waiting")]
    assert rows[0]["slot_at"].startswith("2026-03-06T10:00")
    again = servers.restart(server)
    counter2 = connect(again, "counter", "counter-6")
    open_counter(counter2, "6", ["D"])
    called = counter2.ok("ticket.call_next", counter="6")["ticket"]
    assert (called["number"], called["step"], called["booking"]) == ("D001", 2, "MP-0009")
    assert counter2.ok("ticket.complete", ticket=called["id"])["ticket"]["status"] == "done"


def test_check_ins_count_against_the_kiosks_issue_limit(servers: Servers,
                                                        connect: Connect) -> None:
    """Guessing codes at a kiosk is as slow as taking numbers there."""
    server = servers.start(config_with_limits(issue_per_minute=3, requests_per_second=50))
    kiosk = connect(server, "kiosk", "kiosk-1")
    codes = [kiosk.request("booking.check_in", code=f"GUESS-{n}")["code"] for n in range(4)]
    assert codes == ["not_found", "not_found", "not_found", "rate_limited"]
    assert kiosk.request("ticket.issue", service="A")["code"] == "rate_limited"
