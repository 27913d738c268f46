"""Regenerates the worked example of docs/planning.md: the example office's
day as it is, the counter plan for a p90 of 30 minutes, the day with that
plan, the two compared, and screenshots of the reports (Chromium).

    .venv/bin/python docs/planning/make_planning.py
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from antrean.cli import main  # noqa: E402
from antrean.sim.profile import parse_profile  # noqa: E402
from server.config import load_config  # noqa: E402
from server.sim.commands import default_plan, step_counts  # noqa: E402

HERE = Path(__file__).resolve().parent
SHOTS = ROOT / "docs" / "screenshots"
OFFICE = str(ROOT / "assets" / "office.example.toml")
ARRIVALS = str(ROOT / "assets" / "arrivals.example.csv")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    assert code == 0, (args, code)
    print(out.getvalue())
    return out.getvalue()


def shoot(html: Path, name: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width, height in ((1280, 800), (360, 640)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html.as_uri())
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
            page.close()
        browser.close()


def main_script() -> None:
    config = load_config(OFFICE)
    profile = parse_profile(Path(ARRIVALS).read_text(encoding="utf-8"),
                            {s.code: s.default_minutes for s in config.office.services},
                            step_counts(config))
    today = HERE / "counters-today.csv"
    today.write_text(default_plan(config, profile).to_csv(), encoding="utf-8")
    common = ["--config", OFFICE, "--arrivals", ARRIVALS, "--days", "5"]
    for lang in ("id", "en"):
        run("simulate", *common, "--lang", lang, "--out", str(HERE / f"today-{lang}.html"))
    run("simulate", *common, "--out", str(HERE / "today.xlsx"))
    plan_text = run("plan", "--config", OFFICE, "--arrivals", ARRIVALS, "--target-p90", "30",
                    "--lang", "en", "--out", str(HERE / "plan.csv"))
    (HERE / "plan.txt").write_text(plan_text, encoding="utf-8")
    for lang in ("id", "en"):
        run("simulate", *common, "--counters", str(HERE / "plan.csv"), "--lang", lang,
            "--out", str(HERE / f"planned-{lang}.html"))
    for lang in ("id", "en"):
        run("simulate", *common, "--compare", str(today), str(HERE / "plan.csv"),
            "--lang", lang, "--out", str(HERE / f"compare-{lang}.html"))
    for lang in ("id", "en"):
        shoot(HERE / f"today-{lang}.html", f"simulate-today-{lang}")
        shoot(HERE / f"planned-{lang}.html", f"simulate-planned-{lang}")
        shoot(HERE / f"compare-{lang}.html", f"simulate-compare-{lang}")


if __name__ == "__main__":
    main_script()
