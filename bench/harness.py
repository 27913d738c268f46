"""What every benchmark needs: a real server subprocess on a fresh database,
fast protocol clients, and percentiles. Benchmarks print figures; they assert
nothing about time."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from websockets.asyncio.client import ClientConnection, connect

from antrean.session import Answer, Answered, ClientSession, Send

ROOT = Path(__file__).resolve().parent.parent
TOKENS = {"kiosk": "demo-kiosk", "display": "demo-display", "counter": "demo-counter",
          "supervisor": "demo-supervisor"}


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
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

    def cpu_seconds(self) -> float:
        """CPU time the server has used: a cost per operation that does not
        depend on what else the machine is doing."""
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

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


# The benchmark's protocol clients are thin adapters over the client session
# (antrean.session), without an office mirror: the session makes the hello and
# the requests' frames and matches the answers; these functions only move
# frames. A client may still write frames to its connection itself (the
# pipelined kiosks of bench_issue.py), which the session never sees.
_SESSIONS: weakref.WeakKeyDictionary[ClientConnection, ClientSession] = (
    weakref.WeakKeyDictionary())


def hello_text(role: str, device: str, token: str) -> str:
    """The client session's hello, for clients that move the bytes themselves."""
    return ClientSession.for_url("ws://bench", role, device, token, mirror=False).hello_frame()


async def hello(url: str, role: str, device: str) -> ClientConnection:
    session = ClientSession.for_url(url, role, device, TOKENS[role], mirror=False)
    session.start()
    session.connect()
    ws = await connect(url, max_size=2**24, max_queue=None, ping_interval=None,
                       open_timeout=60)
    session.opened()
    await _carry_out(ws, session)
    session.receive(await ws.recv())
    if not session.ready:
        raise RuntimeError(f"{role} {device!r} was not welcomed")
    session.outputs()
    _SESSIONS[ws] = session
    return ws


async def _carry_out(ws: ClientConnection, session: ClientSession) -> None:
    for output in session.outputs():
        if isinstance(output, Send):
            await ws.send(output.frame)
        elif isinstance(output, Answered):
            output.callback(output.answer)


async def request(ws: ClientConnection, type_: str, request_id: str,
                  **fields: Any) -> dict[str, Any]:
    """Send one request and wait for its answer (as sent), skipping events."""
    session = _SESSIONS[ws]
    answers: list[Answer] = []
    session.request(type_, answers.append, request_id=request_id, **fields)
    while True:
        await _carry_out(ws, session)
        if answers:
            answer = answers[0]
            return answer.raw or {"type": "error", "id": request_id, "code": answer.code,
                                  "message": answer.message}
        session.receive(await ws.recv())


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


class RawDisplay(asyncio.Protocol):
    """A bare WebSocket display client for fan-out benchmarks: it parses frame
    headers, answers pings, and notes when a frame carrying `"seq":N,` arrives,
    without decoding JSON, so 5,000 of them fit in one client process."""

    def __init__(self, device: str, role: str = "display") -> None:
        self.device = device
        self.role = role
        self.token = ""  # a visitor's page says hello with its ticket's key
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.handshaken = asyncio.get_running_loop().create_future()
        self.welcomed = asyncio.get_running_loop().create_future()
        self.waiting_for: bytes | None = None
        self.arrived: asyncio.Future[float] | None = None
        self._upgraded = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def expect(self, seq: int) -> asyncio.Future[float]:
        self.waiting_for = f'"seq":{seq},'.encode()
        self.arrived = asyncio.get_running_loop().create_future()
        return self.arrived

    def send_text(self, text: str) -> None:
        self._send_frame(0x1, text.encode())

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + length.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + length.to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(header + mask + masked)

    def data_received(self, data: bytes) -> None:
        # Note the arrival before any parsing, so the client's own Python
        # work is not counted as the server's latency.
        if (self.waiting_for is not None and self.arrived is not None
                and not self.arrived.done() and self.waiting_for in data):
            self.arrived.set_result(time.perf_counter())
        self.buffer += data
        if not self._upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            del self.buffer[: end + 4]
            self._upgraded = True
            self.handshaken.set_result(None)
            self.send_text(hello_text(self.role, self.device, self.token or TOKENS[self.role]))
        while len(self.buffer) >= 2:
            opcode = self.buffer[0] & 0x0F
            length = self.buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length = int.from_bytes(self.buffer[2:4], "big")
                offset = 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length = int.from_bytes(self.buffer[2:10], "big")
                offset = 10
            if len(self.buffer) < offset + length:
                return
            payload = bytes(self.buffer[offset: offset + length])
            del self.buffer[: offset + length]
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0x1:
                if not self.welcomed.done():
                    self.welcomed.set_result(None)
                elif (self.waiting_for is not None and self.arrived is not None
                      and not self.arrived.done() and self.waiting_for in payload):
                    self.arrived.set_result(time.perf_counter())


class Fleet:
    """A display fleet (bench/fleet.c or fleet.py) in a process of its own:
    thousands of displays that take as little CPU from the server as a load
    generator on the same machine can."""

    def __init__(self, process: asyncio.subprocess.Process, count: int, kind: str) -> None:
        self.process = process
        self.count = count
        self.kind = kind  # "C" or "Python"

    @classmethod
    async def start(cls, port: int, count: int, prefix: str = "display") -> Fleet:
        """The C fleet (bench/fleet.c) when a C compiler can build it, else
        the Python one (bench/fleet.py): the same connections and commands."""
        binary = _built_fleet()
        program = [str(binary)] if binary else [sys.executable, str(ROOT / "bench" / "fleet.py")]
        process = await asyncio.create_subprocess_exec(
            *program, str(port), str(count), prefix,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        fleet = cls(process, count, "C" if binary else "Python")
        line = await fleet._line()
        if line != f"connected {count}":
            raise RuntimeError(f"fleet did not connect: {line!r}")
        return fleet

    async def _line(self) -> str:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("the display fleet stopped")
        return line.decode().strip()

    async def expect(self, seq: int) -> Awaitable[float]:
        """Armed for `seq`; the awaitable gives the time the last display had it."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"expect {seq}\n".encode())
        await self.process.stdin.drain()
        if (line := await self._line()) != f"armed {seq}":
            raise RuntimeError(f"fleet: {line!r}")
        return self._arrived(seq)

    async def _arrived(self, seq: int) -> float:
        words = (await self._line()).split()
        if words[:2] != ["arrived", str(seq)]:
            raise RuntimeError(f"fleet: {words!r}")
        return float(words[2])

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    async def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"quit\n")
        await self.process.stdin.drain()
        await self.process.wait()


def _built_fleet() -> Path | None:
    """bench/fleet.c compiled once per version of its source, or None."""
    source = ROOT / "bench" / "fleet.c"
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    binary = Path(tempfile.gettempdir()) / f"antrean-fleet-{digest}"
    if not binary.exists():
        built = subprocess.run([compiler, "-O2", "-o", str(binary), str(source)],
                               capture_output=True, text=True)
        if built.returncode != 0:
            print(f"could not build bench/fleet.c, using fleet.py:\n{built.stderr}")
            return None
    return binary


async def _expect(displays: Sequence[RawDisplay] | Fleet, seq: int) -> Awaitable[float]:
    if isinstance(displays, Fleet):
        return await displays.expect(seq)
    arrivals = [display.expect(seq) for display in displays]

    async def last() -> float:
        return max(await asyncio.gather(*arrivals))
    return last()


async def time_one_call(counter: ClientConnection, counter_id: str, tag: str,
                        displays: Sequence[RawDisplay] | Fleet, seq: int) -> tuple[float, int]:
    """Call the next ticket at `counter_id`, timed until every display has the
    `ticket.called` event; then complete it and wait (untimed) until every
    display has that too, so the next call starts on a quiet system.
    Returns (milliseconds, the stream's seq afterwards)."""
    seq += 1
    arrival = await _expect(displays, seq)
    started = time.perf_counter()
    answer = await request(counter, "ticket.call_next", f"c{tag}", counter=counter_id)
    if answer["type"] != "ok" or answer["result"]["ticket"] is None:
        raise RuntimeError(f"call failed: {answer}")
    latency = (await arrival - started) * 1000
    seq += 1
    completed = await _expect(displays, seq)
    await request(counter, "ticket.complete", f"d{tag}",
                  ticket=answer["result"]["ticket"]["id"])
    await completed
    return latency, seq


async def raw_displays(port: int, count: int, prefix: str = "display",
                       batch: int = 200, role: str = "display") -> list[RawDisplay]:
    """Connect `count` raw clients (displays unless `role` says otherwise),
    `batch` at a time."""
    loop = asyncio.get_running_loop()
    clients: list[RawDisplay] = []
    for start in range(0, count, batch):
        group: list[RawDisplay] = []
        for index in range(start, min(count, start + batch)):
            _, client = await loop.create_connection(
                lambda i=index: RawDisplay(f"{prefix}-{i}", role), "127.0.0.1", port)
            group.append(client)
        await asyncio.gather(*(c.welcomed for c in group))
        clients.extend(group)
    return clients
