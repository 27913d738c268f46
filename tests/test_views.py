"""The typed views of server frames (antrean/views.py): what the apps read, and the
clear error a malformed frame gets instead of a crash deep in a widget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from antrean.core.model import Priority, Status, Ticket
from antrean.core.office import TicketView
from antrean.views import (
    BookingView,
    ComplaintView,
    CounterAnswer,
    CounterFigures,
    DeskAnswer,
    EventMessage,
    IssuedTicket,
    Refusal,
    StaffView,
    WireError,
    complaints_of,
)

JAKARTA = timezone(timedelta(hours=7))


def wire(**changes: Any) -> dict[str, Any]:
    ticket: dict[str, Any] = {
        "id": "2026-11-23-A012", "number": "A012", "service": "A", "priority": "regular",
        "status": "waiting", "issued_at": "2026-11-23T09:15:02.123+07:00", "lang": "id",
        "ahead": 4, "eta_minutes": 20,
    }
    ticket.update(changes)
    return {k: v for k, v in ticket.items() if v is not ...}


def test_an_issued_ticket_reads_every_field_the_kiosk_shows() -> None:
    ticket = IssuedTicket.from_wire(wire(priority="priority", booking="MP-7", step=2, steps=3,
                                         counter="3", calls=1, url="https://x/t/abc"))
    assert ticket == IssuedTicket(
        id="2026-11-23-A012", number="A012", service="A", priority=Priority.PRIORITY,
        status=Status.WAITING, issued_at=datetime(2026, 11, 23, 9, 15, 2, 123000, JAKARTA),
        lang="id", counter="3", calls=1, step=2, steps=3, booking="MP-7", ahead=4,
        eta_minutes=20, url="https://x/t/abc")
    assert ticket.is_priority


def test_optional_fields_take_the_defaults_the_screens_used() -> None:
    ticket = IssuedTicket.from_wire(wire(priority=..., lang=..., ahead=None, eta_minutes=...,
                                         step=None, steps=0, booking="", url=None))
    assert (ticket.priority, ticket.lang, ticket.ahead, ticket.eta_minutes) == (
        Priority.REGULAR, "id", 0, 0)
    assert (ticket.step, ticket.steps, ticket.booking, ticket.url) == (1, 1, None, None)
    assert not ticket.is_priority


def test_the_domain_ticket_and_its_view_decode_alike() -> None:
    """What the server sends is exactly what the view reads: the domain's own wire
    form with where the ticket stands."""
    domain = Ticket(id="2026-11-23-B003", number="B003", service="B",
                    priority=Priority.PRIORITY, status=Status.CALLED,
                    issued_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC), counter="2", calls=2,
                    step=1, steps=2, booking="MP-1")
    view = IssuedTicket.from_wire(TicketView(domain, 3, 12).to_wire())
    assert (view.id, view.number, view.service, view.priority, view.status) == (
        domain.id, domain.number, domain.service, domain.priority, domain.status)
    assert (view.issued_at, view.counter, view.calls, view.steps, view.booking) == (
        domain.issued_at, "2", 2, 2, "MP-1")
    assert (view.ahead, view.eta_minutes) == (3, 12)


@pytest.mark.parametrize(("changes", "complaint"), [
    ({"number": ...}, "ticket: 'number' is missing"),
    ({"number": ""}, "ticket: 'number' is missing"),
    ({"id": None}, "ticket: 'id' is missing"),
    ({"number": 12}, "ticket: 'number' is not text: 12"),
    ({"status": "lost"}, "ticket: 'status' is not one of"),
    ({"status": ...}, "ticket: 'status' is not one of"),
    ({"priority": 1}, "ticket: 'priority' is not one of"),
    ({"issued_at": "tomorrow"}, "ticket: 'issued_at' is not an ISO 8601 time: 'tomorrow'"),
    ({"ahead": "4"}, "ticket: 'ahead' is not a whole number: '4'"),
    ({"eta_minutes": 2.5}, "ticket: 'eta_minutes' is not a whole number"),
    ({"calls": True}, "ticket: 'calls' is not a whole number"),
    ({"url": ["x"]}, "ticket: 'url' is not text"),
])
def test_a_malformed_ticket_names_its_field(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(WireError) as caught:
        IssuedTicket.from_wire(wire(**changes))
    assert str(caught.value).startswith(complaint)
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError still do


@pytest.mark.parametrize("raw", [None, "A012", ["A012"], 7])
def test_a_ticket_that_is_not_an_object_is_refused(raw: object) -> None:
    with pytest.raises(WireError, match=r"ticket: '\(frame\)' is not an object"):
        IssuedTicket.from_wire(raw)


def test_a_counter_answer() -> None:
    assert CounterAnswer.from_wire({"id": "3", "state": "open", "services": ["A", "B"],
                                    "name": {"id": "Loket 3", "en": "Counter 3"}}) == (
        CounterAnswer("3", "open", ("A", "B")))
    assert CounterAnswer.from_wire({"id": "3", "state": "closed"}).services == ()
    with pytest.raises(WireError, match="'services' is not a list of service codes"):
        CounterAnswer.from_wire({"id": "3", "state": "open", "services": "AB"})
    with pytest.raises(WireError, match="counter: 'state' is missing"):
        CounterAnswer.from_wire({"id": "3"})


def test_a_counters_figures() -> None:
    figures = {"counters": {"3": {"served": 5, "no_show": 1, "service_minutes": 6.5},
                            "4": {"served": 0}}, "services": {}}
    assert CounterFigures.by_counter(figures) == {"3": CounterFigures(5, 1, 6.5),
                                                  "4": CounterFigures(0, 0, 0.0)}
    assert CounterFigures.by_counter({}) == {}
    assert CounterFigures.from_wire({"served": 2, "service_minutes": 4}) == CounterFigures(
        2, 0, 4.0)
    with pytest.raises(WireError, match="'served' is not a whole number"):
        CounterFigures.by_counter({"counters": {"3": {"served": "5"}}})
    with pytest.raises(WireError, match="'service_minutes' is not a number"):
        CounterFigures.from_wire({"service_minutes": "six"})
    with pytest.raises(WireError, match=r"figures\.counters"):
        CounterFigures.by_counter({"counters": [1]})
    with pytest.raises(WireError, match=r"figures: '\(frame\)' is not an object"):
        CounterFigures.by_counter(None)


def test_a_complaint() -> None:
    raw = {"code": "ADU-7K2Q", "category": "pelayanan", "text": "Antrean lama",
           "ticket": None, "service": "A", "name": "Budi", "contact": "",
           "status": "diterima", "reply": None, "filed_at": "2026-11-23T09:00:00+07:00",
           "updated_at": "2026-11-23T09:00:00+07:00", "deadline": "2026-12-07T09:00:00+07:00",
           "overdue": True}
    complaint = ComplaintView.from_wire(raw)
    assert complaint == ComplaintView(
        code="ADU-7K2Q", category="pelayanan", text="Antrean lama", status="diterima",
        filed_at="2026-11-23T09:00:00+07:00", deadline="2026-12-07T09:00:00+07:00",
        ticket=None, name="Budi", contact=None, reply=None, overdue=True)
    assert not ComplaintView.from_wire({k: v for k, v in raw.items() if k != "overdue"}).overdue
    with pytest.raises(WireError, match="complaint: 'overdue' is not true or false"):
        ComplaintView.from_wire({**raw, "overdue": "yes"})
    with pytest.raises(WireError, match="complaint: 'code' is missing"):
        ComplaintView.from_wire({**raw, "code": None})
    assert complaints_of({"complaints": [raw, raw]}) == [complaint, complaint]
    assert complaints_of({}) == []
    with pytest.raises(WireError, match=r"complaint\.list: 'complaints' is not a list"):
        complaints_of({"complaints": {"ADU-7K2Q": raw}})
    with pytest.raises(WireError, match="complaint: 'status' is missing"):
        complaints_of({"complaints": [raw, {**raw, "status": ""}]})


def test_a_desk_answer() -> None:
    ticket = wire(status="done", counter="3", calls=1)
    assert DeskAnswer.from_wire({"ticket": ticket, "survey_url": "https://x/s/1"}) == DeskAnswer(
        IssuedTicket.from_wire(ticket), None, "https://x/s/1")
    assert DeskAnswer.from_wire({"ticket": None}) == DeskAnswer()
    assert DeskAnswer.from_wire({"counter": {"id": "3", "state": "paused"}}).counter == (
        CounterAnswer("3", "paused", ()))
    with pytest.raises(WireError, match="ticket: 'status' is not one of"):
        DeskAnswer.from_wire({"ticket": wire(status=None)})
    with pytest.raises(WireError, match="answer: 'survey_url' is not text"):
        DeskAnswer.from_wire({"ticket": ticket, "survey_url": 5})


def test_a_refusal_says_more_than_its_code() -> None:
    assert Refusal.from_wire({"type": "error", "id": "r1", "code": "booking_late",
                              "message": "too late", "walk_in": True, "service": "D"}
                             ).walk_in_service == "D"
    assert Refusal.from_wire({"code": "booking_late", "walk_in": False, "service": "D"}
                             ).walk_in_service == ""
    early = Refusal.from_wire({"code": "booking_early", "time": "09:30",
                               "come_back_at": "2026-03-04T09:30+07:00"})
    assert (early.time, early.date, early.reason, early.refused) == ("09:30", "", None, ())
    closed = Refusal.from_wire({"code": "service_closed",
                                "reason": {"id": "Istirahat", "en": "Break"}})
    assert closed.reason == {"id": "Istirahat", "en": "Break"}
    assert Refusal.from_wire({"refused": ["A", "D:2"]}).refused == ("A", "D:2")
    assert Refusal.from_wire({"locked_seconds": 90}).locked_seconds == 90.0
    assert Refusal.from_wire(None) == Refusal()


@pytest.mark.parametrize(("raw", "complaint"), [
    ({"walk_in": "yes"}, "error: 'walk_in' is not true or false"),
    ({"reason": "Istirahat"}, "error: 'reason' is not a text by language"),
    ({"reason": {"id": 1}}, "error: 'reason' is not a text by language"),
    ({"refused": "A"}, "error: 'refused' is not a list of services or steps"),
    ({"locked_seconds": "90"}, "error: 'locked_seconds' is not a number"),
    ({"time": 930}, "error: 'time' is not text"),
    ("unauthorized", "error: '(frame)' is not an object"),
])
def test_a_malformed_refusal_names_its_field_or_is_read_as_none(
    raw: object, complaint: str, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(WireError) as caught:
        Refusal.from_wire(raw)
    assert str(caught.value).startswith(complaint)
    assert Refusal.read(raw) == Refusal()  # the code alone still explains it
    assert complaint in caplog.text


def test_who_is_logged_in() -> None:
    assert StaffView.from_wire({"username": "budi", "name": "Budi", "roles": ["counter"],
                                "skills": ["A", "D:2"]}) == StaffView(
        "budi", "Budi", ("counter",), ("A", "D:2"))
    anyone = StaffView.from_wire({"username": "demo", "name": "Demo",
                                  "roles": ["counter", "supervisor"]})
    assert anyone.skills is None and "supervisor" in anyone.roles
    assert StaffView.from_wire({"username": "demo"}) == StaffView("demo", "", (), None)
    with pytest.raises(WireError, match="staff: 'skills' is not a list of texts"):
        StaffView.from_wire({"username": "demo", "skills": "A"})
    with pytest.raises(WireError, match="staff: 'username' is missing"):
        StaffView.from_wire({"name": "Demo"})
    with pytest.raises(WireError, match="is not an object"):
        StaffView.from_wire(None)


def test_bookings_and_their_states() -> None:
    booked = {"code": "MP-7777", "service": "B", "date": "2026-03-04", "start": "09:00",
              "end": "09:30", "name": "Budi", "cancelled": False, "ticket": None}
    listed = BookingView.list_from_wire({"bookings": [
        booked, {**booked, "cancelled": True}, {**booked, "ticket": "2026-03-04-B001",
                                                "name": None}]})
    assert listed[0] == BookingView("MP-7777", "B", "09:00", "09:30", "Budi", False, None)
    assert [b.state for b in listed] == ["booked", "cancelled", "checked_in"]
    assert listed[2].name is None
    assert BookingView.list_from_wire({}) == []
    with pytest.raises(WireError, match="booking: 'cancelled' is not true or false"):
        BookingView.from_wire({**booked, "cancelled": "no"})
    with pytest.raises(WireError, match="booking: 'start' is missing"):
        BookingView.list_from_wire({"bookings": [{**booked, "start": None}]})
    with pytest.raises(WireError, match=r"booking\.list: 'bookings' is not a list"):
        BookingView.list_from_wire({"bookings": booked})


def test_an_event_frame() -> None:
    frame = {"type": "event", "seq": 7, "name": "ticket.issued",
             "at": "2026-03-04T09:00:00.000+07:00", "data": {"ticket": {"id": "x"}}}
    assert EventMessage.from_wire(frame) == EventMessage(
        "ticket.issued", "2026-03-04T09:00:00.000+07:00", {"ticket": {"id": "x"}})
    assert EventMessage.from_wire({**frame, "data": None}).data == {}
    with pytest.raises(WireError, match="event: 'data' is not an object"):
        EventMessage.from_wire({**frame, "data": [1]})
    with pytest.raises(WireError, match="event: 'name' is missing"):
        EventMessage.from_wire({**frame, "name": ""})
