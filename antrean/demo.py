"""`antrean demo`: the whole system on one machine — the demo server with an
embedded SQLite file, plus a kiosk (printing to PNG previews), a waiting-room
display and a counter console with the supervisor tab. Ctrl+C stops it all."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import platformdirs

DEMO_DEVICES = {
    "kiosk": ["--device", "kiosk-1", "--token", "demo-kiosk"],
    "display": ["--device", "display-1", "--token", "demo-display"],
    "counter": ["--device", "counter-1", "--token", "demo-counter", "--counter", "1",
                "--supervisor-token", "demo-supervisor"],
}


def has_screen() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and platform != "xcb" and platform != "wayland":
        return platform != "offscreen"
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_healthy(port: int, server: subprocess.Popen[bytes], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                return bool(json.load(reply).get("status") == "ok")
        except OSError:
            time.sleep(0.2)
    return False


def run_demo(args: argparse.Namespace) -> int:
    if not port_is_free(args.port):
        print(f"antrean demo: port {args.port} is in use (another demo running?). "
              "Use --port.", file=sys.stderr)
        return 1
    def stop_on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # the same tidy stop as Ctrl+C: children first

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    python = [sys.executable, "-m", "antrean"]
    server_cmd = [*python, "server", "--demo", "--port", str(args.port)]
    if args.db:
        server_cmd += ["--db", args.db]
    server = subprocess.Popen(server_cmd)
    apps: list[subprocess.Popen[bytes]] = []
    try:
        if not wait_healthy(args.port, server):
            print("antrean demo: the server did not start (see its messages above)",
                  file=sys.stderr)
            return 1
        url = f"ws://127.0.0.1:{args.port}/ws"
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        if not has_screen():
            print("antrean demo: no screen here (no DISPLAY/WAYLAND_DISPLAY), so only the "
                  f"server runs, at {url}. On a desktop the kiosk, display and counter open "
                  "too. Ctrl+C stops.", flush=True)
            wanted = []
        printer = args.printer or "preview://" + str(
            Path(platformdirs.user_data_dir("antrean", appauthor=False)) / "tickets"
        )
        for name in wanted:
            extra = list(DEMO_DEVICES[name])
            if name == "kiosk":
                extra += ["--printer", printer]
            if name == "display" and args.no_sound:
                extra.append("--no-sound")
            apps.append(subprocess.Popen([*python, name, "--server", url, "--windowed",
                                          *extra]))
        if wanted:
            print(f"Antrean demo running at {url}. Counter console: log in as 'demo', PIN "
                  f"1234. Printed tickets go to {printer}. Close the windows or press "
                  "Ctrl+C to stop.", flush=True)
        while server.poll() is None:
            if apps and all(app.poll() is not None for app in apps):
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in [*apps, server]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*apps, server]:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0
