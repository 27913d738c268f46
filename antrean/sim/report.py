"""The simulation report as HTML (Jinja2, charts embedded as PNG) and XLSX.

Byte for byte the same for the same input: no wall-clock time anywhere, PNGs
written without their software tag, and the workbook's dates and zip
entries set to the simulated day.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from antrean.i18n import tr
from antrean.sim.figures import ALL, Figures, WaitStats

CHART_COLOURS = ("#1d4e89", "#e07a1f", "#2a9d5b", "#b3261e", "#7b4fa3", "#6d6d6d",
                 "#00838f", "#c2185b")


@dataclass
class ReportInput:
    """Everything a report shows besides the figures themselves."""

    office: str
    days: list[date]
    seed: int
    source: str  # what the arrivals came from (a file name, or the history's period)
    service_names: dict[str, str]
    plan_rows: list[tuple[int, str, int]]  # (hour, "A+B", counters)
    refused: dict[str, int] = field(default_factory=dict)
    walked_out: dict[str, int] = field(default_factory=dict)
    reality: Figures | None = None  # the office's own days, when simulated from history
    # The office's real days before and during a trial, and the day it began.
    trial_period: tuple[Figures, Figures, date] | None = None


def _m(value: float) -> str:
    return f"{value:.1f}"


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _cell(stats: WaitStats | None) -> str:
    if stats is None or not stats.count:
        return "–"
    return f"{_m(stats.p50)} / {_m(stats.p90)} ({stats.count})"


# ------------------------------------------------------------------ charts
def _png(figure: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode()


def _new_figure(title: str, xlabel: str, ylabel: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.0, 3.4))
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def wait_chart(figures: Figures, lang: str) -> str:
    figure, axes = _new_figure(tr("sim.chart.p90", lang), tr("sim.col.hour", lang),
                               tr("sim.unit.minutes", lang))
    for index, code in enumerate(figures.services):
        points = [(h, figures.waits[(h, code)].p90) for h in figures.hours
                  if figures.waits[(h, code)].count]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                      color=CHART_COLOURS[index % len(CHART_COLOURS)], label=code)
    axes.set_xticks(figures.hours, [f"{h:02d}" for h in figures.hours])
    axes.legend(title=tr("sim.col.service", lang), fontsize=8, ncols=2)
    figure.tight_layout()
    return _png(figure)


def queue_chart(figures: Figures, lang: str) -> str:
    figure, axes = _new_figure(tr("sim.chart.queue", lang), tr("sim.col.time", lang),
                               tr("sim.unit.people", lang))
    if figures.queue:
        xs = [minute / 60 for minute, _ in figures.queue]
        stacks = [[counts.get(code, 0.0) for _, counts in figures.queue]
                  for code in figures.services]
        axes.stackplot(xs, stacks, labels=figures.services,
                       colors=[CHART_COLOURS[i % len(CHART_COLOURS)]
                               for i in range(len(figures.services))], alpha=0.85)
        ticks = list(range(int(xs[0]), int(xs[-1]) + 2))
        axes.set_xticks(ticks, [f"{h:02d}:00" for h in ticks])
        axes.legend(title=tr("sim.col.service", lang), fontsize=8, loc="upper left")
    figure.tight_layout()
    return _png(figure)


def utilisation_chart(figures: Figures, lang: str) -> str:
    figure, axes = _new_figure(tr("sim.chart.utilisation", lang), tr("sim.col.counter", lang),
                               "%")
    ids = list(figures.counters)
    axes.bar(ids, [figures.counters[c].utilisation * 100 for c in ids], color=CHART_COLOURS[0])
    axes.set_ylim(0, 100)
    figure.tight_layout()
    return _png(figure)


# ------------------------------------------------------------------ tables
def summary_rows(figures: Figures, info: ReportInput, lang: str) -> list[tuple[str, str]]:
    total = figures.outcomes[ALL]
    overall = figures.by_service[ALL]
    return [
        (tr("sim.sum.office", lang), info.office),
        (tr("sim.sum.days", lang), ", ".join(d.isoformat() for d in info.days)),
        (tr("sim.sum.source", lang), info.source),
        (tr("sim.sum.seed", lang), str(info.seed)),
        (tr("sim.sum.visitors", lang), str(total["issued"])),
        (tr("sim.sum.served", lang), str(total["done"])),
        (tr("sim.sum.no_show", lang), str(total["no_show"])),
        (tr("sim.sum.walked_out", lang), str(sum(info.walked_out.values()))),
        (tr("sim.sum.refused", lang), str(sum(info.refused.values()))),
        (tr("sim.sum.not_called", lang), str(total["not_called"])),
        (tr("sim.sum.wait", lang), f"{_m(overall.p50)} / {_m(overall.p90)}"),
        (tr("sim.sum.priority", lang), _cell(figures.by_lane["priority"])),
        (tr("sim.sum.regular", lang), _cell(figures.by_lane["regular"])),
        (tr("sim.sum.eta", lang), f"{_m(figures.eta[ALL].median_abs_error)} "
         f"{tr('sim.unit.minutes', lang)}; {_pct(figures.eta[ALL].share_within)}"),
        *([(tr("sim.sum.booked", lang), f"{total['booked']} ({total['booked_no_show']})")]
          if total.get("booked") else []),
    ]


def step_rows(figures: Figures) -> list[list[str]]:
    """Waits per step of the services with steps: overall, then per hour."""
    return [[unit, str(s.count), _m(s.mean), _m(s.p50), _m(s.p90)]
            for unit, s in figures.by_step.items()]


def step_header(lang: str) -> list[str]:
    return [tr(f"sim.col.{key}", lang) for key in ("step", "count", "mean", "p50", "p90")]


def service_rows(figures: Figures, info: ReportInput, codes: Sequence[str],
                 lang: str) -> list[list[str]]:
    rows = []
    for code in codes:
        stats, outcome, eta = figures.by_service[code], figures.outcomes[code], figures.eta[code]
        rows.append([
            tr("sim.all", lang) if code == ALL
            else f"{code} — {info.service_names.get(code, code)}",
            str(outcome["issued"]),
            str(outcome["done"]), str(outcome["no_show"]),
            str(sum(info.refused.values()) if code == ALL else info.refused.get(code, 0)),
            _m(stats.mean), _m(stats.p50), _m(stats.p90), _m(eta.median_abs_error),
            _pct(eta.share_within),
        ])
    return rows


def service_header(lang: str) -> list[str]:
    return [tr(f"sim.col.{key}", lang) for key in (
        "service", "issued", "served", "no_show", "refused", "mean", "p50", "p90",
        "eta_error", "eta_within")]


def hour_rows(figures: Figures, codes: Sequence[str]) -> list[list[str]]:
    return [[f"{hour:02d}:00", *[_cell(figures.waits.get((hour, code))) for code in codes]]
            for hour in figures.hours]


def counter_rows(figures: Figures) -> list[list[str]]:
    return [[cid, _m(use.open_minutes / 60), _m(use.busy_minutes / 60), str(use.served),
             _pct(use.utilisation)] for cid, use in figures.counters.items()]


def counter_header(lang: str) -> list[str]:
    return [tr(f"sim.col.{key}", lang) for key in (
        "counter", "open_hours", "busy_hours", "served", "utilisation")]


def reality_rows(sim: Figures, real: Figures, codes: Sequence[str]) -> list[list[str]]:
    """Simulated against real p50/p90 per hour and service, with the difference."""
    rows = []
    for hour in sorted(set(sim.hours) | set(real.hours)):
        for code in codes:
            s, r = sim.waits.get((hour, code)), real.waits.get((hour, code))
            if not (s and s.count) and not (r and r.count):
                continue
            diff = (s.p50 - r.p50) if s and r and s.count and r.count else None
            rows.append([f"{hour:02d}:00", code, _cell(r), _cell(s),
                         "–" if diff is None else f"{diff:+.1f}"])
    return rows


def trial_period_rows(info: ReportInput, lang: str) -> list[list[str]]:
    """Per service (trial services first): the real waits before and during
    the trial, and the tickets per day."""
    if info.trial_period is None:
        return []
    before, after, _ = info.trial_period
    codes = [*after.trial, *[c for c in after.services if c not in after.trial], ALL]
    rows = []
    for code in codes:
        b, a = before.by_service.get(code), after.by_service.get(code)
        if not (b and b.count) and not (a and a.count):
            continue
        diff = f"{a.p50 - b.p50:+.1f}" if a and b and a.count and b.count else "–"
        per_day = (f"{before.outcomes[code]['issued'] / max(1, before.days):.0f} → "
                   f"{after.outcomes[code]['issued'] / max(1, after.days):.0f}")
        name = tr("sim.all", lang) if code == ALL else (
            f"{code} — {info.service_names.get(code, code)}"
            + (f" ({tr('sim.trial', lang)})" if code in after.trial else ""))
        rows.append([name, _cell(b), _cell(a), diff, per_day])
    return rows


def trial_period_header(lang: str) -> list[str]:
    return [tr("sim.col.service", lang), tr("sim.col.before", lang), tr("sim.col.after", lang),
            tr("sim.col.difference", lang), tr("sim.col.per_day", lang)]


def plan_table(info: ReportInput) -> tuple[list[str], list[list[str]]]:
    groups = sorted({group for _, group, _ in info.plan_rows})
    hours = sorted({hour for hour, _, _ in info.plan_rows})
    table = {(h, g): c for h, g, c in info.plan_rows}
    rows = [[f"{h:02d}:00", *[str(table.get((h, g), 0)) for g in groups],
             str(sum(table.get((h, g), 0) for g in groups))] for h in hours]
    return groups, rows


# ------------------------------------------------------------------ HTML
_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('sim.title') }} — {{ info.office }}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #1b1b1b;
       background: #f4f5f7; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid #1d4e89;
     padding-bottom: 4px; }
p.lead { margin: 0 0 16px; color: #444; }
section { background: #fff; border-radius: 6px; padding: 8px 18px 16px; margin-bottom: 18px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e2e4e8; }
th { background: #eef2f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.wrap { overflow-x: auto; }
img { max-width: 100%; height: auto; }
.badge { display: inline-block; background: #e07a1f; color: #fff; border-radius: 4px;
         padding: 1px 8px; font-size: 13px; margin-left: 6px; }
.note { color: #555; font-size: 13px; }
@media (max-width: 600px) { main { padding: 10px; } section { padding: 6px 8px; }
  h1 { font-size: 22px; } table { font-size: 12px; } th, td { padding: 4px 5px; } }
</style>
</head>
<body><main>
<h1>{{ t('sim.title') }}</h1>
<p class="lead">{{ info.office }} · {{ info.days[0].isoformat() }}{% if info.days|length > 1 %}
 – {{ info.days[-1].isoformat() }} ({{ info.days|length }} {{ t('sim.unit.days') }}){% endif %}</p>

<section><h2>{{ t('sim.h.summary') }}</h2>
<table>{% for key, value in summary %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>{% endfor %}
</table></section>

<section><h2>{{ t('sim.h.services') }}</h2><div class="wrap"><table>
<tr>{% for h in service_header %}<th{% if not loop.first %} class="num"{% endif %}>{{ h }}</th>
{% endfor %}</tr>
{% for row in services %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{% endif %}>
{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div>
<p class="note">{{ t('sim.note.eta') }}</p></section>

{% if trial_rows %}<section><h2>{{ t('sim.h.trial') }}<span class="badge">{{ t('sim.trial')
}}</span></h2><div class="wrap"><table>
<tr>{% for h in service_header %}<th{% if not loop.first %} class="num"{% endif %}>{{ h }}</th>
{% endfor %}</tr>
{% for row in trial_rows %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{%
endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div><p class="note">{{ t('sim.note.trial') }}</p></section>{% endif %}

{% if steps %}<section><h2>{{ t('sim.h.steps') }}</h2>
<p class="note">{{ t('sim.note.steps') }}</p><div class="wrap"><table>
<tr>{% for h in step_header %}<th{% if not loop.first %} class="num"{% endif %}>{{ h }}</th>
{% endfor %}</tr>
{% for row in steps %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{% endif %}>
{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div></section>{% endif %}

<section><h2>{{ t('sim.h.hours') }}</h2>
<p class="note">{{ t('sim.note.hours') }}</p><div class="wrap"><table>
<tr><th>{{ t('sim.col.hour') }}</th>{% for code in codes %}<th class="num">{{ code }}</th>
{% endfor %}</tr>
{% for row in hours %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{% endif %}>
{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div>
<img alt="{{ t('sim.chart.p90') }}" src="data:image/png;base64,{{ charts.wait }}"></section>

<section><h2>{{ t('sim.h.queue') }}</h2>
<img alt="{{ t('sim.chart.queue') }}" src="data:image/png;base64,{{ charts.queue }}"></section>

<section><h2>{{ t('sim.h.counters') }}</h2><div class="wrap"><table>
<tr>{% for h in counter_header %}<th{% if not loop.first %} class="num"{% endif %}>{{ h }}</th>
{% endfor %}</tr>
{% for row in counters %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{% endif %}>
{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div>
<img alt="{{ t('sim.chart.utilisation') }}"
 src="data:image/png;base64,{{ charts.utilisation }}"></section>

<section><h2>{{ t('sim.h.plan') }}</h2><div class="wrap"><table>
<tr><th>{{ t('sim.col.hour') }}</th>{% for g in plan_groups %}<th class="num">{{ g }}</th>
{% endfor %}<th class="num">{{ t('sim.col.total') }}</th></tr>
{% for row in plan_rows %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{%
endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div></section>

{% if reality %}<section><h2>{{ t('sim.h.reality') }}</h2>
<p class="note">{{ t('sim.note.reality') }}</p><div class="wrap"><table>
<tr><th>{{ t('sim.col.hour') }}</th><th>{{ t('sim.col.service') }}</th>
<th class="num">{{ t('sim.col.real') }}</th><th class="num">{{ t('sim.col.simulated') }}</th>
<th class="num">{{ t('sim.col.difference') }}</th></tr>
{% for row in reality %}<tr>{% for c in row %}<td{% if loop.index > 2 %} class="num"{%
endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div></section>{% endif %}

{% if trial_period %}<section><h2>{{ t('sim.h.trial_period') }}</h2>
<p class="note">{{ trial_period_note }}</p><div class="wrap"><table>
<tr>{% for h in trial_period_header %}<th{% if not loop.first %} class="num"{% endif %}>{{ h }}
</th>{% endfor %}</tr>
{% for row in trial_period %}<tr>{% for c in row %}<td{% if not loop.first %} class="num"{%
endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table></div></section>{% endif %}

<p class="note">{{ t('sim.note.method') }}</p>
</main></body></html>
"""


def render_html(figures: Figures, info: ReportInput, lang: str = "id") -> str:
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_TEMPLATE)
    regular = [c for c in figures.services if c not in figures.trial]
    groups, plan_rows = plan_table(info)

    def t(key: str, **params: object) -> str:
        return tr(key, lang, **params)

    return template.render(
        lang=lang, t=t, info=info, summary=summary_rows(figures, info, lang),
        service_header=service_header(lang),
        services=service_rows(figures, info, [*regular, ALL], lang),
        trial_rows=service_rows(figures, info, list(figures.trial), lang)
        if figures.trial else [],
        codes=figures.services, hours=hour_rows(figures, figures.services),
        counter_header=counter_header(lang), counters=counter_rows(figures),
        steps=step_rows(figures), step_header=step_header(lang),
        plan_groups=groups, plan_rows=plan_rows,
        reality=reality_rows(figures, info.reality, figures.services)
        if info.reality else None,
        trial_period=trial_period_rows(info, lang),
        trial_period_header=trial_period_header(lang),
        trial_period_note=tr("sim.note.trial_period", lang,
                             day=info.trial_period[2].isoformat()) if info.trial_period else "",
        charts={"wait": wait_chart(figures, lang), "queue": queue_chart(figures, lang),
                "utilisation": utilisation_chart(figures, lang)},
    )


# ------------------------------------------------------------------ XLSX
def render_xlsx(figures: Figures, info: ReportInput, lang: str = "id") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
              first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title[:31]
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_number_or_text(value) for value in row])
        for index, column in enumerate(ws.columns, start=1):
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
            del index

    sheet(tr("sim.h.summary", lang), [tr("sim.col.item", lang), tr("sim.col.value", lang)],
          summary_rows(figures, info, lang), first=True)
    sheet(tr("sim.h.services", lang), service_header(lang),
          service_rows(figures, info, [*figures.services, ALL], lang))
    stats_header = [tr("sim.col.hour", lang), tr("sim.col.service", lang),
                    tr("sim.col.count", lang), tr("sim.col.mean", lang),
                    tr("sim.col.p50", lang), tr("sim.col.p90", lang)]
    sheet(tr("sim.h.hours", lang), stats_header, [
        [f"{hour:02d}:00", code, str(s.count), _m(s.mean), _m(s.p50), _m(s.p90)]
        for (hour, code), s in sorted(figures.waits.items()) if s.count])
    if figures.by_step:
        sheet(tr("sim.h.steps", lang), step_header(lang), step_rows(figures))
    sheet(tr("sim.h.counters", lang), counter_header(lang), counter_rows(figures))
    sheet(tr("sim.h.queue", lang), [tr("sim.col.time", lang), *figures.services],
          [[f"{m // 60:02d}:{m % 60:02d}", *[f"{counts.get(c, 0.0):.1f}"
                                             for c in figures.services]]
           for m, counts in figures.queue])
    groups, plan_rows = plan_table(info)
    sheet(tr("sim.h.plan", lang), [tr("sim.col.hour", lang), *groups, tr("sim.col.total", lang)],
          plan_rows)
    if info.reality is not None:
        sheet(tr("sim.h.reality", lang),
              [tr("sim.col.hour", lang), tr("sim.col.service", lang), tr("sim.col.real", lang),
               tr("sim.col.simulated", lang), tr("sim.col.difference", lang)],
              reality_rows(figures, info.reality, figures.services))
    if info.trial_period is not None:
        sheet(tr("sim.h.trial_period", lang), trial_period_header(lang),
              trial_period_rows(info, lang))
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_zip(buffer.getvalue(), info.days[0])


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _number_or_text(value: str) -> Any:
    if _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def stable_zip(data: bytes, day: date) -> bytes:
    """The same workbook bytes every time: entries dated to the simulated
    day, and the document's created/modified dates too."""
    stamp = f"{day.isoformat()}T00:00:00Z"
    moment = (day.year, day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + stamp.encode() + rb"\g<3>", content)
            entry = zipfile.ZipInfo(item.filename, moment)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()
