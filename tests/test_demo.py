"""`antrean demo` on a machine without a screen: the server runs alone, says
so, and everything stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_without_a_screen_runs_the_server_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    demo = subprocess.Popen(
        [sys.executable, "-m", "antrean", "demo", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'demo.db'}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    assert demo.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(demo.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any("no screen here" in line for line in lines):
            assert time.monotonic() < deadline, f"the demo did not say so: {lines}"
            time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
            assert reply.status == 200
        demo.send_signal(signal.SIGTERM)
        demo.wait(30)
        reader.join(5)
    finally:
        if demo.poll() is None:
            demo.kill()
    assert demo.returncode == 0
    assert any(f"ws://127.0.0.1:{port}/ws" in line for line in lines)
    with socket.socket() as probe:  # the server is gone with it
        assert probe.connect_ex(("127.0.0.1", port)) != 0
