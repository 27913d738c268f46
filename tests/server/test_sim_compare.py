"""Trials of a change: the same arrivals and seeds through two counter plans
or two office files, side by side with the difference and its spread."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from antrean.cli import main, parse_args
from server.sim.compare import compare_table

ROOT = Path(__file__).resolve().parents[2]
OFFICE = ROOT / "assets" / "office.example.toml"
ARRIVALS = str(ROOT / "assets" / "arrivals.example.csv")
HOURS = range(8, 16)


def plan_file(path: Path, extra_ab: int) -> str:
    rows = ["hour,services,counters"]
    for hour in HOURS:
        rows += [f"{hour:02d},A+B,{1 + extra_ab}", f"{hour:02d},A+B+C,1", f"{hour:02d},C+E,1"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def measure(rows: list[list[str]], name: str) -> tuple[float, float, float, float]:
    """(A, B, B - A, spread of B - A) of the row named `name`."""
    row = next(r for r in rows if r[0] == name)
    a, b = (float(cell.split(" ± ")[0]) for cell in row[1:3])
    diff, spread = (float(x) for x in re.findall(r"[-+]?\d+\.\d", row[3]))
    return a, b, diff, spread


def test_one_more_counter_shortens_the_waits(tmp_path: Path) -> None:
    args = parse_args(["simulate", "--config", str(OFFICE), "--arrivals", ARRIVALS,
                       "--seeds", "3", "--lang", "en", "--out", str(tmp_path / "c.html"),
                       "--compare", plan_file(tmp_path / "a.csv", 0),
                       plan_file(tmp_path / "b.csv", 1)])
    header, rows, notes, _ = compare_table(args)
    assert header[3] == "B − A (Spread over seeds)"
    a, b, diff, spread = measure(rows, "p90 (minutes)")
    assert b < a and diff == pytest.approx(b - a, abs=0.11) and spread > 0
    used_a, used_b, _, _ = measure(rows, "Utilisation (%)")
    assert used_b < used_a  # the same work over more counters
    assert "Seed: 1, 2, 3" in notes


def test_a_stricter_priority_rule_is_tried_before_it_is_lived(tmp_path: Path) -> None:
    """A second office file with a lower priority cap and fairness limit: the
    priority lane waits longer, the regular lane no longer."""
    text = OFFICE.read_text(encoding="utf-8")
    strict = re.sub(r"priority_cap = \d+", "priority_cap = 1", text)
    strict = re.sub(r"regular_max_wait_minutes = \d+", "regular_max_wait_minutes = 1", strict)
    assert strict != text
    other = tmp_path / "strict.toml"
    other.write_text(strict, encoding="utf-8")
    args = parse_args(["simulate", "--arrivals", ARRIVALS, "--seeds", "3", "--lang", "en",
                       "--out", str(tmp_path / "c.html"), "--compare", str(OFFICE), str(other)])
    _, rows, _, _ = compare_table(args)
    priority_a, priority_b, _, _ = measure(rows, "Priority p90 (minutes)")
    regular_a, regular_b, _, _ = measure(rows, "Regular p90 (minutes)")
    assert priority_b > priority_a
    assert regular_b <= regular_a + 1.0


def test_the_comparison_is_written_as_html_and_xlsx(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = [plan_file(tmp_path / "a.csv", 0), plan_file(tmp_path / "b.csv", 1)]
    for out in ("c.html", "c.xlsx", "again.xlsx"):
        assert main(["simulate", "--config", str(OFFICE), "--arrivals", ARRIVALS, "--seeds", "2",
                     "--out", str(tmp_path / out), "--compare", *plans]) == 0
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "Perbandingan uji coba" in html and "Sebaran antar-seed" in html
    assert (tmp_path / "c.xlsx").read_bytes() == (tmp_path / "again.xlsx").read_bytes()
    assert main(["simulate", "--config", str(OFFICE), "--arrivals", ARRIVALS,
                 "--out", str(tmp_path / "x.html"), "--compare", plans[0], str(OFFICE)]) == 2
    assert "--compare memerlukan dua berkas" in capsys.readouterr().err
