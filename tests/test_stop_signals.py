"""Issue 15: SIGINT (Ctrl+C) and SIGTERM close every app cleanly, as real
processes: exit code 0 and no traceback. The front ends also name themselves,
log their connection at INFO and keep Qt Multimedia's backend noise out of the
log; the demo says where it keeps its state, and `--fresh` starts empty."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import WireClient

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    """`python -m antrean ...` with its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "antrean", *args], cwd=ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self._reader = threading.Thread(
            target=lambda: self.lines.extend(self.process.stdout or []), daemon=True)
        self._reader.start()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, f"exited early: {self.output}"
            assert time.monotonic() < deadline, f"never said {text!r}: {self.output}"
            time.sleep(0.05)

    def stop(self, number: int) -> int:
        self.process.send_signal(number)
        try:
            code = self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(5)
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


APPS = {
    "kiosk": ["kiosk", "--token", "t"],
    "display": ["display", "--token", "t"],
    "counter": ["counter", "--token", "t", "--counter", "1"],
}


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("app", list(APPS))
def test_a_front_end_stops_cleanly_on_a_signal(app: str, number: int, tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{_free_port()}/ws"  # nobody listens: the app keeps trying
    running = Running([*APPS[app], "--server", url, "--windowed"], _environment(tmp_path))
    running.wait_for("cannot reach the server")
    code = running.stop(number)
    output = running.output
    assert code == 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    # Logged once each (INFO), not per retry; the app named itself.
    assert output.count("connecting to ") == 1 and output.count("cannot reach") == 1, output
    assert "stopping" in output
    assert "qt.multimedia" not in output and "PulseAudioService" not in output, output
    if app == "display":
        assert output.count("no audio device") <= 1, output


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_demo_stops_cleanly_and_says_where_its_state_is(number: int,
                                                            tmp_path: Path) -> None:
    port = _free_port()
    running = Running(["demo", "--port", str(port)], _environment(tmp_path))
    running.wait_for("no screen here")
    code = running.stop(number)
    output = running.output
    assert code == 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    folder = tmp_path / "data" / "antrean"
    assert f"state kept in {folder}" in output and "--fresh" in output, output
    assert (folder / "demo.db").exists()


def _seq(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
        return int(json.load(reply)["seq"])


def test_demo_fresh_starts_empty(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    port = _free_port()
    first = Running(["demo", "--port", str(port)], env)
    first.wait_for("no screen here")
    kiosk = WireClient(f"ws://127.0.0.1:{port}/ws", "kiosk", "kiosk-1")
    kiosk.send({"type": "ticket.issue", "id": "k-1", "service": "A"})
    assert kiosk.answer("k-1")["type"] == "ok"
    kiosk.ws.close()
    assert first.stop(signal.SIGTERM) == 0
    again = Running(["demo", "--port", str(port)], env)
    again.wait_for("no screen here")
    assert _seq(port) > 0  # yesterday's state is kept ...
    assert again.stop(signal.SIGTERM) == 0
    fresh = Running(["demo", "--port", str(port), "--fresh"], env)
    fresh.wait_for("no screen here")
    assert _seq(port) == 0  # ... unless asked to start empty
    assert fresh.stop(signal.SIGINT) == 0
    refused = subprocess.run([sys.executable, "-m", "antrean", "demo", "--fresh", "--db",
                              f"sqlite:///{tmp_path / 'mine.db'}", "--port", str(port)],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--fresh" in refused.stderr


def test_the_demo_opens_its_windows_side_by_side() -> None:
    from antrean.cli import parse_args
    from antrean.demo import app_commands

    commands = app_commands(["kiosk", "display", "counter"], "ws://127.0.0.1:8765/ws",
                            "preview:///tmp/t", no_sound=True)
    tiles = [parse_args(command).tile for command in commands]
    assert tiles == [(1, 3), (2, 3), (3, 3)]
    assert all(parse_args(command).windowed for command in commands)
