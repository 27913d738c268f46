"""Simulated office days through the real server: a whole day runs in a
test in seconds on the injected clock, every ticket ends as it should, the
database holds a real server's log, and the same seed gives the same
report byte for byte."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from antrean.sim.figures import ALL, figures_of
from antrean.sim.plan import CounterPlan
from antrean.sim.profile import Demand, Profile, ServiceTime
from antrean.sim.report import ReportInput, render_html, render_xlsx
from server.config import OfficeConfig
from server.sim.driver import Behaviour, DayRecord, simulate_days
from tests.server.offices import demo_office
from tests.support import FakeClock, ServerThread

DAY = date(2026, 1, 5)
HOURS = range(8, 12)


def profile(per_hour: float = 40, patience: float | None = None) -> Profile:
    shares = {"A": (0.5, 6.0), "B": (0.3, 5.0), "C": (0.2, 2.0)}
    return Profile(tuple(
        Demand(h, code, per_hour * share, 0.15, ServiceTime(minutes, 0.5), 0.05, patience)
        for h in HOURS for code, (share, minutes) in shares.items()))


def plan(a: int = 2, b: int = 1, c: int = 1) -> CounterPlan:
    return CounterPlan.of([(h, (code,), n) for h in HOURS
                           for code, n in (("A", a), ("B", b), ("C", c))])


def simulate(config: OfficeConfig, seed: int = 1, days: int = 1, db_url: str = "sqlite://",
             the_plan: CounterPlan | None = None, the_profile: Profile | None = None,
             ) -> list[DayRecord]:
    dates = [date(2026, 1, 5 + i) for i in range(days)]
    return asyncio.run(simulate_days(config, [the_profile or profile()] * days,
                                     [the_plan or plan()] * days, dates, seed, Behaviour(),
                                     db_url))


def report(records: list[DayRecord], lang: str = "id") -> tuple[str, bytes]:
    figures = figures_of([r.events for r in records], ["A", "B", "C", "D", "E"])
    info = ReportInput("Demo", [r.day for r in records], 1, "test", {}, [])
    return render_html(figures, info, lang), render_xlsx(figures, info, lang)


def test_a_whole_day_runs_through_the_server_on_the_simulated_clock() -> None:
    [day] = simulate(demo_office())
    notes = day.notes
    assert notes is not None and notes.errors == [] and notes.refused == {}
    assert 130 < notes.visitors < 190  # 4 hours of 40 an hour
    statuses = Counter(t["status"] for t in day.tickets)
    assert set(statuses) == {"done", "no_show"}  # everyone served or called in vain
    assert sum(statuses.values()) == notes.visitors
    names = [name for name, _, _ in day.events]
    assert names.count("ticket.issued") == notes.visitors
    assert names.count("ticket.completed") == statuses["done"]
    assert names.count("ticket.started") == statuses["done"]
    assert "ticket.recall" not in names and names.count("ticket.no_show") == statuses["no_show"]
    # The injected clock: everything happened on the simulated day, in office hours.
    moments = [datetime.fromisoformat(at) for _, at, _ in day.events]
    assert moments == sorted(moments)
    assert {m.date() for m in moments} == {DAY}
    assert moments[0].hour >= 8 and moments[-1].hour < 14
    # Counters followed the plan: 4 open, every one closed at the end.
    opened = {d["counter"]["id"] for n, _, d in day.events if n == "counter.opened"}
    closed = [d["counter"]["id"] for n, _, d in day.events if n == "counter.closed"]
    assert len(opened) == 4 and sorted(closed) == sorted(opened)
    served_by = {t["counter"] for t in day.tickets if t["service"] == "C"}
    assert len(served_by) == 1  # one counter for C, as planned


def test_visitors_walk_out_when_the_wait_outlasts_their_patience() -> None:
    [day] = simulate(demo_office(), the_plan=plan(a=1, b=1, c=1), the_profile=profile(60, 10))
    assert day.notes is not None and sum(day.notes.walked_out.values()) > 10
    figures = figures_of([day.events], ["A", "B", "C"])
    assert figures.outcomes[ALL]["no_show"] >= sum(day.notes.walked_out.values())


def test_the_same_seed_gives_the_same_report_byte_for_byte() -> None:
    first_html, first_xlsx = report(simulate(demo_office(), seed=5))
    again_html, again_xlsx = report(simulate(demo_office(), seed=5))
    assert first_html == again_html
    assert first_xlsx == again_xlsx
    other_html, _ = report(simulate(demo_office(), seed=6))
    assert other_html != first_html


def test_the_same_seed_brings_the_same_visitors_whatever_the_counters() -> None:
    def arrivals(records: list[DayRecord]) -> list[tuple[str, str, str]]:
        return [(t["issued_at"], t["service"], t["priority"]) for r in records
                for t in sorted(r.tickets, key=lambda t: t["issued_at"])]

    few = simulate(demo_office(), seed=9, days=2, the_plan=plan(1, 1, 1))
    many = simulate(demo_office(), seed=9, days=2, the_plan=plan(3, 2, 2))
    assert arrivals(few) == arrivals(many)
    assert [t["finished_at"] for t in few[1].tickets] != [t["finished_at"]
                                                          for t in many[1].tickets]


def test_days_follow_one_another_and_the_server_rolls_them() -> None:
    records = simulate(demo_office(), days=2)
    assert [r.day for r in records] == [DAY, date(2026, 1, 6)]
    second = records[1]
    assert second.events[0][0] == "day.rolled"
    assert all(t["id"].startswith("2026-01-06-") for t in second.tickets)
    assert {t["status"] for t in second.tickets} == {"done", "no_show"}


def test_the_simulated_database_is_a_real_server_log(tmp_path: Path) -> None:
    """A real server restarted on the simulated day's SQLite file rebuilds
    the same day: the figures the server itself reports agree."""
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    [day] = simulate(demo_office(), db_url=url)
    clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))  # 16:00 in Jakarta
    thread = ServerThread(demo_office(), url, clock).start()
    try:
        figures = thread.call(lambda: thread.server.office.figures())  # type: ignore[union-attr]
    finally:
        thread.stop()
    served = Counter(t["service"] for t in day.tickets if t["status"] == "done")
    assert figures["day"] == DAY.isoformat()
    assert {code: f["served"] for code, f in figures["services"].items() if f["served"]} == \
        dict(served)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_report_speaks_the_language_asked_for(lang: str) -> None:
    html, xlsx = report(simulate(demo_office()), lang)
    assert ("Waktu tunggu per jam" in html) == (lang == "id")
    assert ("Waits per hour" in html) == (lang == "en")
    assert html.count("data:image/png;base64,") == 3
    assert xlsx[:2] == b"PK"


def test_the_report_escapes_what_the_office_file_says() -> None:
    [day] = simulate(demo_office())
    figures = figures_of([day.events], ["A", "B", "C"])
    info = ReportInput("<script>alert(1)</script>", [day.day], 1, "a<b>.csv",
                       {"A": "Paspor & <Visa>"}, [(8, "A", 2)])
    html = render_html(figures, info, "id")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Paspor &amp; &lt;Visa&gt;" in html and "a&lt;b&gt;.csv" in html


def test_over_real_sockets_the_day_is_the_same_day() -> None:
    """The socket mode (every device on a loopback WebSocket, each instant
    answered before the clock moves) and the in-process sessions give the
    same event log, event for event: the in-process path is the server's
    path."""
    small = profile(per_hour=20)
    dates = [DAY]
    in_process = asyncio.run(simulate_days(demo_office(), [small], [plan()], dates, 3))
    sockets = asyncio.run(simulate_days(demo_office(), [small], [plan()], dates, 3,
                                        sockets=True))
    assert len(in_process[0].events) > 200
    assert in_process[0].events == sockets[0].events
    assert in_process[0].tickets == sockets[0].tickets


def test_a_service_on_trial_is_reported_apart() -> None:
    [day] = simulate(demo_office())
    figures = figures_of([day.events], ["A", "B", "C"], trial=["C"])
    info = ReportInput("Demo", [day.day], 1, "test", {"C": "Pengambilan Paspor"}, [])
    html = render_html(figures, info, "id")
    services, trial = html.split("Layanan uji coba", 1)
    assert "C — Pengambilan Paspor" in trial and "C — Pengambilan Paspor" not in services
    assert "A — A" in services and '<span class="badge">Uji coba</span>' in html
