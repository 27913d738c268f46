"""The shape of the code: the import contracts in pyproject.toml hold, and the
domain core loads without Qt, a database, websockets or asyncio."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"
NO_IO = ("PySide6", "sqlalchemy", "websockets", "asyncio")


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


def lint_imports() -> str:
    beside_python = Path(sys.executable).parent / "lint-imports"
    command = str(beside_python) if beside_python.exists() else shutil.which("lint-imports")
    assert command, "import-linter is not installed (pip install -e '.[dev]')"
    return command


def test_the_core_contract_forbids_io() -> None:
    core = [c for c in contracts() if c.get("source_modules") == ["antrean.core"]]
    assert len(core) == 1
    forbidden = set(core[0]["forbidden_modules"])
    assert {*NO_IO, "server", "antrean.qt"} <= forbidden


def test_import_linter_contracts_are_kept() -> None:
    names = [str(c["name"]) for c in contracts()]
    assert len(names) >= 4
    result = subprocess.run(
        [lint_imports(), "--config", str(CONFIG), "--no-cache", "--no-logo"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(rf"Contracts: {len(names)} kept, 0 broken", report), report
    for name in names:
        assert re.search(rf"{re.escape(name)}\s+KEPT", report), (name, report)


def test_the_core_imports_nothing_heavy() -> None:
    """In a fresh interpreter: import every module of antrean.core, then look
    at what got loaded."""
    probe = (
        "import importlib, json, pkgutil, sys\n"
        "import antrean.core\n"
        "names = [m.name for m in pkgutil.iter_modules(antrean.core.__path__, 'antrean.core.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(json.dumps({'core': names, 'loaded': sorted(sys.modules)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert {"antrean.core.office", "antrean.core.policy", "antrean.core.lifecycle",
            "antrean.core.model", "antrean.core.numbering"} <= set(seen["core"])
    heavy = sorted(m for m in seen["loaded"] if m.split(".")[0] in (*NO_IO, "server"))
    assert heavy == [], heavy
