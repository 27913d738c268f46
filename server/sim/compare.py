"""`antrean simulate --compare A B`: the same arrivals and seeds through two
office files (a new priority rule, a trial service, other counters) or two
counter plans, side by side, with the difference and its spread over seeds."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from antrean.i18n import tr
from antrean.sim import SimInputError
from antrean.sim.figures import ALL, Figures
from antrean.sim.plan import parse_plan
from antrean.sim.report import stable_zip
from server.sim.commands import (
    Inputs,
    figures_for,
    load_inputs,
    load_office,
    read_text,
    run_days,
    spread,
    step_counts,
)

Metric = tuple[str, Callable[[Figures], float]]


def metrics(services: Sequence[str], lang: str) -> list[Metric]:
    minutes = tr("sim.unit.minutes", lang)
    rows: list[Metric] = [
        (f"{tr('sim.col.mean', lang)}", lambda f: f.by_service[ALL].mean),
        (f"p50 ({minutes})", lambda f: f.by_service[ALL].p50),
        (f"p90 ({minutes})", lambda f: f.by_service[ALL].p90),
        (f"{tr('common.priority', lang)} p90 ({minutes})", lambda f: f.by_lane["priority"].p90),
        (f"{tr('common.regular', lang)} p90 ({minutes})", lambda f: f.by_lane["regular"].p90),
        (f"{tr('sim.col.utilisation', lang)} (%)", _utilisation),
        (f"{tr('sim.col.eta_within', lang)} (%)", lambda f: f.eta[ALL].share_within * 100),
        (tr("sim.col.served", lang), lambda f: float(f.outcomes[ALL]["done"])),
    ]
    for code in services:
        rows.append((f"{tr('sim.col.service', lang)} {code} p90 ({minutes})",
                     _service_p90(code)))
    return rows


def _service_p90(code: str) -> Callable[[Figures], float]:
    def measure(figures: Figures) -> float:
        stats = figures.by_service.get(code)
        return stats.p90 if stats is not None else 0.0
    return measure


def _utilisation(figures: Figures) -> float:
    used = [c for c in figures.counters.values() if c.open_minutes > 0]
    busy = sum(c.busy_minutes for c in used)
    open_ = sum(c.open_minutes for c in used)
    return 100 * busy / open_ if open_ else 0.0


def sides(args: argparse.Namespace) -> tuple[Inputs, Inputs, list[str]]:
    first, second = args.compare
    if first.endswith(".toml") and second.endswith(".toml"):
        a = load_inputs(args, load_office(first))
        b = load_inputs(args, load_office(second))
    elif first.endswith(".csv") and second.endswith(".csv"):
        base = load_inputs(args, load_office(args.config))
        codes = [s.code for s in base.config.office.services]
        steps = step_counts(base.config)
        a = dataclasses.replace(base, plans=[parse_plan(read_text(first), codes, steps)]
                                * len(base.days))
        b = dataclasses.replace(base, plans=[parse_plan(read_text(second), codes, steps)]
                                * len(base.days))
    else:
        raise SimInputError("sim.error.compare")
    services = [s.code for s in a.config.office.services]
    services += [s.code for s in b.config.office.services if s.code not in services]
    return a, b, services


def compare_table(args: argparse.Namespace
                  ) -> tuple[list[str], list[list[str]], list[str], list[date]]:
    lang: str = args.lang
    a, b, services = sides(args)
    seeds = [args.seed + i for i in range(max(1, args.seeds))]
    results: list[tuple[Figures, Figures]] = []
    for seed in seeds:
        results.append((figures_for(a.config, run_days(a, seed)),
                        figures_for(b.config, run_days(b, seed))))
    names = [Path(name).name for name in args.compare]
    header = [tr("sim.col.metric", lang), f"A: {names[0]}", f"B: {names[1]}",
              f"B − A ({tr('sim.col.spread', lang)})"]
    rows: list[list[str]] = []
    for name, measure in metrics(services, lang):
        left = [measure(fa) for fa, _ in results]
        right = [measure(fb) for _, fb in results]
        diff = [r - left_value for left_value, r in zip(left, right, strict=True)]
        (ma, sa), (mb, sb), (md, sd) = spread(left), spread(right), spread(diff)
        rows.append([name, f"{ma:.1f} ± {sa:.1f}", f"{mb:.1f} ± {sb:.1f}",
                     f"{md:+.1f} ± {sd:.1f}"])
    notes = [f"{tr('sim.sum.seed', lang)}: {', '.join(str(s) for s in seeds)}",
             f"{tr('sim.sum.source', lang)}: {a.source}"]
    return header, rows, notes, a.days


_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; background: #f4f5f7;
       color: #1b1b1b; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; }
section { background: #fff; border-radius: 6px; padding: 12px 18px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e2e4e8; }
th { background: #eef2f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note { color: #555; font-size: 13px; }
@media (max-width: 600px) { main { padding: 10px; } section { padding: 6px 8px; }
  table { font-size: 12px; } th, td { padding: 4px 5px; } }
</style></head>
<body><main><h1>{{ title }}</h1>
<section><table>
<tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{% endif %}>
{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></section>
{% for n in notes %}<p class="note">{{ n }}</p>{% endfor %}
<p class="note">{{ method }}</p>
</main></body></html>
"""


def run_compare(args: argparse.Namespace) -> str | bytes:
    lang: str = args.lang
    header, rows, notes, days = compare_table(args)
    title = tr("sim.h.compare", lang)
    if args.out.endswith(".xlsx"):
        import io

        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = title[:31]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for note in notes:
            sheet.append([note])
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = max(
                12, min(60, max(len(str(c.value or "")) for c in column) + 2))
        buffer = io.BytesIO()
        book.save(buffer)
        return stable_zip(buffer.getvalue(), days[0])
    from jinja2 import Environment

    template = Environment(autoescape=True, trim_blocks=True,
                           lstrip_blocks=True).from_string(_TEMPLATE)
    return template.render(lang=lang, title=title, header=header, rows=rows, notes=notes,
                           method=tr("sim.note.method", lang))
