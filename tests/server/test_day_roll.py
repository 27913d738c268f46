"""DESIGN.md, numbers restart every office day (Asia/Jakarta): at midnight
the open tickets are closed with the recorded reason and `day.rolled` goes
to everyone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.server.servers import Servers, app
from tests.server.wire import RawClient, health
from tests.support import FakeClock, ServerThread, open_counter

Connect = Callable[..., RawClient]

# 15:00 in Jakarta (UTC+7) on a Tuesday; the office midnight is 17:00 UTC.
AFTERNOON = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
JUST_AFTER_MIDNIGHT = datetime(2026, 3, 10, 17, 0, 1, tzinfo=UTC)
FIRST_DAY, NEXT_DAY = "2026-03-10", "2026-03-11"


def _busy_afternoon(server: ServerThread, connect: Connect) -> dict[str, dict[str, Any]]:
    """One ticket of each open status, one finished: what midnight finds."""
    kiosk = connect(server, "kiosk", "kiosk-1")
    tickets = {name: kiosk.ok("ticket.issue", service="A")["ticket"]
               for name in ("done", "serving", "called", "waiting")}
    first = connect(server, "counter", "counter-1")
    open_counter(first, "1", ["A"])
    first.ok("ticket.call_next", counter="1")
    first.ok("ticket.complete", ticket=tickets["done"]["id"])
    first.ok("ticket.call_next", counter="1")
    first.ok("ticket.start", ticket=tickets["serving"]["id"])
    second = connect(server, "counter", "counter-2")
    open_counter(second, "2", ["A"])
    second.ok("ticket.call_next", counter="2")
    return tickets


def _rows_by_number(server: ServerThread, day: str) -> dict[str, dict[str, Any]]:
    rows = server.run(app(server).store.tickets_of_day(date.fromisoformat(day)))
    return {row["number"]: row for row in rows}


def test_midnight_rolls_the_day(servers: Servers, connect: Connect) -> None:
    clock = FakeClock(AFTERNOON)
    server = servers.start(clock=clock)
    assert health(server.port)["day"] == FIRST_DAY
    tickets = _busy_afternoon(server, connect)
    display = connect(server, "display")
    kiosk = connect(server, "kiosk", "kiosk-2")
    before = health(server.port)["seq"]

    clock.now = JUST_AFTER_MIDNIGHT
    server.call(app(server).check_day)
    rolled = display.event("day.rolled")
    assert rolled["seq"] == before + 1
    assert rolled["data"]["day"] == NEXT_DAY
    assert kiosk.event("day.rolled")["data"]["day"] == NEXT_DAY
    assert health(server.port) == {**health(server.port), "day": NEXT_DAY, "seq": before + 1}

    # Yesterday's open tickets are closed in the database, with the reason.
    rows = _rows_by_number(server, FIRST_DAY)
    assert rows[tickets["done"]["number"]]["status"] == "done"
    assert rows[tickets["done"]["number"]]["closed_reason"] is None
    assert rows[tickets["serving"]["number"]]["status"] == "done"
    assert rows[tickets["called"]["number"]]["status"] == "no_show"
    assert rows[tickets["waiting"]["number"]]["status"] == "no_show"
    for name in ("serving", "called", "waiting"):
        assert rows[tickets[name]["number"]]["closed_reason"] == "day_end", name

    # A new day: numbering restarts, yesterday's tickets are gone from today.
    issued = kiosk.ok("ticket.issue", service="A")["ticket"]
    assert issued["number"] == "A001" and issued["id"] == f"{NEXT_DAY}-A001"
    assert kiosk.request("ticket.get", ticket=tickets["waiting"]["id"])["code"] == "not_found"
    snapshot = connect(server, "display", "display-late").welcome["snapshot"]
    assert snapshot["office"]["day"] == NEXT_DAY
    assert [t["number"] for t in snapshot["tickets"]] == ["A001"]
    assert {c["state"] for c in snapshot["counters"]} == {"closed"}


def test_the_first_request_after_midnight_rolls_the_day(servers: Servers,
                                                        connect: Connect) -> None:
    clock = FakeClock(AFTERNOON)
    server = servers.start(clock=clock)
    kiosk = connect(server, "kiosk", "kiosk-1")
    for _ in range(3):
        kiosk.ok("ticket.issue", service="B")
    clock.now = JUST_AFTER_MIDNIGHT + timedelta(hours=8)
    issued = kiosk.ok("ticket.issue", service="B")["ticket"]
    assert issued["number"] == "B001" and issued["id"].startswith(NEXT_DAY)
    names = [(e["seq"], e["name"]) for e in kiosk.stream_through(5)]
    assert names[-2:] == [(4, "day.rolled"), (5, "ticket.issued")]
    assert _rows_by_number(server, FIRST_DAY)["B003"]["closed_reason"] == "day_end"


def test_a_restart_on_a_new_day_closes_yesterday(servers: Servers, connect: Connect) -> None:
    clock = FakeClock(AFTERNOON)
    server = servers.start(clock=clock)
    kiosk = connect(server, "kiosk", "kiosk-1")
    yesterday = kiosk.raw_request("ticket.issue", "issue-1", service="C")
    kiosk.close()
    server.stop()
    clock.now = JUST_AFTER_MIDNIGHT
    server = servers.restart(server)
    assert health(server.port) == {**health(server.port), "day": NEXT_DAY, "seq": 2}
    assert _rows_by_number(server, FIRST_DAY)["C001"]["status"] == "no_show"
    kiosk = connect(server, "kiosk", "kiosk-1")
    assert kiosk.welcome["snapshot"]["office"]["day"] == NEXT_DAY
    # A new office day: yesterday's request ids no longer apply.
    today = kiosk.raw_request("ticket.issue", "issue-1", service="C")
    assert today != yesterday
    assert '"number":"C001"' in today and NEXT_DAY in today
