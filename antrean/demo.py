"""`antrean demo`: the whole system on one machine — the demo server with an
embedded SQLite file, plus a kiosk (printing to PNG previews), a waiting-room
display and a counter console with the supervisor tab, side by side on the
screen. Ctrl+C stops it all. The demo keeps its state (database, printed
tickets) in the user's data folder and says where; `--fresh` starts empty."""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def data_folder() -> Path:
    """Where the demo keeps its database and its printed tickets."""
    return Path(platformdirs.user_data_dir("antrean", appauthor=False))


def demo_database(folder: Path) -> Path:
    return folder / "demo.db"


def clear_demo_state(folder: Path) -> None:
    """`--fresh`: the demo's own database and ticket previews go; nothing else."""
    database = demo_database(folder)
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(folder / "tickets", ignore_errors=True)


def app_commands(wanted: list[str], url: str, printer: str, *, no_sound: bool
                 ) -> list[list[str]]:
    """The `antrean ...` arguments of each front end the demo opens: windowed,
    side by side on the screen each app finds (not piled up at 0,0)."""
    commands = []
    for index, name in enumerate(wanted):
        extra = [*DEMO_DEVICES[name], "--tile", f"{index + 1}/{len(wanted)}"]
        if name == "kiosk":
            extra += ["--printer", printer]
        if name == "display" and no_sound:
            extra.append("--no-sound")
        commands.append([name, "--server", url, "--windowed", *extra])
    return commands


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
    folder = data_folder()
    if getattr(args, "fresh", False):
        if args.db:
            print("antrean demo: --fresh clears only the demo's own database; leave out --db "
                  "(or remove your database yourself)", file=sys.stderr)
            return 2
        clear_demo_state(folder)
    database = args.db or f"sqlite:///{demo_database(folder)}"
    printer = args.printer or "preview://" + str(folder / "tickets")

    def stop_on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # the same tidy stop as Ctrl+C: children first

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    signal.signal(signal.SIGINT, stop_on_sigterm)
    print(f"antrean demo: state kept in {folder} (database {database}, printed tickets "
          f"{printer}); `antrean demo --fresh` starts empty.", flush=True)
    python = [sys.executable, "-m", "antrean"]
    server_cmd = [*python, "server", "--demo", "--port", str(args.port), "--db", database]
    apps: list[subprocess.Popen[bytes]] = []
    processes = apps
    try:
        server = subprocess.Popen(server_cmd)
        processes = [*apps, server]
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
        for command in app_commands(wanted, url, printer, no_sound=args.no_sound):
            apps.append(subprocess.Popen([*python, *command]))
            processes = [*apps, server]
        if wanted:
            print(f"Antrean demo running at {url}. At the counter console: log in as 'demo', "
                  "PIN 1234; tick its services and press Buka loket (Open counter); then F1 "
                  f"calls the next number. Printed tickets go to {printer}. Close the windows "
                  "or press Ctrl+C to stop.", flush=True)
        while server.poll() is None:
            if apps and all(app.poll() is not None for app in apps):
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl+C while stopping must not leave the children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0
