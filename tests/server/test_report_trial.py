"""Trial services in `antrean report`: four office days lived through the real
server on the simulated clock (kiosk and counters, as `antrean simulate`
drives them) into a SQLite file, with service E new from the third day and
marked `trial = true` in the office file. The report shows E apart and the
days before against the days from E's first ticket on (or `--trial-from`),
in XLSX, CSV, HTML and PDF, both languages; every figure checked is counted
again here from the event log."""

from __future__ import annotations

import asyncio
import csv
import io
import math
import subprocess
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from antrean.cli import main as cli
from antrean.sim.plan import CounterPlan
from antrean.sim.profile import Demand, Profile, ServiceTime
from server.config import load_config
from server.sim.driver import Behaviour, simulate_days

OFFICE = Path(__file__).resolve().parents[2] / "assets" / "office.example.toml"
DAYS = [date(2026, 1, 5) + timedelta(days=i) for i in range(4)]
HOURS = range(8, 11)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    folder = tmp_path_factory.mktemp("trial")
    office = folder / "trial.toml"
    office.write_text(OFFICE.read_text(encoding="utf-8").replace(
        'prefix = "E"\n', 'prefix = "E"\ntrial = true\n'), encoding="utf-8")
    config = load_config(str(office))
    assert [s.code for s in config.office.services if s.trial] == ["E"]
    before = tuple(Demand(h, code, n, 0.1, ServiceTime(m, 0.3), 0.05)
                   for h in HOURS for code, n, m in (("A", 8, 10.0), ("B", 6, 9.0)))
    during = before + tuple(Demand(h, "E", 10, 0.0, ServiceTime(4.0, 0.3), 0.0)
                            for h in HOURS)
    plan = CounterPlan.of([(h, (code,), n) for h in HOURS
                           for code, n in (("A", 2), ("B", 2), ("E", 1))])
    db = folder / "history.db"
    records = asyncio.run(simulate_days(
        config, [Profile(before), Profile(before), Profile(during), Profile(during)],
        [plan] * 4, DAYS, 7, Behaviour(), f"sqlite:///{db}"))
    events = [event for record in records for event in record.events]
    return db, office, events


def _expected(events: list) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per side and service: (tickets per day, wait p50, wait p90), from the log."""
    issued: dict[str, tuple[str, str, datetime]] = {}
    waits: dict[str, float] = {}
    for name, at, data in events:
        ticket = data.get("ticket") or {}
        if name == "ticket.issued":
            issued[ticket["id"]] = (ticket["service"], at[:10],
                                    datetime.fromisoformat(ticket["issued_at"]))
        elif name == "ticket.called" and ticket["id"] not in waits:
            waits[ticket["id"]] = (datetime.fromisoformat(at)
                                   - issued[ticket["id"]][2]).total_seconds() / 60
    result: dict[str, dict[str, tuple[float, float, float]]] = {}
    for side, days in (("before", {"2026-01-05", "2026-01-06"}),
                       ("during", {"2026-01-07", "2026-01-08"})):
        counts: dict[str, int] = defaultdict(int)
        side_waits: dict[str, list[float]] = defaultdict(list)
        for tid, (service, day, _) in issued.items():
            if day in days:
                for key in (service, "*"):
                    counts[key] += 1
                    if tid in waits:
                        side_waits[key].append(waits[tid])
        result[side] = {key: (counts[key] / 2, _p(side_waits[key], 0.5),
                              _p(side_waits[key], 0.9)) for key in counts}
    return result


def test_trial_services_apart_with_before_and_after_in_every_format(
        history: tuple[Path, Path, list], tmp_path: Path) -> None:
    db, office, events = history
    expected = _expected(events)
    assert "E" not in expected["before"] and expected["during"]["E"][0] > 15
    out = tmp_path / "report"
    for suffix in (".xlsx", ".csv", ".html", ".pdf"):
        assert cli(["report", "--db", f"sqlite:///{db}", "--config", str(office), "--from",
                    "2026-01-05", "--to", "2026-01-08", "--lang", "en",
                    "--out", f"{out}{suffix}"]) == 0

    book = load_workbook(f"{out}.xlsx")
    rows = {row[0]: row for row in book["Trial before and after"].iter_rows(
        min_row=2, values_only=True)}
    labels = list(rows)[:list(rows).index("Total") + 1]  # the note follows the table
    assert labels[0] == "E – Information & Complaints (Trial)" and labels[-1] == "Total"
    e_row, a_row, total = rows[labels[0]], rows["A – New Passport"], rows["Total"]
    assert e_row[1] == 0 and e_row[2] == pytest.approx(expected["during"]["E"][0])
    assert e_row[5] is None and e_row[6] == pytest.approx(expected["during"]["E"][2], abs=0.01)
    for row, key in ((a_row, "A"), (total, "*")):
        before, during = expected["before"][key], expected["during"][key]
        assert row[1] == pytest.approx(before[0]) and row[2] == pytest.approx(during[0])
        assert row[3] == pytest.approx(before[1], abs=0.01)
        assert row[4] == pytest.approx(during[1], abs=0.01)
        assert row[5] == pytest.approx(before[2], abs=0.01)
        assert row[6] == pytest.approx(during[2], abs=0.01)
        assert row[7] == pytest.approx(round(during[2], 2) - round(before[2], 2), abs=0.02)
    # E is apart: its own sheet, not among the services.
    trial_sheet = list(book["Trial services"].iter_rows(min_row=2, values_only=True))
    assert trial_sheet[0][0] == "E – Information & Complaints (Trial)"
    assert "A – New Passport" not in [r[0] for r in trial_sheet]
    e_issued = sum(1 for n, _, d in events if n == "ticket.issued" and d["ticket"]["service"]
                   == "E")
    assert trial_sheet[0][1] == e_issued
    services = [r[0] for r in book["Per service"].iter_rows(min_row=2, values_only=True)]
    assert services[:2] == ["A – New Passport", "B – Passport Replacement"]
    assert not any(str(name).startswith("E ") for name in services)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert summary.get("Services on trial") == (
        "E – Information & Complaints (from 2026-01-07)")

    text = (out / "trial_compare.csv").read_text(encoding="utf-8-sig")  # report.csv: a folder
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert csv_rows[1][0] == "E – Information & Complaints (Trial)"
    html = Path(f"{out}.html").read_text(encoding="utf-8")
    assert "Trial before and after" in html and "the first day a trial service issued" in html
    pdf = subprocess.run(["pdftotext", "-layout", f"{out}.pdf", "-"], check=True,
                         capture_output=True, text=True).stdout
    assert "Trial before and after" in pdf and "Information & Complaints (Trial)" in pdf

    # Indonesian, with the day given: the same split, the catalogue's words.
    assert cli(["report", "--db", f"sqlite:///{db}", "--config", str(office), "--from",
                "2026-01-05", "--to", "2026-01-08", "--trial-from", "2026-01-07",
                "--out", f"{out}-id.html"]) == 0
    html = Path(f"{out}-id.html").read_text(encoding="utf-8")
    assert "Uji coba sebelum-sesudah" in html and "Informasi &amp; Pengaduan (Uji coba)" in html
    assert "tanggal dari --trial-from" in html and "2 hari sebelum 2026-01-07" in html


def test_a_split_day_later_and_the_bad_ones(history: tuple[Path, Path, list], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db, office, _ = history
    # The period starting with the trial: nothing before it, said so.
    out = tmp_path / "late.xlsx"
    assert cli(["report", "--db", f"sqlite:///{db}", "--config", str(office), "--from",
                "2026-01-07", "--to", "2026-01-08", "--lang", "en", "--out", str(out)]) == 0
    book = load_workbook(out)
    sheet = book["Trial before and after"]
    notes = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("there are no days before it" in n for n in notes)
    # A split day outside the period: refused in the user's language, nothing written.
    for lang, words in (("en", "must be after --from"), ("id", "harus setelah --from")):
        bad = tmp_path / f"bad-{lang}.xlsx"
        assert cli(["report", "--db", f"sqlite:///{db}", "--config", str(office), "--from",
                    "2026-01-05", "--to", "2026-01-08", "--trial-from", "2026-01-05",
                    "--lang", lang, "--out", str(bad)]) == 2
        assert words in capsys.readouterr().err and not bad.exists()
    assert cli(["report", "--db", f"sqlite:///{db}", "--from", "2026-01-05", "--to",
                "2026-01-08", "--trial-from", "07-01-2026", "--out", str(bad)]) == 2
    assert not bad.exists()
    # Without the office file nothing is on trial: no trial sheets.
    plain = tmp_path / "plain.xlsx"
    assert cli(["report", "--db", f"sqlite:///{db}", "--from", "2026-01-05", "--to",
                "2026-01-08", "--lang", "en", "--out", str(plain)]) == 0
    assert "Trial before and after" not in load_workbook(plain).sheetnames
