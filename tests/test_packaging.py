"""What `pip install .` ships: every package of the checkout, and every asset
inside the distribution, read through importlib.resources (antrean/resources.py).

The slow test builds the real wheel from a copy of the sources, installs it
into a fresh virtual environment outside the checkout and starts the real
apps there. So that it takes seconds rather than a 500 MB download, the fresh
environment borrows the third-party packages of the environment running the
tests through a `.pth` line (like `--system-site-packages`); Antrean itself
comes only from the wheel, which the probe checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from antrean.resources import asset, asset_path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("antrean", "server", "kiosk", "display", "counter")
SHIPPED = ("pyproject.toml", "README.md", *SOURCES, "assets")


def _listed_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def _asset_files() -> set[str]:
    return {
        path.relative_to(ROOT / "assets").as_posix()
        for path in (ROOT / "assets").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for source in SOURCES
        for init in (ROOT / source).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - _listed_packages() == set(), "add these to [tool.setuptools] packages"


def test_the_assets_are_read_as_package_resources() -> None:
    assert asset("chime.wav").read_bytes()[:4] == b"RIFF"
    assert asset("logo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert asset("voice", "id").is_dir()
    assert asset_path("office.example.toml").samefile(ROOT / "assets" / "office.example.toml")


def test_an_uninstalled_checkout_is_told_how_to_get_its_assets() -> None:
    """Without the install (no site: no editable finder) the assets package
    does not exist; the error says what to run, rather than a bare name."""
    probe = ("from antrean.resources import asset\n"
             "try:\n    asset('chime.wav')\n"
             "except ModuleNotFoundError as exc:\n    print(exc)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "./scripts/setup.sh" in result.stdout


def test_the_apps_read_no_path_next_to_their_source() -> None:
    """The bug this guards against: `Path(__file__).parent.parent / "assets"`
    works in a checkout and finds nothing in an installed wheel."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for source in SOURCES
        for path in (ROOT / source).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "__file__" in line and "assets" in line
    ]
    assert offenders == []


def _copy_sources(target: Path) -> Path:
    """The files a build reads, so the build leaves nothing in the checkout;
    with bytecode beside the asset scripts, as a used checkout has."""
    junk = shutil.ignore_patterns("*.egg-info", "build")
    target.mkdir()
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=junk)
        else:
            shutil.copy2(source, target / name)
    bytecode = target / "assets" / "__pycache__"
    bytecode.mkdir(exist_ok=True)
    (bytecode / "make_chime.cpython-311.pyc").write_bytes(b"")
    return target


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


PROBE = r'''
import os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import antrean, server, kiosk, display, counter
for module in (antrean, server, kiosk, display, counter):
    assert module.__file__.startswith(sys.prefix), module.__file__
from antrean.cli import main
from antrean.qt.theme import ensure_app

app = ensure_app()
seen = {}

def look():
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == "KioskWindow":
            pixmap = widget.start_screen.logo_label.pixmap()
            seen["logo"] = (pixmap.width(), pixmap.height()) if not pixmap.isNull() else None
        if type(widget).__name__ == "DisplayWindow":
            seen["chime"] = widget.announcer.has_chime
    app.quit()

QTimer.singleShot(1500, look)
code = main([sys.argv[1], "--windowed", "--token", "t", "--server", "ws://127.0.0.1:9/ws"])
print(sys.argv[1], code, seen)
'''


@pytest.mark.slow
def test_the_wheel_installs_and_its_apps_find_their_assets(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    source = _copy_sources(tmp_path / "source")
    wheels = tmp_path / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                  str(source)], tmp_path, env)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("antrean-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"antrean/assets/{name}" for name in _asset_files()} <= names
    assert {f"{top}/__init__.py" for top in SOURCES} <= names
    assert [name for name in names if "__pycache__" in name or name.endswith(".pyc")] == []

    venv = tmp_path / "fresh"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                      "--no-deps", "--no-index", str(wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    fresh_site = Path(_run([str(python), "-c", "import sysconfig; "
                            "print(sysconfig.get_paths()['purelib'])"], tmp_path, env)
                      .stdout.strip())
    borrowed = sysconfig.get_paths()["purelib"]
    (fresh_site / "borrowed-dependencies.pth").write_text(borrowed + "\n", encoding="utf-8")

    workdir = tmp_path / "elsewhere"  # not the checkout: nothing can be found beside it
    workdir.mkdir()
    antrean = str(venv / "bin" / "antrean")
    helped = _run([antrean, "--help"], workdir, env, timeout=60)
    assert helped.returncode == 0 and "check-config" in helped.stdout, helped.stderr

    example = _run([str(python), "-c", "from antrean.resources import asset_path; "
                    "print(asset_path('office.example.toml'))"], workdir, env, timeout=60)
    example_path = example.stdout.strip()
    assert example_path.startswith(str(venv)), example.stderr
    checked = _run([antrean, "check-config", example_path], workdir, env, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert ": OK" in checked.stdout

    (workdir / "probe.py").write_text(PROBE, encoding="utf-8")
    kiosk = _run([str(python), "probe.py", "kiosk"], workdir, env, timeout=120)
    assert kiosk.returncode == 0, kiosk.stderr
    assert "kiosk 0 {'logo': (" in kiosk.stdout, kiosk.stdout + kiosk.stderr
    display = _run([str(python), "probe.py", "display"], workdir, env, timeout=120)
    assert display.returncode == 0, display.stderr
    assert "display 0 {'chime': True}" in display.stdout, display.stdout + display.stderr
