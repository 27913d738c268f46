"""What every benchmark needs: a real server subprocess on a fresh database,
fast protocol clients, and percentiles. Benchmarks print figures; they assert
nothing about time."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
TOKENS = {"kiosk": "demo-kiosk", "display": "demo-display", "counter": "demo-counter",
          "supervisor": "demo-supervisor"}


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    db: str

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def rss_mb(self) -> float:
        return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
            result: dict[str, Any] = json.load(r)
            return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def start_server(db: str | None = None, port: int | None = None,
                 extra: Sequence[str] = ()) -> ServerProcess:
    """`antrean server --demo` in a subprocess; returns once /healthz answers."""
    raise_fd_limit()
    if db is None:
        db = f"sqlite:///{tempfile.mkdtemp(prefix='antrean-bench-')}/bench.db"
    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "antrean", "server", "--demo", "--port", str(port), "--db", db,
         "--log-level", "WARNING", *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    server = ServerProcess(process, port, db)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if server.health()["status"] == "ok":
                return server
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


async def hello(url: str, role: str, device: str) -> ClientConnection:
    ws = await connect(url, max_size=2**24, max_queue=None, ping_interval=None,
                       open_timeout=60)
    await ws.send(json.dumps({"type": "hello", "protocol": 1, "role": role,
                              "device": device, "token": TOKENS[role]}))
    await ws.recv()
    return ws


async def request(ws: ClientConnection, type_: str, request_id: str,
                  **fields: Any) -> dict[str, Any]:
    """Send one request and wait for its answer, skipping events."""
    await ws.send(json.dumps({"type": type_, "id": request_id, **fields}))
    while True:
        message: dict[str, Any] = json.loads(await ws.recv())
        if message.get("id") == request_id and message["type"] in ("ok", "error"):
            return message


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, latencies_ms: Sequence[float]) -> str:
    return (f"{name}: n={len(latencies_ms)} p50={percentile(latencies_ms, 50):.2f} ms "
            f"p99={percentile(latencies_ms, 99):.2f} ms max={max(latencies_ms):.2f} ms "
            f"mean={statistics.fmean(latencies_ms):.2f} ms")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (f"{cpu}, {psutil.cpu_count()} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}")


def run(main: Any) -> None:
    print(f"machine: {machine()}", flush=True)
    asyncio.run(main())
