"""A simulated office day of 3,000 visitors and 20 counters through the real
server (in-process sessions, simulated clock, in-memory SQLite by default):
wall time per day, and the figures of the day, ETA honesty included.

    python bench/bench_simulate.py [--visitors 3000] [--days 1] [--runs 3] [--db URL] [--sockets]

The demo office's five services, 10 hours (08:00-18:00) with a morning rush,
a passport-office mix of short services; 20 counters each on one service
all day.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from antrean.sim.figures import ALL, figures_of
from antrean.sim.plan import CounterPlan
from antrean.sim.profile import Demand, Profile, ServiceTime
from server.demo import demo_config
from server.sim.driver import simulate_days

HOURS = range(8, 18)
# The morning rush of a passport office: more than the counters can take
# until about 11:00, then the queue drains over the quieter afternoon.
SHAPE = (1.45, 1.5, 1.3, 1.0, 0.55, 0.75, 0.95, 0.9, 0.85, 0.75)
MIX = {"A": (0.35, 3.5), "B": (0.25, 3.0), "C": (0.2, 1.5), "D": (0.1, 4.0), "E": (0.1, 2.0)}
COUNTERS = {"A": 7, "B": 5, "C": 3, "D": 3, "E": 2}


def busy_day(visitors: int) -> tuple[Profile, CounterPlan]:
    per_hour = visitors / sum(SHAPE)
    profile = Profile(tuple(
        Demand(h, code, per_hour * weight * share, 0.1, ServiceTime(minutes, 0.5), 0.03, 90.0)
        for h, weight in zip(HOURS, SHAPE, strict=True)
        for code, (share, minutes) in MIX.items()))
    plan = CounterPlan.of([(h, (code,), n) for h in HOURS for code, n in COUNTERS.items()])
    return profile, plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=3000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", default="sqlite://")
    parser.add_argument("--sockets", action="store_true",
                        help="every device on a real loopback WebSocket connection")
    args = parser.parse_args()
    profile, plan = busy_day(args.visitors)
    days = [date(2026, 1, 5) + timedelta(days=i) for i in range(args.days)]
    config = demo_config()
    times = []
    for run in range(args.runs):
        started = time.perf_counter()
        records = asyncio.run(simulate_days(config, [profile] * args.days, [plan] * args.days,
                                            days, seed=run + 1, db_url=args.db,
                                            sockets=args.sockets))
        times.append(time.perf_counter() - started)
        events = sum(len(r.events) for r in records)
        tickets = sum(len(r.tickets) for r in records)
        print(f"run {run + 1}: {times[-1]:.2f} s for {args.days} day(s), {tickets} tickets, "
              f"{events} events ({events / times[-1]:,.0f} events/s)")
    figures = figures_of([r.events for r in records], list(MIX))
    print(f"median {statistics.median(times):.2f} s, best {min(times):.2f} s per run "
          f"({plan.peak()} counters)")
    overall = figures.by_service[ALL]
    print(f"waits: p50 {overall.p50:.1f} min, p90 {overall.p90:.1f} min; utilisation "
          + ", ".join(f"{cid} {use.utilisation:.0%}" for cid, use in figures.counters.items()))
    print("ETA at issue vs real wait (median abs error; share within ±25 % or 1 min):")
    for code in [*MIX, ALL]:
        eta = figures.eta[code]
        print(f"  {code}: {eta.median_abs_error:.1f} min, {eta.share_within:.0%} "
              f"of {eta.count}")


if __name__ == "__main__":
    main()
