"""The Office commands one by one: what each does, the event it emits, and
each refusal, which must carry the protocol's error code and change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pytest

from antrean.core.model import (
    CounterState,
    DomainError,
    PolicySpec,
    Priority,
    StaffRef,
    Status,
    Text,
)
from antrean.core.office import RECENT_ANNOUNCEMENTS, Office
from tests.core.builders import (
    DAY,
    DEVICE,
    INTRUDER,
    OPENING,
    TZ,
    Clock,
    call_next,
    check_consistent,
    event_names,
    issue,
    new_office,
    only_ticket,
    open_counter,
    state_of,
)


@pytest.fixture
def office() -> Office:
    return new_office()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def refused(office: Office, code: str, command: Callable[[], object]) -> DomainError:
    """Run a command that must be refused with `code` and leave no trace."""
    before = state_of(office)
    with pytest.raises(DomainError) as caught:
        command()
    assert caught.value.code == code, caught.value.message
    assert caught.value.message
    assert state_of(office) == before
    check_consistent(office)
    return caught.value


# ------------------------------------------------------------------- issue
def test_issue_numbers_each_service_from_one(office: Office, clock: Clock) -> None:
    first = issue(office, "A", clock.now)
    second = issue(office, "A", clock.tick(), Priority.PRIORITY, "en")
    other = issue(office, "B", clock.tick())
    assert (first.number, second.number, other.number) == ("A001", "A002", "B001")
    assert first.id == "2026-03-02-A001"
    assert first.status is Status.WAITING and first.calls == 0 and first.counter is None
    assert second.priority is Priority.PRIORITY and second.lang == "en"
    assert office.services["A"].issued == 2 and office.services["B"].issued == 1
    assert office.seq == 3
    check_consistent(office)


def test_issue_keeps_office_time(office: Office) -> None:
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
    ticket = issue(office, "A", moment)
    assert ticket.issued_at == moment
    assert ticket.issued_at.utcoffset() == timedelta(hours=7)


def test_numbers_grow_past_999() -> None:
    from tests.core.builders import office_spec, service

    office = Office(office_spec(services=(service("A"),), counters=()), DAY)
    numbers = [issue(office, "A", OPENING).number for _ in range(1000)]
    assert numbers[0] == "A001" and numbers[998] == "A999" and numbers[999] == "A1000"
    assert len(set(numbers)) == 1000


def test_issue_refusals(office: Office, clock: Clock) -> None:
    refused(office, "not_found", lambda: office.issue("Z", Priority.REGULAR, "id", clock.now))
    office.update_service("A", clock.now, open=False)
    refused(office, "service_closed", lambda: office.issue("A", Priority.REGULAR, "id", clock.now))


def test_quota_is_counted_per_service(office: Office, clock: Clock) -> None:
    for _ in range(5):
        issue(office, "C", clock.tick())
    error = refused(
        office, "quota_exhausted", lambda: office.issue("C", Priority.PRIORITY, "id", clock.now)
    )
    assert "C" in error.message
    issue(office, "A", clock.tick())  # other services are not affected
    office.update_service("C", clock.now, quota=7)
    assert issue(office, "C", clock.tick()).number == "C006"
    office.update_service("C", clock.now, clear_quota=True)
    assert office.services["C"].quota is None
    assert issue(office, "C", clock.tick()).number == "C007"
    office.update_service("C", clock.now, quota=3)  # below what was issued: none left
    refused(office, "quota_exhausted", lambda: office.issue("C", Priority.REGULAR, "id", clock.now))


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2026, 3, 2, 7, 59, 59, 999000, TZ), False),
        (datetime(2026, 3, 2, 8, 0, tzinfo=TZ), True),
        (datetime(2026, 3, 2, 11, 59, 59, tzinfo=TZ), True),
        (datetime(2026, 3, 2, 12, 0, tzinfo=TZ), False),
        (datetime(2026, 3, 7, 9, 0, tzinfo=TZ), False),  # Saturday
    ],
)
def test_opening_hours(local: datetime, open_: bool) -> None:
    office = Office(new_office().spec, local.date())
    now = local.astimezone(UTC)  # the server's clock is UTC; hours are office time
    if open_:
        assert issue(office, "D", now).number == "D001"
    else:
        refused(office, "service_closed", lambda: office.issue("D", Priority.REGULAR, "id", now))
    assert office.snapshot(now)["services"][3]["open"] is open_


def test_transfer_into_a_service_outside_its_hours_is_refused(office: Office) -> None:
    early = datetime(2026, 3, 2, 7, 45, tzinfo=TZ)
    ticket = issue(office, "A", early)
    open_counter(office, "1", early)
    call_next(office, "1", early)
    refused(office, "service_closed", lambda: office.transfer(ticket.id, "D", DEVICE["1"], early))


# ----------------------------------------------------------------- counters
def test_open_counter(office: Office, clock: Clock) -> None:
    staff = StaffRef("demo", "Petugas Demo")
    events = office.open_counter("1", ["B", "A", "B"], DEVICE["1"], staff, clock.now)
    assert event_names(events) == ["counter.opened"]
    counter = office.counters["1"]
    assert counter.state is CounterState.OPEN
    assert counter.services == ("B", "A")  # order kept, duplicates dropped
    assert (counter.device, counter.staff, counter.since) == (DEVICE["1"], staff, clock.now)
    # Opening again from the same device replaces the services, keeps `since`.
    office.open_counter("1", ["C"], DEVICE["1"], staff, clock.tick(minutes=5))
    assert office.counters["1"].services == ("C",)
    assert office.counters["1"].since == OPENING


def test_open_counter_refusals(office: Office, clock: Clock) -> None:
    refused(office, "not_found", lambda: office.open_counter("9", ["A"], "d", None, clock.now))
    refused(office, "bad_request", lambda: office.open_counter("1", [], "d", None, clock.now))
    refused(office, "not_found", lambda: office.open_counter("1", ["A", "Z"], "d", None, clock.now))
    open_counter(office, "1", clock.now)
    refused(office, "conflict", lambda: office.open_counter("1", ["A"], INTRUDER, None, clock.now))


def test_pause_resume_close(office: Office, clock: Clock) -> None:
    open_counter(office, "1", clock.now)
    assert event_names(office.pause_counter("1", DEVICE["1"], clock.tick())) == ["counter.paused"]
    assert office.counters["1"].state is CounterState.PAUSED
    refused(office, "conflict", lambda: office.call_next("1", DEVICE["1"], clock.now))
    refused(office, "conflict", lambda: office.pause_counter("1", DEVICE["1"], clock.now))
    resumed_at = clock.tick(minutes=15)
    open_counter(office, "1", resumed_at)
    resumed = office.counters["1"]
    assert (resumed.state, resumed.since) == (CounterState.OPEN, resumed_at)
    assert event_names(office.close_counter("1", DEVICE["1"], clock.tick())) == ["counter.closed"]
    closed = office.counters["1"]
    assert (closed.state, closed.device, closed.staff, closed.since) == (
        CounterState.CLOSED, None, None, None
    )
    refused(office, "conflict", lambda: office.call_next("1", DEVICE["1"], clock.now))
    refused(office, "conflict", lambda: office.close_counter("1", DEVICE["1"], clock.now))
    # Once closed, any device may take the counter.
    office.open_counter("1", ["A"], INTRUDER, None, clock.tick())
    assert office.counters["1"].device == INTRUDER


def test_a_counter_holding_a_ticket_cannot_pause_close_or_call(
    office: Office, clock: Clock
) -> None:
    issue(office, "A", clock.now)
    issue(office, "A", clock.tick())
    open_counter(office, "1", clock.tick())
    held = call_next(office, "1", clock.tick())
    assert held is not None
    for command in (
        lambda: office.pause_counter("1", DEVICE["1"], clock.now),
        lambda: office.close_counter("1", DEVICE["1"], clock.now),
        lambda: office.call_next("1", DEVICE["1"], clock.now),
        lambda: office.call("1", "A002", "urgent", DEVICE["1"], clock.now),
    ):
        error = refused(office, "conflict", command)
        assert held.number in error.message
    office.start(held.id, DEVICE["1"], clock.tick())
    refused(office, "conflict", lambda: office.call_next("1", DEVICE["1"], clock.now))


def test_another_device_cannot_use_a_counter(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    refused(office, "conflict", lambda: office.call_next("1", INTRUDER, clock.now))
    refused(office, "conflict", lambda: office.call("1", "A001", "x", INTRUDER, clock.now))
    ticket = call_next(office, "1", clock.tick())
    assert ticket is not None
    for command in (
        lambda: office.recall(ticket.id, INTRUDER, clock.now),
        lambda: office.start(ticket.id, INTRUDER, clock.now),
        lambda: office.complete(ticket.id, INTRUDER, clock.now),
        lambda: office.no_show(ticket.id, INTRUDER, clock.now),
        lambda: office.transfer(ticket.id, "B", INTRUDER, clock.now),
    ):
        refused(office, "conflict", command)


# ------------------------------------------------------------------- calling
def test_call_next_with_nobody_waiting_changes_nothing(office: Office, clock: Clock) -> None:
    open_counter(office, "1", clock.now)
    before = state_of(office)
    assert office.call_next("1", DEVICE["1"], clock.tick()) == []
    assert state_of(office) == before


def test_call_next_takes_the_longest_wait_across_the_counters_services(
    office: Office, clock: Clock
) -> None:
    issue(office, "C", clock.now)  # counter 1 does not serve C
    a1 = issue(office, "A", clock.tick(minutes=1))
    b1 = issue(office, "B", clock.tick(minutes=1))
    a2 = issue(office, "A", clock.tick(minutes=1))
    open_counter(office, "1", clock.tick(minutes=1))
    order = []
    for _ in range(3):
        ticket = call_next(office, "1", clock.now)
        assert ticket is not None
        order.append(ticket.id)
        office.complete(ticket.id, DEVICE["1"], clock.now)
    assert order == [a1.id, b1.id, a2.id]
    assert call_next(office, "1", clock.now) is None


def test_weights_favour_a_service(office: Office, clock: Clock) -> None:
    # B weighs 1.5: a B ticket 7 minutes old beats an A ticket 10 minutes old.
    a = issue(office, "A", clock.now)
    b = issue(office, "B", clock.tick(minutes=3))
    open_counter(office, "1", clock.tick(minutes=7))
    called = call_next(office, "1", clock.now)
    assert called is not None and called.id == b.id
    assert [t.id for t in office.waiting_order(clock.now, ["A", "B"])] == [a.id]


def test_call_next_emits_the_called_ticket(office: Office, clock: Clock) -> None:
    issued = issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    events = office.call_next("1", DEVICE["1"], clock.tick(minutes=2))
    assert event_names(events) == ["ticket.called"]
    assert events[0].extra == {"via": "next"}
    called = only_ticket(events)
    assert (called.id, called.status, called.counter, called.calls) == (
        issued.id, Status.CALLED, "1", 1
    )
    assert called.called_at == clock.now
    assert office.counters["1"].ticket == issued.id
    assert office.waiting_count("A") == 0
    check_consistent(office)


def test_priority_goes_first_and_the_cap_lets_an_overdue_regular_through(clock: Clock) -> None:
    office = new_office(policy=PolicySpec(priority_cap=2, regular_max_wait_minutes=10))
    regular = issue(office, "A", clock.now)
    priorities = [issue(office, "A", clock.tick(), Priority.PRIORITY) for _ in range(4)]
    open_counter(office, "1", clock.tick())

    def serve() -> str:
        ticket = call_next(office, "1", clock.now)
        assert ticket is not None
        office.complete(ticket.id, DEVICE["1"], clock.now)
        return ticket.id

    # The regular ticket has not waited 10 minutes yet: priority keeps going.
    assert [serve(), serve(), serve()] == [p.id for p in priorities[:3]]
    assert office.streak == 3
    clock.tick(minutes=10)
    assert serve() == regular.id  # overdue, and the cap of 2 is reached
    assert office.streak == 0
    assert serve() == priorities[3].id


def test_call_with_a_reason_takes_that_ticket_out_of_order(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    late = issue(office, "B", clock.tick(minutes=5))
    open_counter(office, "1", clock.tick())
    events = office.call("1", " b001 ", "document check passed", DEVICE["1"], clock.tick())
    assert events[0].extra == {"via": "specific", "reason": "document check passed"}
    assert only_ticket(events).id == late.id
    assert office.streak == 0  # only call_next counts toward the priority streak
    check_consistent(office)


def test_call_refusals(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    open_counter(office, "2", clock.tick())
    for reason in ("", "   "):
        refused(office, "bad_request",
                partial(office.call, "1", "A001", reason, DEVICE["1"], clock.now))
    refused(office, "not_found", lambda: office.call("1", "A999", "x", DEVICE["1"], clock.now))
    refused(office, "not_found", lambda: office.call("9", "A001", "x", DEVICE["1"], clock.now))
    office.call("1", "A001", "x", DEVICE["1"], clock.tick())
    error = refused(
        office, "conflict", lambda: office.call("2", "A001", "x", DEVICE["2"], clock.now)
    )
    assert "counter 1" in error.message
    office.complete("A001", DEVICE["1"], clock.tick())
    refused(office, "conflict", lambda: office.call("2", "A001", "x", DEVICE["2"], clock.now))


def test_recall_keeps_the_ticket_called(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    first = call_next(office, "1", clock.tick())
    assert first is not None
    events = office.recall("A001", DEVICE["1"], clock.tick(minutes=1))
    assert events[0].name == "ticket.called" and events[0].extra == {"via": "recall"}
    again = only_ticket(events)
    assert (again.status, again.calls, again.counter) == (Status.CALLED, 2, "1")
    assert again.called_at == clock.now
    assert office.streak == 0  # a recall does not count toward the priority streak
    office.start("A001", DEVICE["1"], clock.tick())
    refused(office, "conflict", lambda: office.recall("A001", DEVICE["1"], clock.now))


def test_start_complete_and_the_moving_estimate(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    call_next(office, "1", clock.tick())
    started = only_ticket(office.start("A001", DEVICE["1"], clock.tick(minutes=1)))
    assert (started.status, started.started_at) == (Status.SERVING, clock.now)
    done = only_ticket(office.complete("A001", DEVICE["1"], clock.tick(minutes=20)))
    assert (done.status, done.finished_at) == (Status.DONE, clock.now)
    assert office.counters["1"].ticket is None
    # 12 minutes before, 20 observed, alpha 0.2.
    assert office.services["A"].service_minutes == pytest.approx(0.8 * 12 + 0.2 * 20)
    refused(office, "conflict", lambda: office.complete("A001", DEVICE["1"], clock.now))
    check_consistent(office)


def test_no_show_frees_the_counter_and_leaves_the_estimate(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    call_next(office, "1", clock.tick())
    events = office.no_show("A001", DEVICE["1"], clock.tick(minutes=3))
    gone = only_ticket(events)
    assert events[0].name == "ticket.no_show"
    assert (gone.status, gone.finished_at) == (Status.NO_SHOW, clock.now)
    assert office.counters["1"].ticket is None
    assert office.services["A"].service_minutes == 12
    refused(office, "conflict", lambda: office.no_show("A001", DEVICE["1"], clock.now))


def test_commands_on_unknown_tickets(office: Office, clock: Clock) -> None:
    for command in (
        lambda: office.recall("A404", DEVICE["1"], clock.now),
        lambda: office.start("A404", DEVICE["1"], clock.now),
        lambda: office.complete("2026-03-02-A404", DEVICE["1"], clock.now),
        lambda: office.no_show("", DEVICE["1"], clock.now),
        lambda: office.transfer("A404", "B", DEVICE["1"], clock.now),
    ):
        refused(office, "not_found", command)


def test_a_waiting_ticket_is_not_at_a_counter(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    for command in (
        lambda: office.start("A001", DEVICE["1"], clock.now),
        lambda: office.complete("A001", DEVICE["1"], clock.now),
        lambda: office.no_show("A001", DEVICE["1"], clock.now),
        lambda: office.transfer("A001", "B", DEVICE["1"], clock.now),
        lambda: office.recall("A001", DEVICE["1"], clock.now),
    ):
        refused(office, "conflict", command)


# ------------------------------------------------------------------ transfer
@pytest.mark.parametrize("serving", [False, True])
def test_transfer_keeps_number_and_first_arrival(
    office: Office, clock: Clock, serving: bool
) -> None:
    first_b = issue(office, "B", clock.now)
    moving = issue(office, "A", clock.tick(minutes=1))
    later_b = issue(office, "B", clock.tick(minutes=1))
    open_counter(office, "1", clock.tick(), ("A",))
    call_next(office, "1", clock.tick())
    if serving:
        office.start(moving.id, DEVICE["1"], clock.tick())
    events = office.transfer(moving.id, "B", DEVICE["1"], clock.tick(minutes=5))
    assert events[0].name == "ticket.transferred"
    assert events[0].extra == {"from_service": "A", "from_counter": "1"}
    moved = only_ticket(events)
    assert (moved.id, moved.number, moved.issued_at) == (moving.id, "A001", moving.issued_at)
    assert (moved.status, moved.service, moved.origin_service) == (Status.WAITING, "B", "A")
    assert (moved.counter, moved.called_at, moved.started_at, moved.calls) == (None, None, None, 0)
    assert office.counters["1"].ticket is None
    # Its place among B's tickets is by first arrival: between B001 and B002.
    assert [t.id for t in office.waiting_order(clock.now, ["B"])] == [
        first_b.id, moving.id, later_b.id
    ]
    assert office.view(office.tickets[moving.id], clock.now).ahead == 1
    check_consistent(office)


def test_transfer_twice_remembers_the_first_service(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    call_next(office, "1", clock.tick())
    office.transfer("A001", "B", DEVICE["1"], clock.tick())
    call_next(office, "1", clock.tick())
    moved = only_ticket(office.transfer("A001", "A", DEVICE["1"], clock.tick()))
    assert (moved.service, moved.origin_service) == ("A", "A")


def test_transfer_refusals(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    call_next(office, "1", clock.tick())
    refused(office, "not_found", lambda: office.transfer("A001", "Z", DEVICE["1"], clock.now))
    office.update_service("B", clock.now, open=False)
    refused(office, "service_closed",
            lambda: office.transfer("A001", "B", DEVICE["1"], clock.now))


# ---------------------------------------------------- announcements, services
def test_announce(office: Office, clock: Clock) -> None:
    text = Text("Loket 3 istirahat", "Counter 3 on a break")
    events = office.announce(text, clock.now)
    assert event_names(events) == ["announcement"] and events[0].text == text
    assert list(office.announcements) == [text]
    for n in range(RECENT_ANNOUNCEMENTS + 2):
        office.announce(Text(f"p{n}", f"n{n}"), clock.tick())
    assert len(office.announcements) == RECENT_ANNOUNCEMENTS
    assert office.announcements[-1] == Text(f"p{RECENT_ANNOUNCEMENTS + 1}",
                                            f"n{RECENT_ANNOUNCEMENTS + 1}")


@pytest.mark.parametrize("text", [Text("", ""), Text("  ", "\n\t")])
def test_announce_needs_text(office: Office, clock: Clock, text: Text) -> None:
    refused(office, "bad_request", lambda: office.announce(text, clock.now))


def test_update_service(office: Office, clock: Clock) -> None:
    events = office.update_service("A", clock.now, open=False, quota=20)
    assert event_names(events) == ["service.updated"]
    changed = office.services["A"]
    assert (changed.open, changed.quota) == (False, 20)
    office.update_service("A", clock.now, open=True)
    assert (office.services["A"].open, office.services["A"].quota) == (True, 20)
    refused(office, "not_found", lambda: office.update_service("Z", clock.now, open=True))
    refused(office, "bad_request", lambda: office.update_service("A", clock.now, quota=-1))


def test_report_device_only_tells_news(office: Office, clock: Clock) -> None:
    events = office.report_device("kiosk-1", "kiosk", "printer_error", "no_paper", clock.now)
    assert event_names(events) == ["device.status"]
    assert office.devices["kiosk-1"].detail == "no_paper"
    before = state_of(office)
    assert office.report_device("kiosk-1", "kiosk", "printer_error", "no_paper", clock.tick()) == []
    assert state_of(office) == before
    office.report_device("kiosk-1", "kiosk", "ok", "", clock.tick())
    assert office.devices["kiosk-1"].status == "ok"


# ------------------------------------------------------------------ day roll
def test_roll_day_closes_open_tickets_with_the_reason(office: Office, clock: Clock) -> None:
    waiting = issue(office, "A", clock.now)
    called = issue(office, "A", clock.tick())
    serving = issue(office, "B", clock.tick())
    done = issue(office, "B", clock.tick())
    open_counter(office, "1", clock.tick(), ("B",))
    open_counter(office, "2", clock.tick(), ("A",))
    office.call("1", done.number, "x", DEVICE["1"], clock.tick())
    office.complete(done.id, DEVICE["1"], clock.tick())
    call_next(office, "1", clock.tick())
    office.start(serving.id, DEVICE["1"], clock.tick())
    office.call("2", called.number, "x", DEVICE["2"], clock.tick())
    office.update_service("C", clock.now, quota=1, open=False)
    assert office.roll_day(clock.tick(hours=8)) == []  # still the same office day

    tomorrow = datetime.combine(DAY + timedelta(days=1), time(0, 0), TZ)
    closures = {t.id: t for t in office.day_end_closures(tomorrow)}
    assert set(closures) == {waiting.id, called.id, serving.id}
    assert closures[waiting.id].status is Status.NO_SHOW
    assert closures[called.id].status is Status.NO_SHOW
    assert closures[serving.id].status is Status.DONE
    assert {t.closed_reason for t in closures.values()} == {"day_end"}
    assert all(t.finished_at == tomorrow for t in closures.values())

    seq = office.seq
    events = office.roll_day(tomorrow)
    assert event_names(events) == ["day.rolled"]
    assert events[0].seq == seq + 1 and events[0].day == tomorrow.date()
    assert events[0].extra == {
        "day": "2026-03-03", "previous_day": "2026-03-02", "reason": "day_end",
        "closed": [waiting.id, called.id, serving.id],
    }
    assert office.day == date(2026, 3, 3) and office.seq == seq + 1
    assert office.tickets == {} and office.streak == 0
    assert all(c.state is CounterState.CLOSED and c.ticket is None
               for c in office.counters.values())
    assert all(s.issued == 0 and s.open for s in office.services.values())
    assert office.services["C"].quota == 5  # back to the configured quota
    assert issue(office, "A", tomorrow).id == "2026-03-03-A001"
    check_consistent(office)


def test_needs_roll_is_by_office_time(office: Office) -> None:
    # 23:59 in Jakarta is still the same day; 00:00 (17:00 UTC) is the next.
    assert not office.needs_roll(datetime(2026, 3, 2, 16, 59, tzinfo=UTC))
    assert office.needs_roll(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))


# ------------------------------------------------------------ queries, apply
def test_find_ticket_by_id_or_number(office: Office, clock: Clock) -> None:
    ticket = issue(office, "A", clock.now)
    assert office.find_ticket(ticket.id) == ticket
    assert office.find_ticket(" a001 ") == ticket
    refused(office, "not_found", lambda: office.find_ticket("A002"))


def test_view_and_outlook(office: Office, clock: Clock) -> None:
    tickets = [issue(office, "A", clock.tick()) for _ in range(3)]
    assert [office.view(t, clock.now).ahead for t in tickets] == [0, 1, 2]
    # Nobody open for A: one counter is assumed, 12 minutes each.
    assert [office.view(t, clock.now).eta_minutes for t in tickets] == [0, 12, 24]
    open_counter(office, "1", clock.now)
    open_counter(office, "3", clock.now)
    assert office.view(tickets[2], clock.now).eta_minutes == 12
    assert office.outlook("A") == (3, 18)
    wire = office.view(tickets[1], clock.now).to_wire()
    assert (wire["ahead"], wire["eta_minutes"], wire["number"]) == (1, 6, "A002")
    called = call_next(office, "1", clock.now)
    assert called is not None
    assert (office.view(called, clock.now).ahead, office.view(called, clock.now).eta_minutes) == (
        0, 0
    )


def test_figures(office: Office, clock: Clock) -> None:
    issue(office, "A", clock.now)
    issue(office, "A", clock.now)
    open_counter(office, "1", clock.tick())
    call_next(office, "1", clock.tick(minutes=4))
    office.start("A001", DEVICE["1"], clock.now)
    office.complete("A001", DEVICE["1"], clock.tick(minutes=10))
    call_next(office, "1", clock.tick(minutes=2))
    office.no_show("A002", DEVICE["1"], clock.tick())
    figures = office.figures()
    assert figures["day"] == "2026-03-02"
    assert figures["counters"]["1"] == {"served": 1, "no_show": 1, "service_minutes": 10.0}
    assert figures["services"]["A"] == {
        "issued": 2, "waiting": 0, "served": 1, "no_show": 1, "wait_minutes": 10.0,
        "appointments": 0, "appointment_no_show": 0,
    }
    assert figures["services"]["B"]["issued"] == 0


def test_apply_refuses_an_event_out_of_sequence(office: Office, clock: Clock) -> None:
    events = office.issue("A", Priority.REGULAR, "id", clock.now)
    replica = Office(office.spec, DAY)
    with pytest.raises(DomainError) as caught:
        replica.apply(replace(events[0], seq=2))
    assert caught.value.code == "conflict" and replica.seq == 0
    replica.apply(events[0])
    with pytest.raises(DomainError):
        replica.apply(events[0])  # the same event twice
    assert state_of(replica) == state_of(office)


# ------------------------------------------- server, replay and mirror agree
def test_announce_fills_a_blank_language_from_the_other(office: Office, clock: Clock) -> None:
    office.announce(Text("", "Please keep your ticket"), clock.now)
    office.announce(Text("Harap tertib", "  "), clock.now)
    assert list(office.announcements) == [
        Text("Please keep your ticket", "Please keep your ticket"),
        Text("Harap tertib", "Harap tertib"),
    ]


def test_times_are_kept_to_the_millisecond(office: Office) -> None:
    """The wire carries milliseconds: the server keeps no more, or a restart
    (which replays the stored events) would see other times than before."""
    moment = datetime(2026, 3, 2, 1, 0, 0, 123_456, tzinfo=UTC)
    ticket = issue(office, "A", moment)
    assert ticket.issued_at.microsecond == 123_000
    assert office.local(moment) == moment - timedelta(microseconds=456)


def test_a_mirror_rolls_the_day_over_as_the_server_does(office: Office, clock: Clock) -> None:
    issue(office, "C", clock.now)
    open_counter(office, "2", clock.tick())
    call_next(office, "2", clock.tick())
    office.complete("C001", DEVICE["2"], clock.tick(seconds=437.123))
    office.update_service("C", clock.now, quota=1, open=False)
    office.open_counter("2", ["B"], DEVICE["2"], None, clock.now)
    snapshot = json.loads(json.dumps(office.snapshot(clock.now)))
    # The moving estimate goes out unrounded, so the mirror's waits are the server's.
    assert snapshot["services"][2]["service_minutes"] == office.services["C"].service_minutes
    mirror = Office.from_snapshot(snapshot, office.seq)

    tomorrow = clock.tick(days=1)
    for change in office.roll_day(tomorrow):
        data = json.loads(json.dumps(office.event_data(change)))
        mirror.apply(mirror.event_from_wire(change.seq, change.name, change.at.isoformat(), data))
    assert mirror.snapshot(tomorrow) == office.snapshot(tomorrow)
    # ... which is the office as configured: C's quota and estimate, counter 2's services.
    assert (mirror.services["C"].quota, mirror.services["C"].service_minutes) == (5, 3)
    assert mirror.counters["2"].services == ("B", "C")
