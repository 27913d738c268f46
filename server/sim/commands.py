"""`antrean simulate` and `antrean plan`: read the office file and the
arrivals (a profile, or the office's history), run simulated days through
the real server, and write the report or the counter plan."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time as wall
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from antrean.i18n import tr
from antrean.sim import SimInputError
from antrean.sim.figures import ALL, Figures, figures_of
from antrean.sim.plan import CounterPlan, parse_plan
from antrean.sim.profile import Profile, parse_profile
from antrean.sim.queueing import counters_for
from antrean.sim.report import ReportInput, render_html, render_xlsx
from server.config import ConfigError, OfficeConfig, load_config
from server.sim.driver import Behaviour, DayRecord, office_days, simulate_days
from server.sim.history import History, learn, read_days
from server.store import Store

DEFAULT_DAY = date(2026, 1, 5)  # a Monday; never today's date: the report must not change


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("--config", help="the office file (services, counters, policy)")
    parser.add_argument("--arrivals", help="arrival profile CSV (see docs/planning.md)")
    parser.add_argument("--history", metavar="DB_URL",
                        help="learn arrivals, service times and staffing from this database")
    parser.add_argument("--from", dest="start", help="first day of the history (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", help="last day of the history (YYYY-MM-DD)")
    parser.add_argument("--days", type=int, default=1 if command == "simulate" else 4,
                        help="office days to simulate (with --arrivals; the plan judges "
                        "each candidate on this many days)")
    parser.add_argument("--day", default=DEFAULT_DAY.isoformat(),
                        help="first simulated day (with --arrivals)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--growth", type=float, default=1.0,
                        help="visitors times this factor (1.2: a fifth more); with --history "
                        "the period's mean arrivals are then drawn instead of replayed")
    parser.add_argument("--save-profile", metavar="CSV",
                        help="with --history: write the arrival profile learned from it")
    parser.add_argument("--lang", choices=("id", "en"), default="id")
    if command == "simulate":
        parser.add_argument("--counters", help="counter plan CSV (default: the office file's "
                            "counters all day, or the history's staffing)")
        parser.add_argument("--out", help="the report: REPORT.html or REPORT.xlsx")
        parser.add_argument("--compare", nargs=2, metavar="FILE",
                            help="two office files (.toml) or two counter plans (.csv): "
                            "the same arrivals and seeds through both")
        parser.add_argument("--seeds", type=int, default=5,
                            help="seeds per side with --compare (the spread)")
        parser.add_argument("--db", default="sqlite://",
                            help="keep the simulated days in this database (default: memory)")
        parser.add_argument("--sockets", action="store_true",
                            help="every simulated device on a real loopback WebSocket "
                            "connection (the same days, about four times slower)")
        parser.add_argument("--trial-from", metavar="DAY",
                            help="with --history: the day a trial began; the report sets the "
                            "real days before it beside the days from it on")
    else:
        parser.add_argument("--target-p90", type=float, required=True,
                            help="the p90 wait to stay under, in minutes")
        parser.add_argument("--max-counters", type=int, default=40,
                            help="counters open at once, at most")
        parser.add_argument("--out", default="counter-plan.csv",
                            help="where to write the counter plan CSV")


@dataclass
class Inputs:
    config: OfficeConfig
    days: list[date]
    profiles: list[Profile]
    plans: list[CounterPlan]
    behaviour: Behaviour
    source: str
    history: History | None = None


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SimInputError("sim.error.file", path=path, reason=exc.strerror or str(exc)) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise SimInputError("sim.error.day", value=text) from None


def load_office(path: str | None) -> OfficeConfig:
    if not path:
        raise SimInputError("sim.error.config", reason="--config")
    try:
        return load_config(path)
    except ConfigError as exc:
        raise SimInputError("sim.error.config", reason=str(exc)) from None


def default_plan(config: OfficeConfig, profile: Profile) -> CounterPlan:
    """Every counter of the office file, on its own services, through the
    hours the profile has visitors."""
    hours = [h for h in profile.hours() if any(r.arrivals > 0 for r in profile.rows
                                               if r.hour == h)]
    if not hours:
        return CounterPlan(())
    return CounterPlan.of((hour, counter.services, 1) for hour in range(hours[0], hours[-1] + 1)
                          for counter in config.office.counters)


def load_inputs(args: argparse.Namespace, config: OfficeConfig) -> Inputs:
    if not args.growth > 0:
        raise SimInputError("sim.error.growth")
    services = [s.code for s in config.office.services]
    minutes = {s.code: s.default_minutes for s in config.office.services}
    steps = step_counts(config)
    if args.history:
        if not args.start or not args.end:
            raise SimInputError("sim.error.source")
        first, last = _date(args.start), _date(args.end)
        if last < first:
            raise SimInputError("sim.error.period", start=first.isoformat(), to=last.isoformat())
        days, logs = asyncio.run(read_days(args.history, first, last))
        history = learn(days, logs, services, minutes, steps)
        if args.save_profile:
            _write(args.save_profile, history.average_profile().to_csv())
        plans = history.plans
        if getattr(args, "counters", None):
            plans = [parse_plan(read_text(args.counters), services, steps)] * len(days)
        source = f"{first.isoformat()} – {last.isoformat()}"
        if args.growth != 1.0:  # a grown office: the period's rates, not its very visitors
            profiles = [p.scaled(args.growth) for p in history.profiles]
            return Inputs(config, days, profiles, plans, history.behaviour,
                          f"{source} × {args.growth:g}")
        return Inputs(config, days, history.profiles, plans, history.behaviour, source, history)
    if not args.arrivals:
        raise SimInputError("sim.error.source")
    profile = parse_profile(read_text(args.arrivals), minutes, steps)
    if args.growth != 1.0:
        profile = profile.scaled(args.growth)
    plan = (parse_plan(read_text(args.counters), services, steps)
            if getattr(args, "counters", None)
            else default_plan(config, profile))
    days = office_days(_date(args.day), max(1, args.days), config)
    source = Path(args.arrivals).name + (f" × {args.growth:g}" if args.growth != 1.0 else "")
    return Inputs(config, days, [profile] * len(days), [plan] * len(days), Behaviour(), source)


def run_days(inputs: Inputs, seed: int, plans: Sequence[CounterPlan] | None = None,
             config: OfficeConfig | None = None, db_url: str = "sqlite://",
             sockets: bool = False) -> list[DayRecord]:
    """The days of `inputs` through the server; a history's days arrive as
    they really did (its arrival moments), with service times drawn."""
    arrivals = inputs.history.arrivals if inputs.history is not None else None
    return asyncio.run(simulate_days(config or inputs.config, inputs.profiles,
                                     list(plans or inputs.plans), inputs.days, seed,
                                     inputs.behaviour, db_url, arrivals, sockets))


def step_counts(config: OfficeConfig) -> dict[str, int]:
    """The services with steps, and how many."""
    return {s.code: s.step_count for s in config.office.services if s.step_count > 1}


def trial_services(config: OfficeConfig) -> list[str]:
    return [s.code for s in config.office.services if s.trial]


def figures_for(config: OfficeConfig, records: Sequence[DayRecord]) -> Figures:
    return figures_of([r.events for r in records], [s.code for s in config.office.services],
                      trial_services(config))


def report_input(inputs: Inputs, records: Sequence[DayRecord], seed: int, lang: str,
                 reality: Figures | None = None) -> ReportInput:
    refused: dict[str, int] = {}
    walked: dict[str, int] = {}
    for record in records:
        if record.notes is not None:
            for code, n in record.notes.refused.items():
                refused[code] = refused.get(code, 0) + n
            for code, n in record.notes.walked_out.items():
                walked[code] = walked.get(code, 0) + n
    plan = inputs.plans[0]
    return ReportInput(
        office=inputs.config.office.name, days=inputs.days, seed=seed, source=inputs.source,
        service_names={s.code: s.name.get(lang) for s in inputs.config.office.services},
        plan_rows=[(h, "+".join(g), c) for h, g, c in plan.rows],
        refused=refused, walked_out=walked, reality=reality)


def _write(path: str, content: str | bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def render(figures: Figures, info: ReportInput, out: str, lang: str) -> str | bytes:
    if out.endswith(".xlsx"):
        return render_xlsx(figures, info, lang)
    return render_html(figures, info, lang)


# ------------------------------------------------------------------ simulate
def run_simulate(args: argparse.Namespace) -> int:
    lang: str = args.lang
    started = wall.perf_counter()
    try:
        if not args.out or not args.out.endswith((".html", ".xlsx")):
            raise SimInputError("sim.error.out", path=args.out or "")
        if args.compare:
            from server.sim.compare import run_compare

            content = run_compare(args)
        else:
            config = load_office(args.config)
            inputs = load_inputs(args, config)
            if args.db != "sqlite://":
                asyncio.run(ensure_empty(args.db))
            records = run_days(inputs, args.seed, db_url=args.db, sockets=args.sockets)
            figures = figures_for(config, records)
            reality = None
            codes = [s.code for s in config.office.services]
            if inputs.history is not None:
                reality = figures_of(inputs.history.events, codes, trial_services(config))
            info = report_input(inputs, records, args.seed, lang, reality)
            if args.trial_from:
                info.trial_period = trial_period(args.trial_from, inputs, codes,
                                                 trial_services(config))
            content = render(figures, info, args.out, lang)
        _write(args.out, content)
    except SimInputError as exc:
        print(f"antrean simulate: {exc.text(lang)}", file=sys.stderr)
        return 2
    print(tr("sim.saved", lang, path=args.out, seconds=wall.perf_counter() - started))
    return 0


async def ensure_empty(db_url: str) -> None:
    """A database to keep the simulated days in must hold nothing yet: the
    days read back would otherwise mix with what is there."""
    try:
        store = Store(db_url)
    except ValueError as exc:
        raise SimInputError("sim.error.database", reason=str(exc)) from None
    try:
        await store.open()
        used = await store.last_seq() > 0
    except Exception as exc:  # not reachable, not a database
        raise SimInputError("sim.error.database", reason=str(exc).splitlines()[0]) from None
    finally:
        await store.close()
    if used:
        raise SimInputError("sim.error.db_used", url=db_url)


def trial_period(day_text: str, inputs: Inputs, codes: list[str], trial: list[str]
                 ) -> tuple[Figures, Figures, date]:
    """The office's real days before the trial began and from then on."""
    start = _date(day_text)
    history = inputs.history
    if history is None:
        raise SimInputError("sim.error.trial_from", day=start.isoformat())
    before = [log for day, log in zip(history.days, history.events, strict=True) if day < start]
    during = [log for day, log in zip(history.days, history.events, strict=True) if day >= start]
    if not before or not during:
        raise SimInputError("sim.error.trial_from", day=start.isoformat())
    return figures_of(before, codes, trial), figures_of(during, codes, trial), start


# ------------------------------------------------------------------ plan
def plan_units(profile: Profile, steps: dict[str, int] | None = None) -> list[str]:
    """What the plan counts counters for: each service, or each step ("D:2")
    of a service with steps."""
    counts = steps or {}
    return [unit for code in profile.services() for unit in (
        [f"{code}:{n}" for n in range(1, counts[code] + 1)] if counts.get(code, 1) > 1
        else [code])]


def erlang_plan(profile: Profile, target: float, max_counters: int,
                steps: dict[str, int] | None = None) -> CounterPlan:
    """Per hour and service (or step), the M/M/c estimate of the counters needed."""
    counts = steps or {}
    rows = []
    for demand in profile.rows:
        if demand.arrivals <= 0:
            continue
        if counts.get(demand.service, 1) > 1:
            times = demand.times()
            for n in range(1, counts[demand.service] + 1):
                mean = times[n - 1].mean if n <= len(times) else demand.service_time.mean
                rows.append((demand.hour, (f"{demand.service}:{n}",),
                             counters_for(demand.arrivals, mean, target, max_counters)))
            continue
        rows.append((demand.hour, (demand.service,),
                     counters_for(demand.arrivals, demand.service_time.mean, target,
                                  max_counters)))
    return CounterPlan.of(rows)


def _late(figures: Figures, unit: str, target: float) -> list[int]:
    late = []
    for hour in figures.hours:
        stats = figures.wait_at(hour, unit)
        if stats is not None and stats.count and stats.p90 > target:
            late.append(hour)
    return late


def _with(plan: CounterPlan, changes: dict[tuple[int, str], int]) -> CounterPlan:
    rows = {(h, g): c for h, g, c in plan.rows}
    for (hour, code), delta in changes.items():
        key = (hour, (code,))
        rows[key] = max(0, rows.get(key, 0) + delta)
    return CounterPlan.of((h, g, c) for (h, g), c in rows.items())


def search_plan(inputs: Inputs, profile: Profile, target: float, max_counters: int, seed: int,
                ) -> tuple[CounterPlan, Figures, list[tuple[int, str]], int]:
    """From the Erlang C estimate: add a counter at each service's first hour
    over the target until none is (or the limit is reached), then take one
    away hour by hour wherever the target still holds. Services do not share
    counters in the plan, so each run tries every service at once.
    A service with steps is planned per step ("D:2").
    Returns (plan, its figures, where the target is not met, simulations run)."""
    steps = step_counts(inputs.config)
    services = plan_units(profile, steps)
    plan = erlang_plan(profile, target, max_counters, steps)
    runs = 0

    def evaluate(candidate: CounterPlan) -> Figures:
        nonlocal runs
        runs += 1
        return figures_for(inputs.config, run_days(inputs, seed, [candidate] * len(inputs.days)))

    figures = evaluate(plan)
    unmet: list[tuple[int, str]] = []
    for _ in range(60):
        changes: dict[tuple[int, str], int] = {}
        unmet = []
        for code in services:
            late = _late(figures, code, target)
            if not late:
                continue
            hour = late[0]
            open_then = sum(c for _, c in plan.at(hour))
            plan_hours = plan.hours()
            if hour not in plan_hours and plan_hours:
                hour = max([h for h in plan_hours if h <= hour] or [plan_hours[0]])
            if open_then + sum(1 for (h, _) in changes if h == hour) >= max_counters:
                unmet.append((hour, code))
                continue
            changes[(hour, code)] = 1
        if not changes:
            break
        plan = _with(plan, changes)
        figures = evaluate(plan)
    for hour in plan.hours():
        changes = {(hour, code): -1 for code in services if plan.count(hour, code) > 1}
        if not changes:
            continue
        trial_figures = evaluate(_with(plan, changes))
        keep = {key: delta for key, delta in changes.items()
                if not _late(trial_figures, key[1], target)}
        if keep == changes:
            plan, figures = _with(plan, changes), trial_figures
        elif keep:
            plan = _with(plan, keep)
            figures = evaluate(plan)
    return plan, figures, unmet, runs


def plan_text(plan: CounterPlan, figures: Figures, services: Sequence[str], target: float,
              lang: str) -> str:
    lines = [tr("sim.plan.header", lang, target=f"{target:g}"), ""]
    head = f"{tr('sim.col.hour', lang):<6}" + "".join(f"{code:>12}" for code in services)
    lines.append(head + f"{tr('sim.col.total', lang):>14}")
    for hour in plan.hours():
        cells = []
        for code in services:
            stats = figures.wait_at(hour, code)
            p90 = f"{stats.p90:.0f}'" if stats and stats.count else "-"
            cells.append(f"{plan.count(hour, code):>5} ({p90:>4})")
        total = sum(c for _, c in plan.at(hour))
        lines.append(f"{hour:02d}:00 " + "".join(f"{c:>12}" for c in cells) + f"{total:>14}")
    lines.append("")
    lines.append(tr("sim.plan.overall", lang, p90=f"{figures.by_service[ALL].p90:.1f}"))
    return "\n".join(lines)


def run_plan(args: argparse.Namespace) -> int:
    lang: str = args.lang
    try:
        if args.target_p90 <= 0:
            raise SimInputError("sim.error.target")
        config = load_office(args.config)
        inputs = load_inputs(args, config)
        if inputs.history is not None:  # plan the office's busiest day of the period
            busiest = inputs.history.busiest()
            inputs.days = [inputs.days[busiest]]
            inputs.profiles = [inputs.profiles[busiest]]
            inputs.plans = [inputs.plans[busiest]]
            inputs.history = None  # plan for the day's rates, not for one day's chance
        profile = inputs.profiles[0]
        plan, figures, unmet, runs = search_plan(inputs, profile, args.target_p90,
                                                 args.max_counters, args.seed)
        _write(args.out, plan.to_csv())
    except SimInputError as exc:
        print(f"antrean plan: {exc.text(lang)}", file=sys.stderr)
        return 2
    print(plan_text(plan, figures, plan_units(profile, step_counts(config)), args.target_p90,
                    lang))
    if unmet:
        where = ", ".join(f"{h:02d}:00 {code}" for h, code in unmet)
        print(tr("sim.plan.unmet", lang, where=where, limit=args.max_counters))
    print(tr("sim.plan.saved", lang, path=args.out) + f" ({runs} × {len(inputs.days)})")
    return 0


def spread(values: Sequence[float]) -> tuple[float, float]:
    """(mean, standard deviation) over seeds."""
    if not values:
        return 0.0, 0.0
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0
