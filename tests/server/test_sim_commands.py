"""`antrean simulate` and `antrean plan` from the command line: the example
files work, the report is the same twice, and bad input is refused in the
user's language without writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from antrean.cli import main

ROOT = Path(__file__).resolve().parents[2]
OFFICE = str(ROOT / "assets" / "office.example.toml")
ARRIVALS = str(ROOT / "assets" / "arrivals.example.csv")


def test_the_example_office_simulates_to_the_same_report_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for out in (first, second):
        assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--seed", "3",
                     "--out", str(out)]) == 0
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert "Kantor Imigrasi Kelas II Non TPI Lampung Tengah" in text
    assert "Laporan ditulis ke" in capsys.readouterr().out
    sheet = tmp_path / "r.xlsx"
    assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--lang", "en",
                 "--out", str(sheet)]) == 0
    assert sheet.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("extra", "lang", "message"), [
    (["--arrivals", "missing.csv"], "id", "Tidak dapat membaca missing.csv"),
    (["--arrivals", "missing.csv"], "en", "Cannot read missing.csv"),
    ([], "id", "Berikan --arrivals"),
    (["--arrivals", ARRIVALS, "--counters", "BAD"], "en", "Line 2: service 'Z'"),
    (["--history", "sqlite:///nowhere/at/all.db", "--from", "2026-01-05", "--to",
      "2026-01-04"], "en", "--to (2026-01-04) must not be before"),
    (["--history", "sqlite:///x.db", "--from", "5 Jan", "--to", "2026-01-04"], "id",
     "Tanggal '5 Jan' tidak valid"),
])
def test_bad_input_is_refused_in_the_users_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], lang: str,
        message: str) -> None:
    if "BAD" in extra:
        bad = tmp_path / "plan.csv"
        bad.write_text("hour,services,counters\n08,Z,1\n", encoding="utf-8")
        extra = [str(bad) if e == "BAD" else e for e in extra]
    out = tmp_path / "r.html"
    code = main(["simulate", "--config", OFFICE, *extra, "--lang", lang, "--out", str(out)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_report_must_be_html_or_xlsx(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS,
                 "--out", str(tmp_path / "r.pdf")]) == 2
    assert "--out harus berakhiran .html atau .xlsx" in capsys.readouterr().err


def test_a_broken_office_file_is_named(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    office = tmp_path / "office.toml"
    office.write_text("[office]\nname = 'X'\n", encoding="utf-8")
    assert main(["simulate", "--config", str(office), "--arrivals", ARRIVALS, "--lang", "en",
                 "--out", str(tmp_path / "r.html")]) == 2
    assert "The office file cannot be used: services" in capsys.readouterr().err


def test_plan_writes_a_counter_plan_that_simulate_takes_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.csv"
    assert main(["plan", "--config", OFFICE, "--arrivals", ARRIVALS, "--target-p90", "30",
                 "--days", "1", "--lang", "en", "--out", str(plan)]) == 0
    printed = capsys.readouterr().out
    assert "Counter plan for p90 ≤ 30 minutes" in printed and f"Plan written to {plan}" in printed
    # The example office's A and B have steps: they are planned per step.
    written = plan.read_text(encoding="utf-8")
    assert written.startswith("hour,services,counters\n08,A:1,")
    assert "\n08,A:2," in written and "\n08,B:3," in written and "\n08,E," in written
    assert "A:2" in printed.splitlines()[2]
    report = tmp_path / "planned.html"
    assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--counters",
                 str(plan), "--out", str(report)]) == 0
    assert "Rencana loket" in report.read_text(encoding="utf-8")


def test_plan_refuses_a_target_of_nothing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.csv"
    assert main(["plan", "--config", OFFICE, "--arrivals", ARRIVALS, "--target-p90", "0",
                 "--out", str(out)]) == 2
    assert "--target-p90 harus lebih dari 0 menit." in capsys.readouterr().err
    assert not out.exists()


def test_growth_brings_more_visitors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from antrean.cli import parse_args
    from server.sim.commands import load_inputs, load_office

    def inputs(*extra: str) -> float:
        args = parse_args(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, *extra,
                           "--out", "x.html"])
        found = load_inputs(args, load_office(OFFICE))
        assert ("× 1.5" in found.source) == bool(extra)
        return found.profiles[0].total_arrivals()

    assert inputs("--growth", "1.5") == pytest.approx(1.5 * inputs())
    assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--growth", "0",
                 "--out", str(tmp_path / "r.html")]) == 2
    assert "--growth harus lebih dari 0" in capsys.readouterr().err


@pytest.mark.slow
def test_the_same_bytes_from_another_process(tmp_path: Path) -> None:
    """Two processes with different string hashing (set orders) write the
    same report and the same workbook."""
    import os
    import subprocess
    import sys

    outputs = []
    for hash_seed in ("1", "2"):
        for suffix in ("html", "xlsx"):
            out = tmp_path / f"r{hash_seed}.{suffix}"
            subprocess.run([sys.executable, "-m", "antrean.cli", "simulate", "--config", OFFICE,
                            "--arrivals", ARRIVALS, "--seed", "4", "--out", str(out)],
                           check=True, cwd=ROOT, capture_output=True, timeout=120,
                           env={**os.environ, "PYTHONHASHSEED": hash_seed})
            outputs.append(out.read_bytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]
    # And with every device on a real WebSocket: the same report.
    sockets = tmp_path / "sockets.html"
    assert main(["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--seed", "4",
                 "--sockets", "--out", str(sockets)]) == 0
    assert sockets.read_bytes() == outputs[0]


def test_the_simulated_days_can_be_kept_in_an_empty_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    args = ["simulate", "--config", OFFICE, "--arrivals", ARRIVALS, "--db", url, "--lang", "en",
            "--out", str(tmp_path / "r.html")]
    assert main(args) == 0
    assert (tmp_path / "sim.db").stat().st_size > 0
    assert main(args) == 2  # again into the same file: the days would mix
    assert f"The database {url} already holds data" in capsys.readouterr().err
