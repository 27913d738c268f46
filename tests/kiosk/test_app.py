"""`antrean kiosk ...` exactly as an operator starts it (the flags of antrean/cli.py)
against a real server, and the staff's way out (Ctrl+Alt+Q), the only one there is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from antrean.cli import main
from tests.kiosk.conftest import MakeKiosk
from tests.support import ServerThread

QUIT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
ROOT = Path(__file__).resolve().parents[2]


def kiosks_connected(server: ServerThread) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=2) as reply:
        return int(json.load(reply)["clients"]["kiosk"])


def test_command_line_kiosk_connects_and_stops_cleanly(
    live_server: ServerThread, tmp_path: Path
) -> None:
    """The exact command of antrean/cli.py, in its own process; the service manager's
    SIGTERM ends it with exit code 0."""
    command = [
        sys.executable, "-m", "antrean", "kiosk", "--server", live_server.url,
        "--device", "kiosk-cli", "--token", "demo-kiosk", "--printer", f"preview://{tmp_path}",
    ]  # full screen, as in production
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while kiosks_connected(live_server) < 1:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the kiosk never connected"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_bad_printer_uri_is_refused_with_a_reason(
    live_server: ServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["kiosk", "--server", live_server.url, "--token", "demo-kiosk",
                 "--printer", "lpt://1"])
    assert code == 2
    assert "bad printer URI 'lpt://1'" in capsys.readouterr().err


def test_full_screen_kiosk_cannot_be_closed_except_by_staff(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    window = make_kiosk(lock_close=True)
    quit_asked: list[bool] = []
    window.quit_requested.connect(lambda: quit_asked.append(True))
    window.close()  # what a window manager's close (Alt+F4) asks for
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible() and quit_asked == []
    qtbot.keyClick(window, Qt.Key.Key_Q, QUIT)
    assert not window.isVisible() and quit_asked == [True]
