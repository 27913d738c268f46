"""Simulated appointments and multi-step visits through the real server:
booked visitors get a booking in the server's bookings table and check in
with `booking.check_in` inside the check-in window; a service with steps is
served step by step (each `ticket.complete` before the last sends the ticket
to the next step's queue), counters may serve single steps ("D:2"), and the
figures (waits per step, booked counts) agree with counts from the log."""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from antrean.sim import SimInputError
from antrean.sim.figures import ALL, figures_of
from antrean.sim.plan import CounterPlan, parse_plan
from antrean.sim.profile import Demand, Profile, ServiceTime, parse_profile
from server.sim.commands import erlang_plan, plan_units
from server.sim.driver import Behaviour, DayRecord, simulate_days
from server.sim.history import learn
from tests.server.offices import demo_office

DAY = date(2026, 1, 5)
HOURS = range(8, 12)
CODES = ["A", "B", "C", "D", "E"]


def simulate(profile: Profile, plan: CounterPlan, seed: int = 3, days: int = 1
             ) -> list[DayRecord]:
    dates = [DAY + timedelta(days=i) for i in range(days)]
    return asyncio.run(simulate_days(demo_office(), [profile] * days, [plan] * days, dates,
                                     seed, Behaviour()))


def booked_profile() -> Profile:
    return Profile(tuple(
        Demand(h, "A", 16, 0.1, ServiceTime(6.0, 0.3), 0.05, None, 0.5, 0.2)
        for h in HOURS))


def steps_profile() -> Profile:
    step_times = (ServiceTime(3.0, 0.0), ServiceTime(9.0, 0.0))
    return Profile(tuple(
        Demand(h, "D", 12, 0.0, ServiceTime(12.0, 0.0), 0.0, None, 0.0, None, step_times)
        for h in HOURS))


def test_booked_visitors_check_in_with_their_booking_inside_the_window() -> None:
    plan = CounterPlan.of([(h, ("A",), 3) for h in HOURS])
    [day] = simulate(booked_profile(), plan)
    notes = day.notes
    assert notes is not None and notes.errors == [] and notes.refused == {}
    issued = [(at, d) for name, at, d in day.events if name == "ticket.issued"]
    booked = [(at, d) for at, d in issued if d["ticket"].get("booking")]
    # About half came with a booking, and every booking made was checked in.
    assert 0.35 < len(booked) / len(issued) < 0.65
    assert len(booked) == notes.booked["A"]
    for at, data in booked:
        ticket = data["ticket"]
        assert data.get("via") == "booking"
        assert ticket["booking"].startswith("SIM-20260105-")
        slot = datetime.fromisoformat(ticket["slot_at"])
        moment = datetime.fromisoformat(at)
        # The check-in window (30 min before to 15 after); drawn 0-15 min before the slot.
        assert slot - timedelta(minutes=30) <= moment <= slot + timedelta(minutes=15)
        assert slot - timedelta(minutes=15) <= moment <= slot
    # The figures count what the log has: booked tickets and their no-shows.
    figures = figures_of([day.events], CODES)
    no_shows = {d["ticket"]["id"] for n, _, d in day.events if n == "ticket.no_show"}
    booked_ids = {d["ticket"]["id"] for _, d in booked}
    assert figures.outcomes["A"]["booked"] == len(booked_ids)
    assert figures.outcomes["A"]["booked_no_show"] == len(booked_ids & no_shows) > 0
    # Booked tickets are called ahead once their slot begins: they wait less.
    booked_waits = [t.wait for t in figures.traces if t.booking and t.wait is not None]
    walk_in_waits = [t.wait for t in figures.traces if not t.booking and t.wait is not None]
    assert statistics.fmean(booked_waits) < statistics.fmean(walk_in_waits)


def test_history_learns_the_booked_share_and_booked_no_shows() -> None:
    plan = CounterPlan.of([(h, ("A",), 3) for h in HOURS])
    records = simulate(booked_profile(), plan, days=2)
    history = learn([r.day for r in records], [r.events for r in records], CODES,
                    {c: 10.0 for c in CODES})
    row = history.profiles[0].demand(9, "A")
    assert row is not None
    tickets = [t for r in records for t in r.tickets if t["service"] == "A"]
    booked = [t for t in tickets if t.get("booking")]
    assert row.booked_share == pytest.approx(len(booked) / len(tickets))
    booked_called = [t for t in booked if t["status"] in ("done", "no_show")]
    assert row.booked_no_show_share == pytest.approx(
        sum(t["status"] == "no_show" for t in booked_called) / len(booked_called))
    # Replayed, the period's booked visitors check in again.
    again = asyncio.run(simulate_days(demo_office(), history.profiles, [plan] * 2,
                                      history.days, 5, history.behaviour,
                                      arrivals=history.arrivals))
    assert all(r.notes is not None and r.notes.errors == [] for r in again)
    assert sum(1 for r in again for t in r.tickets if t.get("booking")) > 0.3 * len(tickets)


def test_a_service_with_steps_is_simulated_step_by_step_with_step_counters() -> None:
    plan = CounterPlan.of([(h, (unit,), n) for h in HOURS
                           for unit, n in (("D:1", 1), ("D:2", 3))])
    [day] = simulate(steps_profile(), plan)
    notes = day.notes
    assert notes is not None and notes.errors == []
    names = Counter(name for name, _, _ in day.events)
    done = [t for t in day.tickets if t["status"] == "done"]
    assert len(done) == notes.visitors == names["ticket.issued"]
    assert names["ticket.advanced"] == names["ticket.completed"] == len(done)
    assert all(t["step"] == 2 and t["steps"] == 2 for t in done)
    # The counters serve single steps: step 1 only at the D:1 counter.
    opened = {d["counter"]["id"]: tuple(d["counter"]["steps"])
              for n, _, d in day.events if n == "counter.opened"}
    assert sorted(opened.values()) == [("D:1",), ("D:2",), ("D:2",), ("D:2",)]
    step_one = next(cid for cid, steps in opened.items() if steps == ("D:1",))
    advanced_from = {d["from_counter"] for n, _, d in day.events if n == "ticket.advanced"}
    assert advanced_from == {step_one}
    # Each step took its own time (fixed 3 and 9 minutes, from start to its end).
    started: dict[tuple[str, int], datetime] = {}
    lengths: dict[int, set[float]] = {1: set(), 2: set()}
    for name, at, data in day.events:
        ticket = data.get("ticket") or {}
        if name == "ticket.started":
            started[(ticket["id"], ticket["step"])] = datetime.fromisoformat(at)
        elif name == "ticket.advanced":
            began = started[(ticket["id"], data["from_step"])]
            lengths[1].add(round((datetime.fromisoformat(at) - began).total_seconds() / 60, 3))
        elif name == "ticket.completed":
            began = started[(ticket["id"], 2)]
            lengths[2].add(round((datetime.fromisoformat(at) - began).total_seconds() / 60, 3))
    assert lengths == {1: {3.0}, 2: {9.0}}
    # Waits per step, checked against the log by hand.
    figures = figures_of([day.events], CODES)
    assert set(figures.by_step) == {"D:1", "D:2"}
    waits_two: list[float] = []
    since: dict[str, datetime] = {}
    for name, at, data in day.events:
        ticket = data.get("ticket") or {}
        if name == "ticket.advanced":
            since[ticket["id"]] = datetime.fromisoformat(at)
        elif name == "ticket.called" and ticket["id"] in since:
            waits_two.append((datetime.fromisoformat(at) - since.pop(ticket["id"]))
                             .total_seconds() / 60)
    assert figures.by_step["D:2"].count == len(waits_two) == len(done)
    assert figures.by_step["D:2"].mean == pytest.approx(statistics.fmean(waits_two))
    assert figures.by_step["D:1"].count == figures.by_service["D"].count
    assert figures.units() == ["A", "B", "C", "D:1", "D:2", "E"]
    # The step-1 counter finished a step per visitor; utilisation is per step.
    use = figures.counters[step_one]
    assert use.served == len(done) and use.busy_minutes > 3 * len(done)
    assert figures.outcomes[ALL]["done"] == len(done)


def test_the_profile_and_the_plan_read_steps() -> None:
    text = ("hour,service,arrivals,service_minutes,service_cv,step_minutes\n"
            "08,D,10,,0,4/11\n08,A,5,,,\n09,D,10,20,0,\n")
    profile = parse_profile(text, {"A": 12.0, "D": 15.0}, {"D": 2})
    d8, d9 = profile.demand(8, "D"), profile.demand(9, "D")
    assert d8 is not None and d9 is not None
    assert [t.mean for t in d8.times()] == [4.0, 11.0] and d8.service_time.mean == 15.0
    assert [t.mean for t in d9.times()] == [10.0, 10.0]  # service_minutes shared evenly
    again = parse_profile(profile.to_csv(), {"A": 12.0, "D": 15.0}, {"D": 2})
    assert set(again.rows) == set(profile.rows)
    with pytest.raises(SimInputError) as wrong:
        parse_profile("hour,service,arrivals,step_minutes\n08,D,3,4/5/6\n", {"D": 15.0},
                      {"D": 2})
    assert "2" in wrong.value.text("en") and "Line 2" in wrong.value.text("en")
    assert "Baris 2" in wrong.value.text("id")
    plan = parse_plan("hour,services,counters\n08,D:2,2\n08,A+D:1,1\n", "AD", {"D": 2})
    assert plan.count(8, "D:2") == 2 and plan.count(8, "D:1") == 1
    for bad in ("08,D:3,1", "08,A:1,1", "08,D:x,1"):
        with pytest.raises(SimInputError):
            parse_plan(f"hour,services,counters\n{bad}\n", "AD", {"D": 2})


def test_plan_units_and_the_erlang_seed_go_per_step() -> None:
    profile = steps_profile()
    assert plan_units(profile, {"D": 2}) == ["D:1", "D:2"]
    seed = erlang_plan(profile, 10.0, 20, {"D": 2})
    assert seed.count(8, "D:1") >= 1 and seed.count(8, "D:2") > seed.count(8, "D:1")
    assert all(":" in unit for _, group, _ in seed.rows for unit in group)


def test_the_report_shows_appointments_and_waits_per_step() -> None:
    import io

    from openpyxl import load_workbook

    from antrean.sim.report import ReportInput, render_html, render_xlsx

    plan = CounterPlan.of([(h, (unit,), n) for h in HOURS
                           for unit, n in (("A", 3), ("D:1", 1), ("D:2", 3))])
    profile = Profile(booked_profile().rows + steps_profile().rows)
    [day] = simulate(profile, plan)
    [again] = simulate(profile, plan)  # the same seed: the same day, event for event
    assert again.events == day.events
    figures = figures_of([day.events], CODES)
    info = ReportInput("Demo", [DAY], 3, "test", {}, [(h, "+".join(g), c)
                                                   for h, g, c in plan.rows])
    booked = figures.outcomes[ALL]["booked"]
    assert booked > 0
    for lang, heading, row in (("en", "Waits per step", "With an appointment"),
                               ("id", "Waktu tunggu per langkah", "Dengan janji temu")):
        html = render_html(figures, info, lang)
        assert html == render_html(figures_of([again.events], CODES), info, lang)
        assert heading in html and row in html
        assert f"{booked} ({figures.outcomes[ALL]['booked_no_show']})" in html
        steps = html.split(heading, 1)[1]
        assert ">\nD:2</td>" in steps and f"{figures.by_step['D:2'].count}" in steps
        book = load_workbook(io.BytesIO(render_xlsx(figures, info, lang)))
        sheet = book[heading[:31]]
        assert [c.value for c in sheet[3]][:2] == ["D:2", figures.by_step["D:2"].count]


def test_the_example_office_and_profile_from_the_command_line(tmp_path: Path) -> None:
    """The documented example: A and B have steps in the office file and a
    booked share in assets/arrivals.example.csv."""
    import orjson
    from sqlalchemy import create_engine, text

    from antrean.cli import main

    root = Path(__file__).resolve().parents[2]
    db, out = tmp_path / "sim.db", tmp_path / "day.html"
    assert main(["simulate", "--config", str(root / "assets" / "office.example.toml"),
                 "--arrivals", str(root / "assets" / "arrivals.example.csv"), "--lang", "en",
                 "--db", f"sqlite:///{db}", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Waits per step" in html and "With an appointment" in html
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        events = [(n, orjson.loads(d)) for n, d in conn.execute(
            text("SELECT name, data FROM events ORDER BY seq"))]
        bookings = conn.execute(text("SELECT count(*) FROM bookings")).scalar()
    engine.dispose()
    checked_in = [d for n, d in events if n == "ticket.issued" and d.get("via") == "booking"]
    assert bookings and 0 < len(checked_in) <= bookings
    assert {d["ticket"]["service"] for d in checked_in} <= {"A", "B"}
    moves = Counter((d["ticket"]["service"], d["from_step"]) for n, d in events
                    if n == "ticket.advanced")
    assert moves[("A", 1)] > 0 and moves[("B", 1)] > 0 and moves[("B", 2)] > 0
    assert moves[("A", 2)] == 0  # A's last step completes
