"""The call board on its own: which calls are shown, in which order, and
which are spoken — with the time passed in, so minutes pass in microseconds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from antrean.core.model import Priority, Status, Ticket
from antrean.core.office import Office
from display.board import CallBoard, ServerClock
from tests.support import cached_demo_config

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 09.00 in Jakarta


def called(number: str, counter: str, at: datetime, calls: int = 1) -> Ticket:
    return Ticket(
        id=f"2025-03-03-{number}", number=number, service=number[0],
        priority=Priority.REGULAR, status=Status.CALLED, issued_at=at - timedelta(minutes=5),
        called_at=at, counter=counter, calls=calls,
    )


def test_calls_stack_newest_first_and_a_recall_moves_to_the_top() -> None:
    board = CallBoard()
    for i, number in enumerate(("A001", "B001", "A002")):
        assert board.on_called(called(number, "1", T0 + timedelta(seconds=i)), T0) is not None
    assert [c.number for c in board.calls] == ["A002", "B001", "A001"]
    recall = called("A001", "1", T0 + timedelta(seconds=9), calls=2)
    assert board.on_called(recall, T0) is not None  # a recall is spoken again
    assert [c.number for c in board.calls] == ["A001", "A002", "B001"]


def test_each_call_is_spoken_once_even_when_replayed() -> None:
    board = CallBoard()
    ticket = called("A001", "2", T0)
    assert board.on_called(ticket, T0) is not None
    assert board.on_called(ticket, T0 + timedelta(seconds=1)) is None
    assert [c.number for c in board.calls] == ["A001"]


def test_a_filtered_board_ignores_other_services() -> None:
    board = CallBoard({"B"})
    assert board.on_called(called("A001", "1", T0), T0) is None
    assert board.calls == []
    assert board.on_called(called("B001", "1", T0), T0) is not None
    assert board.shows("B") and not board.shows("A")


def test_old_calls_are_shown_but_not_spoken() -> None:
    board = CallBoard()
    stale = called("A001", "1", T0)
    assert board.on_called(stale, T0 + timedelta(minutes=3)) is None
    assert [c.number for c in board.calls] == ["A001"]
    fresh = called("A002", "1", T0 + timedelta(minutes=2))
    assert board.on_called(fresh, T0 + timedelta(minutes=3)) is not None


def test_a_display_clock_running_fast_still_speaks_live_calls() -> None:
    board = CallBoard()
    fast = timedelta(minutes=7)  # this PC's clock is seven minutes ahead
    for i in range(3):
        at = T0 + timedelta(seconds=10 * i)
        board.clock.observe(at, at + fast + timedelta(milliseconds=20))
    live = called("C001", "3", T0 + timedelta(seconds=30))
    assert board.on_called(live, T0 + timedelta(seconds=30) + fast) is not None


def test_server_clock_estimate_uses_the_smallest_delay() -> None:
    clock = ServerClock()
    assert clock.now(T0) == T0
    clock.observe(T0, T0 + timedelta(seconds=5))  # arrived late (a replay)
    clock.observe(T0, T0 + timedelta(seconds=1))
    assert clock.now(T0 + timedelta(seconds=10)) == T0 + timedelta(seconds=9)


def test_the_list_keeps_a_bounded_number_of_calls() -> None:
    board = CallBoard(keep=5)
    for i in range(40):
        board.on_called(called(f"A{i + 1:03d}", "1", T0 + timedelta(seconds=i)), T0)
    assert [c.number for c in board.calls] == ["A040", "A039", "A038", "A037", "A036"]


def _office_with(*tickets: Ticket) -> Office:
    office = Office(cached_demo_config().office, date(2025, 3, 3))
    for ticket in tickets:
        office.tickets[ticket.id] = ticket
    return office


def test_a_snapshot_adds_what_was_missed_and_speaks_only_that() -> None:
    board = CallBoard()
    first = called("A001", "1", T0)
    board.on_called(first, T0)
    done = replace(called("B001", "2", T0 + timedelta(seconds=5)), status=Status.DONE)
    missed = called("A002", "1", T0 + timedelta(seconds=20))
    serving = replace(called("C001", "3", T0 + timedelta(seconds=10)), status=Status.SERVING)
    waiting = replace(called("D001", "4", T0), status=Status.WAITING, counter=None,
                      called_at=None, calls=0)
    office = _office_with(first, done, missed, serving, waiting)
    spoken = board.rebuild(office, T0 + timedelta(seconds=30))
    assert [c.number for c in spoken] == ["C001", "A002"]  # in call order
    assert [c.number for c in board.calls] == ["A002", "C001", "A001"]
    assert board.rebuild(office, T0 + timedelta(seconds=31)) == []


def test_a_snapshot_of_a_new_day_starts_the_list_again() -> None:
    board = CallBoard()
    board.rebuild(_office_with(called("A001", "1", T0)), T0)
    assert [c.number for c in board.calls] == ["A001"]
    next_day = Office(cached_demo_config().office, date(2025, 3, 4))
    assert board.rebuild(next_day, T0 + timedelta(days=1)) == []
    assert board.calls == []
    # Numbers start again: yesterday's "A001, first call" was not today's.
    again = replace(called("A001", "1", T0 + timedelta(days=1)), id="2025-03-04-A001")
    assert board.on_called(again, T0 + timedelta(days=1)) is not None
