"""The report's tables and charts written as XLSX (openpyxl: one sheet per
table, real numbers, frozen headers), CSV (one file per table, in a folder or
a zip), HTML (one self-contained file, Jinja2 with everything escaped) or PDF
(A4 by fpdf2 with DejaVu for any script, the office, the period and page
numbers). Charts are matplotlib's Agg PNGs, embedded in all but the CSV.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from server.report import Report, ReportTable

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_NUMBER_FORMATS = {"minutes": "0.0", "hours": "0.0", "share": "0.0%", "number": "0.00",
                   "number3": "0.000",
                   "int": "#,##0"}
_WIDE = 7  # tables with more columns go on landscape pages


# ==================================================================== values
def shown(value: Any, kind: str, lang: str) -> str:
    """A cell as a person reads it: Indonesian writes 81,94 and 12,5 %."""
    if value is None or value == "":
        return "–" if kind != "text" else ""
    if isinstance(value, str):
        return value
    if kind == "share":
        text = f"{value * 100:.1f} %"
    elif kind in ("minutes", "hours"):
        text = f"{value:.1f}"
    elif kind == "number":
        text = f"{value:.2f}"
    elif kind == "number3":
        text = f"{value:.3f}"
    elif isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "id" else ",")
    else:
        text = str(value)
    return text.replace(".", ",") if lang == "id" else text


def headers(report: Report, table: ReportTable) -> list[str]:
    return [report.t(column.key) for column in table.columns]


def sheet_title(report: Report, key: str) -> str:
    title = report.t(f"report.sheet.{key}")
    return title


# ==================================================================== charts
def charts(report: Report) -> dict[str, bytes]:
    """PNG charts: arrivals and calls per hour, the wait distribution, waits
    per service, and the SKM's NRR per unsur (when there are responses)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    t = report.t
    facts = report.facts
    result: dict[str, bytes] = {}

    def png(figure: Figure) -> bytes:
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png", dpi=110)
        plt.close(figure)
        return buffer.getvalue()

    hours = list(range(24))
    arrivals = [0] * 24
    calls = [0] * 24
    for ticket in facts:
        arrivals[ticket.issued_at.hour] += 1
        if ticket.first_call is not None:
            calls[ticket.first_call.hour] += 1
    used = [h for h in hours if arrivals[h] or calls[h]] or [8, 16]
    span = list(range(min(used), max(used) + 1))
    figure, axes = plt.subplots(figsize=(7.5, 3.2))
    axes.bar([h - 0.2 for h in span], [arrivals[h] for h in span], width=0.4,
             label=t("report.chart.arrivals"), color="#1f6f8b")
    axes.bar([h + 0.2 for h in span], [calls[h] for h in span], width=0.4,
             label=t("report.chart.calls"), color="#e39c2d")
    axes.set_xticks(span, [f"{h:02d}" for h in span])
    axes.set_xlabel(t("report.chart.hour"))
    axes.set_ylabel(t("report.chart.tickets"))
    axes.set_title(t("report.chart.hourly"))
    axes.legend()
    result["hourly"] = png(figure)

    import numpy

    waits = numpy.fromiter((ticket.wait for ticket in facts if ticket.wait is not None),
                           dtype=float)
    figure, axes = plt.subplots(figsize=(7.5, 3.2))
    if waits.size:
        axes.hist(waits, bins=min(40, max(5, waits.size // 5)), color="#1f6f8b")
        ordered = numpy.sort(waits)
        for p, style in ((50, "--"), (90, ":")):
            value = float(ordered[max(1, -(-p * ordered.size // 100)) - 1])
            axes.axvline(value, color="#c0392b", linestyle=style,
                         label=f"p{p} = {shown(value, 'minutes', report.lang)}")
        axes.legend()
    axes.set_xlabel(t("report.chart.minutes"))
    axes.set_ylabel(t("report.chart.tickets"))
    axes.set_title(t("report.chart.waits"))
    result["waits"] = png(figure)

    per_service: dict[str, list[float]] = {}
    for ticket in facts:
        if ticket.wait is not None:
            per_service.setdefault(ticket.service, []).append(ticket.wait)
    figure, axes = plt.subplots(figsize=(7.5, 3.2))
    codes = sorted(per_service)
    if codes:
        # The box statistics worked out here (whiskers at p10 and p90), so
        # matplotlib only draws them: its own pass over 90,000 waits is slow.
        stats = []
        for code in codes:
            values = numpy.asarray(per_service[code])
            p10, q1, median, q3, p90 = numpy.percentile(values, (10, 25, 50, 75, 90))
            stats.append({"label": code, "whislo": p10, "q1": q1, "med": median, "q3": q3,
                          "whishi": p90, "fliers": []})
        axes.bxp(stats, showfliers=False)
    axes.set_xlabel(t("report.col.service"))
    axes.set_ylabel(t("report.chart.minutes"))
    axes.set_title(t("report.chart.service_waits"))
    result["service_waits"] = png(figure)

    skm_table = report.table("skm")
    nrr = [row[4] for row in skm_table.rows[:9]]
    if any(value is not None for value in nrr):
        figure, axes = plt.subplots(figsize=(7.5, 3.2))
        labels = [row[0] for row in skm_table.rows[:9]]
        axes.barh(labels[::-1], [value or 0 for value in nrr][::-1], color="#1f6f8b")
        axes.set_xlim(0, 4)
        axes.set_xlabel("NRR (1–4)")
        axes.set_title(t("report.chart.skm"))
        result["skm"] = png(figure)
    return result


# ==================================================================== writers
def write(report: Report, out: str) -> None:
    path = Path(out)
    suffix = path.suffix.lower()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        write_xlsx(report, path)
    elif suffix in (".csv", ".zip"):
        write_csv(report, path)
    elif suffix == ".html":
        path.write_text(html(report), encoding="utf-8")
    elif suffix == ".pdf":
        write_pdf(report, path)
    else:
        raise ValueError(f"unknown report format {suffix}")


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF0")
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = sheet_title(report, "summary")
    cover["A1"] = report.t("report.title")
    cover["A1"].font = Font(bold=True, size=14)
    for index, (label, value) in enumerate(report.summary, start=3):
        cover.cell(index, 1, label).font = bold
        cover.cell(index, 2, value)
    row = len(report.summary) + 4
    for warning in report.warnings:
        cover.cell(row, 1, report.t("report.warning")).font = Font(bold=True, color="B03A2E")
        cover.cell(row, 2, warning)
        row += 1
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 70

    for table in report.tables:
        sheet = book.create_sheet(sheet_title(report, table.key))
        for column, title in enumerate(headers(report, table), start=1):
            cell = sheet.cell(1, column, title)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r, values in enumerate(table.rows, start=2):
            for c, (value, kind) in enumerate(zip(values, table.kinds(r - 2), strict=True),
                                              start=1):
                cell = sheet.cell(r, c, value)
                number_format = _NUMBER_FORMATS.get(kind)
                if number_format and isinstance(value, (int, float)):
                    cell.number_format = number_format
        if table.note:
            sheet.cell(len(table.rows) + 3, 1, table.note).font = Font(italic=True)
        sheet.freeze_panes = "A2"
        for c, column_spec in enumerate(table.columns, start=1):
            longest = max([len(str(v[c - 1])) for v in table.rows if v[c - 1] is not None]
                          + [min(len(report.t(column_spec.key)), 18), 6])
            sheet.column_dimensions[get_column_letter(c)].width = min(60, longest + 2)
        sheet.row_dimensions[1].height = 32

    pictures = book.create_sheet(sheet_title(report, "charts"))
    row = 1
    for name, data in report.charts.items():
        pictures.cell(row, 1, report.t(f"report.chart.{name}")).font = bold
        image = Image(io.BytesIO(data))
        pictures.add_image(image, f"A{row + 1}")
        row += 20
    book.save(path)


def _csv_files(report: Report) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    summary = io.StringIO()
    writer = csv.writer(summary)
    writer.writerows([list(pair) for pair in report.summary])
    for warning in report.warnings:
        writer.writerow([report.t("report.warning"), warning])
    files["summary.csv"] = summary.getvalue().encode("utf-8-sig")
    for table in report.tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers(report, table))
        writer.writerows(table.rows)
        files[f"{table.key}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files


def write_csv(report: Report, path: Path) -> None:
    """`.zip`: one archive; `.csv`: a folder named after the file (without
    `.csv`), one UTF-8 file per table (with a BOM, so spreadsheets read it)."""
    files = _csv_files(report)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return
    folder = path.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


_HTML = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – {{ office }}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #1b1b1b; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 2px solid #1f6f8b; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #b8c4c9; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #ddebf0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note { color: #444; font-size: 0.9em; }
.warning { background: #fdecea; border-left: 5px solid #b03a2e; padding: 0.5em 1em; }
.hash { font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
.wrap { overflow-x: auto; }
img { max-width: 100%; }
@media print { h2 { break-after: avoid; } table { break-inside: auto; } }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p><strong>{{ office }}</strong> · {{ period }}</p>
{% for warning in warnings %}<p class="warning">{{ warning }}</p>{% endfor %}
<table>
{% for label, value in summary %}<tr><th>{{ label }}</th>
<td{% if value|length == 64 %} class="hash"{% endif %}>{{ value }}</td></tr>
{% endfor %}</table>
<h2>{{ charts_title }}</h2>
{% for name, label, data in charts %}<figure>
<img alt="{{ label }}" src="data:image/png;base64,{{ data }}"></figure>{% endfor %}
{% for table in tables %}
<h2 id="{{ table.key }}">{{ table.title }}</h2>
<div class="wrap"><table>
<thead><tr>{% for header in table.headers %}<th scope="col">{{ header }}</th>
{% endfor %}</tr></thead>
<tbody>{% for row in table.rows %}<tr>{% for cell, numeric in row %}
<td{% if numeric %} class="n"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% if table.note %}<p class="note">{{ table.note }}</p>{% endif %}
{% endfor %}
</body>
</html>
"""


def html(report: Report) -> str:
    from jinja2 import Environment

    environment = Environment(autoescape=True)
    template = environment.from_string(_HTML)
    tables = []
    for table in report.tables:
        rows = [[(shown(value, kind, report.lang), kind != "text")
                 for value, kind in zip(row, table.kinds(index), strict=True)]
                for index, row in enumerate(table.rows)]
        tables.append({"key": table.key, "title": sheet_title(report, table.key),
                       "headers": headers(report, table), "rows": rows, "note": table.note})
    return template.render(
        lang=report.lang, title=report.t("report.title"), office=report.office,
        period=report.t("report.period", first=report.first_day.isoformat(),
                        last=report.last_day.isoformat()),
        warnings=report.warnings, summary=report.summary,
        charts_title=report.t("report.sheet.charts"),
        charts=[(name, report.t(f"report.chart.{name}"), base64.b64encode(data).decode())
                for name, data in report.charts.items()],
        tables=tables)


def write_pdf(report: Report, path: Path) -> None:
    from fpdf import FPDF

    t = report.t

    class Pdf(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", "B", 9)
            self.cell(0, 5, f"{report.office} · {t('report.title')}", new_x="LMARGIN",
                      new_y="NEXT")
            self.set_font("DejaVu", "", 8)
            self.cell(0, 4, t("report.period", first=report.first_day.isoformat(),
                              last=report.last_day.isoformat()), new_x="LMARGIN", new_y="NEXT")
            self.ln(3)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("DejaVu", "", 7)
            self.cell(0, 5, t("report.page", page=self.page_no(), pages="{nb}"), align="C")

    pdf = Pdf(format="A4")
    pdf.set_title(f"{t('report.title')} – {report.office}")
    pdf.set_creator("Antrean")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVuMono", "", str(FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, t("report.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, report.office, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for warning in report.warnings:
        pdf.set_text_color(176, 58, 46)
        pdf.multi_cell(0, 5, f"{t('report.warning')}: {warning}", new_x="LMARGIN",
                       new_y="NEXT", align="L")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(55, 125), first_row_as_headings=False, line_height=5) as grid:
        for label, value in report.summary:
            row = grid.row()
            pdf.set_font("DejaVu", "B", 9)
            row.cell(label)
            pdf.set_font("DejaVuMono" if len(value) == 64 else "DejaVu", "", 8 if len(
                value) == 64 else 9)
            row.cell(value)
    pdf.set_font("DejaVu", "", 9)
    for data in report.charts.values():
        if pdf.get_y() > 200:
            pdf.add_page()
        pdf.ln(3)
        pdf.image(io.BytesIO(data), w=170)

    first = True
    for table in report.tables:
        landscape = len(table.columns) > _WIDE
        width = 267 if landscape else 180
        orientation = "L" if landscape else "P"
        # Tables follow each other; a new page when the orientation changes or
        # little room is left (the table itself breaks across pages as needed).
        if first or str(pdf.cur_orientation.value) != orientation or pdf.get_y() > pdf.h - 60:
            pdf.add_page(orientation=orientation)
        else:
            pdf.ln(6)
        first = False
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, sheet_title(report, table.key), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        size = 7 if landscape else 8
        pdf.set_font("DejaVu", "", size)
        widths = _pdf_widths(pdf, report, table, width)
        _pdf_grid(pdf, report, table, widths, size)
        if table.note:
            pdf.ln(2)
            pdf.set_font("DejaVu", "I", 8)
            pdf.multi_cell(0, 4.5, table.note, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.output(str(path))


def _wrap(pdf: Any, text: str, width: float) -> list[str]:
    """Lines of `text` that fit `width` in the current font (words kept whole
    unless one alone is too wide)."""
    if not text or pdf.get_string_width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdf.get_string_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while pdf.get_string_width(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


def _pdf_grid(pdf: Any, report: Report, table: ReportTable, widths: tuple[float, ...],
              size: float) -> None:
    """The table drawn cell by cell: fpdf2's own table measures every cell
    several times (most of a month's PDF time); this wraps only the cells that
    need it. Rows break across pages with the header drawn again."""
    pad = 1.0
    line = size * 0.42
    right = [column.kind != "text" for column in table.columns]
    header_texts = headers(report, table)
    bottom = pdf.h - pdf.b_margin
    auto_break = pdf.auto_page_break
    pdf.set_auto_page_break(False)

    def draw(texts: list[str], bold: bool, kinds: list[str] | None = None) -> None:
        flush = right if kinds is None else [kind != "text" for kind in kinds]
        pdf.set_font("DejaVu", "B" if bold else "", size)
        cells = [_wrap(pdf, text, width - 2 * pad) for text, width in zip(texts, widths,
                                                                          strict=True)]
        height = max(len(lines) for lines in cells) * line + 2 * pad
        if pdf.get_y() + height > bottom:
            pdf.add_page(orientation=str(pdf.cur_orientation.value))
            if not bold:
                draw(header_texts, True)
                pdf.set_font("DejaVu", "", size)
        x, y = pdf.l_margin, pdf.get_y()
        for lines, width, flush_right in zip(cells, widths, flush, strict=True):
            if bold:
                pdf.set_fill_color(221, 235, 240)
                pdf.rect(x, y, width, height, style="DF")
            else:
                pdf.rect(x, y, width, height)
            for number, text in enumerate(lines, start=1):
                offset = (width - pad - pdf.get_string_width(text)) if flush_right else pad
                pdf.text(x + offset, y + pad + number * line - line * 0.22, text)
            x += width
        pdf.set_y(y + height)

    pdf.set_draw_color(90, 90, 90)
    pdf.set_line_width(0.15)
    draw(header_texts, True)
    for index, values in enumerate(table.rows):
        kinds = table.kinds(index)
        draw([shown(value, kind, report.lang) for value, kind in zip(values, kinds, strict=True)],
             False, kinds)
    pdf.set_auto_page_break(auto_break, margin=15)


def _pdf_widths(pdf: Any, report: Report, table: ReportTable, total: float
               ) -> tuple[float, ...]:
    """Column widths measured in the table's fonts: every header word fits on
    a line, numbers never wrap, text columns share what is left (long texts
    wrap)."""
    size = pdf.font_size_pt
    floors: list[float] = []
    wants: list[float] = []
    for index, column in enumerate(table.columns):
        pdf.set_font("DejaVu", "B", size)
        floor = max(pdf.get_string_width(word) for word in report.t(column.key).split())
        pdf.set_font("DejaVu", "", size)
        cells = sorted(pdf.get_string_width(shown(row[index], kind, report.lang))
                       for row, kind in ((r, table.kinds(i)[index])
                                         for i, r in enumerate(table.rows)))
        widest = cells[-1] if cells else 0.0
        floor = max(floor, min(widest, 22.0) if column.kind == "text" else widest)
        floors.append(floor + 3.5)
        wants.append(max(floor, min(widest, 80.0)) + 3.5)
    if sum(wants) <= total:
        spare = total - sum(wants)
        text_columns = [i for i, c in enumerate(table.columns) if c.kind == "text"] or list(
            range(len(wants)))
        return tuple(want + (spare / len(text_columns) if i in text_columns else 0)
                     for i, want in enumerate(wants))
    # Too wide: text columns give up room down to their floors, in proportion.
    fixed = sum(want for want, c in zip(wants, table.columns, strict=True) if c.kind != "text")
    text_want = sum(want for want, c in zip(wants, table.columns, strict=True)
                    if c.kind == "text")
    room = max(total - fixed, 1.0)
    widths = []
    for want, floor, column in zip(wants, floors, table.columns, strict=True):
        if column.kind == "text" and text_want:
            widths.append(max(floor, want * room / text_want))
        else:
            widths.append(want)
    scale = min(1.0, total / sum(widths))
    return tuple(width * scale for width in widths)
