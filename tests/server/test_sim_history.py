"""Checked against reality: office days lived through the real server over
WebSocket (a kiosk and three counters whose service times are known), then
the same period simulated from that history, and the waits compared per hour
and service.

What is measured: the real days' waits against the simulated days' waits
(the real arrival moments replayed, service times and no-shows drawn from
what the history shows, the history's staffing), pooled over five seeds.
The figures measured are written beside the assertions.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import statistics
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from antrean.cli import main
from antrean.sim.figures import figures_of
from antrean.sim.profile import parse_profile
from server.sim.commands import Inputs, run_days
from server.sim.history import learn, read_days
from tests.server.databases import ON_BOTH_DATABASES
from tests.server.offices import demo_office
from tests.server.servers import Servers
from tests.server.wire import RawClient
from tests.support import FakeClock

Connect = Callable[..., RawClient]
TZ = ZoneInfo("Asia/Jakarta")
DAYS = [date(2026, 1, 5), date(2026, 1, 6)]
RATES = {"A": 16.0, "B": 12.0}  # visitors an hour, 08:00-11:00
MINUTES = {"A": 6.0, "B": 4.0}  # every visit takes exactly this long
COUNTERS = {"1": "A", "2": "A", "3": "B"}
REACT, WALK, RECALL = 10.0, 20.0, 60.0
ABSENT = 0.05


def live_days(servers: Servers, connect: Connect) -> str:
    """Two office days through the real server; returns its database URL."""
    clock = FakeClock(datetime.combine(DAYS[0], time(7, 0), TZ).astimezone(UTC))
    server = servers.start(demo_office(), clock)
    kiosk = connect(server, "kiosk", "kiosk-1")
    consoles = {cid: connect(server, "counter", f"counter-{cid}") for cid in COUNTERS}
    for console in consoles.values():
        console.login()
    rng = random.Random(2026)
    for day in DAYS:
        live_day(day, clock, kiosk, consoles, rng)
    return servers.db_url


def live_day(day: date, clock: FakeClock, kiosk: RawClient, consoles: dict[str, RawClient],
             rng: random.Random) -> None:
    start = datetime.combine(day, time(8, 0), TZ).timestamp()
    heap: list[tuple[float, int, Callable[[], None]]] = []
    order = 0
    idle: set[str] = set()
    absent: dict[str, bool] = {}

    def at(moment: float, action: Callable[[], None]) -> None:
        nonlocal order
        order += 1
        heapq.heappush(heap, (moment, order, action))

    def call(cid: str, moment: float) -> Callable[[], None]:
        def act() -> None:
            ticket = consoles[cid].ok("ticket.call_next", counter=cid)["ticket"]
            if ticket is None:
                idle.add(cid)
                return
            tid = ticket["id"]
            if absent[tid]:
                at(moment + RECALL, lambda: consoles[cid].ok("ticket.recall", ticket=tid))
                at(moment + 2 * RECALL, finish(cid, tid, moment + 2 * RECALL, "ticket.no_show"))
                return
            at(moment + WALK, lambda: consoles[cid].ok("ticket.start", ticket=tid))
            end = moment + WALK + MINUTES[ticket["service"]] * 60
            at(end, finish(cid, tid, end, "ticket.complete"))
        return act

    def finish(cid: str, tid: str, moment: float, verb: str) -> Callable[[], None]:
        def act() -> None:
            consoles[cid].ok(verb, ticket=tid)
            call(cid, moment)()
        return act

    def arrive(service: str, priority: bool, moment: float) -> Callable[[], None]:
        def act() -> None:
            ticket = kiosk.ok("ticket.issue", service=service,
                              priority="priority" if priority else "regular")["ticket"]
            absent[ticket["id"]] = rng.random() < ABSENT
            for cid in sorted(idle):
                if COUNTERS[cid] == service:
                    idle.discard(cid)
                    at(moment + REACT, call(cid, moment + REACT))
                    break
        return act

    for cid, service in COUNTERS.items():
        def open_counter(cid: str = cid, service: str = service) -> None:
            consoles[cid].ok("counter.open", counter=cid, services=[service])
            idle.add(cid)
        at(start, open_counter)
    for service, rate in RATES.items():
        moment = start + rng.expovariate(rate / 3600)
        while moment < start + 3 * 3600:
            at(moment, arrive(service, rng.random() < 0.1, moment))
            moment += rng.expovariate(rate / 3600)
    while heap:
        moment, _, action = heapq.heappop(heap)
        clock.now = datetime.fromtimestamp(moment, UTC)
        action()
    clock.now += timedelta(minutes=1)
    for cid in COUNTERS:
        consoles[cid].ok("counter.close", counter=cid)


def mean_waits(figures: Any) -> dict[tuple[int, str], float]:
    return {key: stats.mean for key, stats in figures.waits.items()
            if key[1] in RATES and stats.count >= 8}


@ON_BOTH_DATABASES
def test_the_simulated_period_waits_as_the_real_one_did(
        servers: Servers, connect: Connect, tmp_path: Path) -> None:
    url = live_days(servers, connect)
    days, logs = asyncio.run(read_days(url, DAYS[0], DAYS[-1]))
    history = learn(days, logs, ["A", "B", "C", "D", "E"],
                    {s.code: s.default_minutes for s in demo_office().office.services})
    # What the history taught: the known service times, walk and staffing.
    for code, minutes in MINUTES.items():
        learned = next(r.service_time for p in history.profiles for r in p.rows
                       if r.service == code)
        assert statistics.fmean(learned.samples) == pytest.approx(minutes, abs=0.01)
    assert abs(history.behaviour.walk_seconds - WALK) < 0.01
    assert history.plans[0].count(9, "A") == 2 and history.plans[0].count(9, "B") == 1
    assert [len(a) for a in history.arrivals] == [
        sum(1 for n, _, _ in log if n == "ticket.issued") for log in logs]

    real = figures_of(logs, list(RATES))
    inputs = Inputs(demo_office(), days, history.profiles, history.plans, history.behaviour,
                    "history", history)
    simulated_logs = [record.events for seed in range(1, 6) for record in run_days(inputs, seed)]
    simulated = figures_of(simulated_logs, list(RATES))

    real_waits, sim_waits = mean_waits(real), mean_waits(simulated)
    shared = sorted(set(real_waits) & set(sim_waits))
    assert len(shared) >= 5, shared
    errors = [abs(sim_waits[key] - real_waits[key]) for key in shared]
    overall_real, overall_sim = real.by_service["*"].mean, simulated.by_service["*"].mean
    print("\nreal vs simulated mean wait per hour and service (minutes): "
          + ", ".join(f"{h:02d} {s}: {real_waits[(h, s)]:.1f}/{sim_waits[(h, s)]:.1f}"
                      for h, s in shared)
          + f"\nmean abs error {statistics.fmean(errors):.2f} min, worst {max(errors):.2f}; "
          f"overall {overall_real:.2f} real, {overall_sim:.2f} simulated")
    # Measured: 0.11 minutes mean absolute error per hour and service (worst
    # 0.24), overall 3.36 real against 3.34 simulated. So close because the
    # arrivals are the real ones and the service times are fixed in this
    # office; what is left is the drawn no-shows and walks. Allowed: half a
    # minute, the resolution an office reads waits in.
    assert abs(overall_sim - overall_real) <= 0.5
    assert statistics.fmean(errors) <= 0.5
    no_show_real = real.outcomes["*"]["no_show"] / real.outcomes["*"]["issued"]
    no_show_sim = simulated.outcomes["*"]["no_show"] / simulated.outcomes["*"]["issued"]
    assert abs(no_show_sim - no_show_real) < 0.04

    # The command line does the same, and its report sets reality beside it.
    out = tmp_path / "history.html"
    office = Path(__file__).resolve().parents[2] / "assets" / "office.example.toml"
    learned = tmp_path / "learned.csv"
    assert main(["simulate", "--config", str(office), "--history", url, "--from", "2026-01-05",
                 "--to", "2026-01-07", "--lang", "en", "--save-profile", str(learned),
                 "--out", str(out)]) == 0
    profile = parse_profile(learned.read_text(encoding="utf-8"), {"A": 12.0, "B": 10.0,
                                                                  "C": 3.0, "E": 5.0},
                            {"A": 2, "B": 3})  # the example office's steps
    assert profile.services() == ["A", "B"] and profile.hours() == [8, 9, 10]
    assert profile.total_arrivals() == pytest.approx(
        sum(len(day) for day in history.arrivals) / len(DAYS))
    a9 = profile.demand(9, "A")
    assert a9 is not None and a9.service_time.mean == pytest.approx(6.0, abs=0.01)
    assert a9.service_time.cv == 0.0 and a9.no_show_share < 0.15
    html = out.read_text(encoding="utf-8")
    assert "Compared with reality" in html and "2026-01-05 – 2026-01-07" in html

    # B became a trial service on the second day: the real days before and during.
    trial_office = tmp_path / "trial.toml"
    trial_office.write_text(office.read_text(encoding="utf-8").replace(
        'prefix = "B"\n', 'prefix = "B"\ntrial = true\n'), encoding="utf-8")
    out = tmp_path / "trial.html"
    assert main(["simulate", "--config", str(trial_office), "--history", url, "--from",
                 "2026-01-05", "--to", "2026-01-06", "--trial-from", "2026-01-06", "--lang", "en",
                 "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    period = html.split("Before and during the trial (real)", 1)[1]
    assert "B — Passport Replacement (Trial)" in period and "the days from 2026-01-06 on" in period
    assert main(["simulate", "--config", str(trial_office), "--history", url, "--from",
                 "2026-01-05", "--to", "2026-01-06", "--trial-from", "2026-01-09",
                 "--out", str(out)]) == 2

    # And a plan for the period's busiest day, from the same history.
    plan = tmp_path / "plan.csv"
    assert main(["plan", "--config", str(office), "--history", url, "--from", "2026-01-05",
                 "--to", "2026-01-06", "--target-p90", "10", "--days", "1",
                 "--out", str(plan)]) == 0
    rows = plan.read_text(encoding="utf-8").splitlines()[1:]
    # The example office's A and B have steps (this history had none: each
    # step gets an even share of the visit's time), so they are planned per step.
    assert {row.split(",")[1] for row in rows} == {"A:1", "A:2", "B:1", "B:2", "B:3"}
    assert {row.split(",")[0] for row in rows} >= {"08", "09", "10"}

