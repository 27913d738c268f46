"""Wire forms of the domain objects: what goes out comes back the same, since
the store, the restart replay and every client mirror read them back."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from antrean.core.model import (
    Counter,
    CounterSpec,
    CounterState,
    DeviceStatus,
    OpeningHours,
    Priority,
    Service,
    ServiceSpec,
    StaffRef,
    Status,
    Text,
    Ticket,
)
from tests.core.builders import OPENING, TZ


def through_json(wire: object) -> object:
    return json.loads(json.dumps(wire))


moments = st.integers(0, 10 * 24 * 3600 * 1000).map(
    lambda ms: OPENING + timedelta(milliseconds=ms)
)
words = st.text(min_size=1, max_size=20).filter(str.strip)


@given(
    number=st.integers(1, 2000),
    priority=st.sampled_from(Priority),
    status=st.sampled_from(Status),
    times=st.lists(st.one_of(st.none(), moments), min_size=4, max_size=4),
    counter=st.one_of(st.none(), st.sampled_from(["1", "12"])),
    calls=st.integers(0, 9),
    origin=st.one_of(st.none(), st.just("B")),
    reason=st.one_of(st.none(), st.just("day_end")),
    lang=st.sampled_from(["id", "en"]),
)
def test_ticket_round_trip(
    number: int, priority: Priority, status: Status, times: list[datetime | None],
    counter: str | None, calls: int, origin: str | None, reason: str | None, lang: str,
) -> None:
    issued, called, started, finished = times
    ticket = Ticket(
        id=f"2026-03-02-A{number:03d}", number=f"A{number:03d}", service="A",
        priority=priority, status=status, issued_at=issued or OPENING, lang=lang,
        called_at=called, started_at=started, finished_at=finished, counter=counter,
        calls=calls, origin_service=origin, closed_reason=reason,
    )
    assert Ticket.from_wire(through_json(ticket.to_wire())) == ticket  # type: ignore[arg-type]


def test_ticket_wire_form() -> None:
    ticket = Ticket("2026-03-02-A012", "A012", "A", Priority.PRIORITY, Status.WAITING, OPENING)
    wire = ticket.to_wire()
    assert wire["issued_at"] == "2026-03-02T07:30:00.000+07:00"
    assert {k: wire[k] for k in ("id", "number", "service", "priority", "status", "calls")} == {
        "id": "2026-03-02-A012", "number": "A012", "service": "A", "priority": "priority",
        "status": "waiting", "calls": 0,
    }


@given(st.text(max_size=30), st.text(max_size=30))
def test_text_round_trip(indonesian: str, english: str) -> None:
    text = Text(indonesian, english or indonesian)
    assert Text.from_wire(through_json(text.to_wire())) == text


def test_text_falls_back_to_indonesian() -> None:
    assert Text("Halo", "").get("en") == "Halo"
    assert Text("Halo", "Hello").get("en") == "Hello"
    assert Text("Halo", "Hello").get("id") == "Halo"
    assert Text.from_wire("Halo") == Text("Halo", "Halo")


def test_service_round_trip_keeps_the_day_and_the_configuration() -> None:
    spec = ServiceSpec(
        "D", "D", Text("Izin Tinggal", "Stay Permit"), (Text("Paspor", "Passport"),),
        quota=40, weight=1.5, default_minutes=15,
        hours=OpeningHours(time(8), time(12), frozenset({1, 2, 3, 4, 5})),
    )
    today = Service(spec, open=False, quota=10, issued=7, service_minutes=13.123456789)
    back = Service.from_wire(through_json(today.to_wire()))  # type: ignore[arg-type]
    assert back == today
    assert back.spec.default_minutes == 15 and back.spec.quota == 40


def test_counter_round_trip() -> None:
    spec = CounterSpec("3", Text("Loket 3", "Counter 3"), ("A", "B"))
    held = Ticket("2026-03-02-C001", "C001", "C", Priority.REGULAR, Status.CALLED, OPENING,
                  called_at=OPENING, counter="3", calls=1)
    counter = Counter(spec, CounterState.OPEN, ("C",), held.id, "console-3",
                      StaffRef("demo", "Petugas Demo"), OPENING)
    wire = through_json(counter.to_wire(held))
    assert wire["ticket"]["number"] == "C001"  # type: ignore[index]
    assert Counter.from_wire(wire) == counter  # type: ignore[arg-type]
    anonymous = Counter.from_wire(
        through_json(counter.to_wire(held, with_staff=False))  # type: ignore[arg-type]
    )
    assert anonymous.staff is None and anonymous.device == "console-3"


def test_device_status_round_trip() -> None:
    report = DeviceStatus("kiosk-1", "kiosk", "printer_error", "no_paper", OPENING)
    assert DeviceStatus.from_wire(through_json(report.to_wire())) == report  # type: ignore[arg-type]


def test_opening_hours_are_half_open_and_weekday_bound() -> None:
    hours = OpeningHours(time(8), time(16), frozenset({1, 2, 3, 4, 5}))
    monday = datetime(2026, 3, 2, tzinfo=TZ)
    assert not hours.contains(monday.replace(hour=7, minute=59))
    assert hours.contains(monday.replace(hour=8))
    assert hours.contains(monday.replace(hour=15, minute=59, second=59))
    assert not hours.contains(monday.replace(hour=16))
    assert not hours.contains(monday.replace(day=8, hour=9))  # Sunday
    assert OpeningHours.from_wire(through_json(hours.to_wire())) == hours  # type: ignore[arg-type]
