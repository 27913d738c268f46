"""The console's requests without Qt: what each action sends, the one-at-a-time
rule with its wait for the echo, and the errors in the staff's language. The
office is a real mirror fed by the real core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from antrean.core.model import Priority, Status
from antrean.core.office import Office
from antrean.views import DeskAnswer
from counter.desk import (
    Action,
    Ask,
    DeskRequest,
    InFlight,
    call_request,
    close_request,
    confirmation_key,
    desk_of,
    explain,
    mirror_shows,
    open_request,
    request_for,
    transfer_request,
)
from tests.support import cached_demo_config

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
DEVICE = "counter-1"


def answer(result: dict[str, object]) -> DeskAnswer:
    """An answer's result as the console reads it."""
    return DeskAnswer.from_wire(result)


def _office() -> Office:
    office = Office(cached_demo_config().office, NOW.date())
    office.issue("A", Priority.REGULAR, "id", NOW)
    office.issue("A", Priority.REGULAR, "id", NOW + timedelta(seconds=1))
    office.open_counter("1", ["A"], DEVICE, None, NOW)
    return office


def _plans(office: Office) -> dict[Action, DeskRequest | Ask | None]:
    desk = desk_of(office, "1", DEVICE, ["A"], NOW)
    return {action: request_for(action, desk, "1") for action in Action}


def test_each_action_sends_its_request() -> None:
    office = _office()
    free = _plans(office)
    assert free[Action.CALL_NEXT] == DeskRequest(
        "ticket.call_next", {"counter": "1"}, "counter.done.called")
    assert free[Action.CALL_SPECIFIC] is Ask.NUMBER
    assert free[Action.PAUSE_RESUME] == DeskRequest(
        "counter.pause", {"counter": "1"}, "counter.done.paused")
    assert free[Action.RECALL] is None  # no ticket held

    (called,) = office.call_next("1", DEVICE, NOW)
    assert called.ticket is not None
    ticket_id = called.ticket.id
    held = _plans(office)
    assert held[Action.TRANSFER] is Ask.SERVICE
    assert {action: (plan.type, dict(plan.fields), plan.done)
            for action, plan in held.items()
            if isinstance(plan, DeskRequest) and "ticket" in plan.fields} == {
        Action.RECALL: ("ticket.recall", {"ticket": ticket_id}, "counter.done.recalled"),
        Action.START: ("ticket.start", {"ticket": ticket_id}, "counter.done.started"),
        Action.COMPLETE: ("ticket.complete", {"ticket": ticket_id}, "counter.done.completed"),
        Action.NO_SHOW: ("ticket.no_show", {"ticket": ticket_id}, "counter.done.no_show"),
    }
    assert held[Action.COMPLETE] is not None
    assert isinstance(held[Action.COMPLETE], DeskRequest)
    assert held[Action.COMPLETE].changes_figures


def test_resume_reopens_with_the_counters_services() -> None:
    office = _office()
    office.pause_counter("1", DEVICE, NOW)
    assert _plans(office)[Action.PAUSE_RESUME] == DeskRequest(
        "counter.open", {"counter": "1", "services": ["A"]}, "counter.done.resumed")


def test_the_dialog_and_counter_requests() -> None:
    office = _office()
    counter = office.counters["1"]
    ticket = office.tickets[office.by_number["A001"]]
    assert call_request("1", "A002", "came back").fields == {
        "counter": "1", "ticket": "A002", "reason": "came back"}
    assert transfer_request(ticket, "B").fields == {"ticket": ticket.id, "service": "B"}
    assert open_request("1", counter, ["A", "B"]).done == "counter.done.services"
    closed = office.counters["2"]
    assert open_request("2", closed, ["A"]).done == "counter.done.opened"
    assert close_request("1") == DeskRequest("counter.close", {"counter": "1"},
                                             "counter.done.closed")


def test_call_next_with_nobody_waiting_says_so() -> None:
    request = DeskRequest("ticket.call_next", {"counter": "1"}, "counter.done.called")
    assert confirmation_key(request, answer({"ticket": None})) == "counter.done.nobody"
    ticket = _office().tickets.popitem()[1]
    assert confirmation_key(request, answer({"ticket": ticket.to_wire()})) == (
        "counter.done.called")


def test_one_request_then_its_echo() -> None:
    """Answer first, event second: busy until the mirror shows the answer."""
    server = _office()
    mirror = Office.from_snapshot(server.snapshot(NOW), server.seq)
    flight = InFlight()
    assert not flight.busy
    flight.sent("r1")
    assert flight.busy

    (called,) = server.call_next("1", DEVICE, NOW)
    assert called.ticket is not None
    result = answer({"ticket": called.ticket.to_wire()})
    assert not mirror_shows(mirror, result)
    assert flight.answered(True, result, mirror) is True  # wait for the echo
    assert flight.busy and flight.request_id is None
    assert flight.event_arrived(mirror) is False  # some other event: still waiting

    mirror.apply(called)
    assert flight.event_arrived(mirror) is True
    assert not flight.busy


def test_an_answer_already_mirrored_or_refused_needs_no_echo() -> None:
    office = _office()
    flight = InFlight()
    flight.sent("r1")
    ticket = office.tickets[office.by_number["A001"]]
    assert flight.answered(True, answer({"ticket": ticket.to_wire()}), office) is False
    assert not flight.busy
    flight.sent("r2")
    assert flight.answered(False, answer({}), office) is False and not flight.busy


def test_the_echo_wait_gives_up() -> None:
    flight = InFlight(echo=answer({"counter": {"id": "1", "state": "paused",
                                               "services": ["A"]}}))
    assert flight.busy
    assert flight.echo_timed_out() is True and not flight.busy
    assert flight.echo_timed_out() is False


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", "Nomor A001 sudah dipanggil oleh loket 2."),
    ("en", "Number A001 was already called by counter 2."),
])
def test_errors_are_explained_from_the_mirror(lang: str, expected: str) -> None:
    office = _office()
    office.open_counter("2", ["A"], "counter-2", None, NOW)
    office.call_next("2", "counter-2", NOW)
    request = call_request("1", "A001", "came back")
    assert explain(request, "conflict", "x", office, "1", DEVICE, lang) == expected


def test_error_explanations() -> None:
    office = _office()
    request = call_request("1", "Z999", "why")
    assert "Z999" in explain(request, "not_found", "", office, "1", DEVICE, "en")
    ticket = office.tickets[office.by_number["A001"]]
    office.call("1", "A001", "x", DEVICE, NOW)
    office.complete(ticket.id, DEVICE, NOW)
    assert office.tickets[ticket.id].status is Status.DONE
    done = explain(call_request("1", "A001", "x"), "conflict", "", office, "1", DEVICE, "en")
    assert done == "Number A001 is not waiting (Done)."
    elsewhere = explain(open_request("1", office.counters["1"], ["A"]), "conflict", "",
                        office, "1", "counter-9", "en")
    assert DEVICE in elsewhere
    assert explain(close_request("1"), "disconnected", "", office, "1", DEVICE, "en")
