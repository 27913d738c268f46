"""Shared test helpers: a real Antrean server on a free loopback port (in a
thread of the test process, so pytest-qt's Qt clients can talk to it), a real
SQLite file, and a small synchronous wire client."""

from __future__ import annotations

import os
import ssl

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.sync.client import ClientConnection, connect

from server.app import AntreanServer
from server.config import OfficeConfig
from server.demo import DEMO_TOKENS, demo_config
from server.fanout import FanOut
from server.settings import Config, utc_now

_DEMO: OfficeConfig | None = None


def cached_demo_config() -> OfficeConfig:
    """The demo office (hashing its secrets once per test run)."""
    global _DEMO
    if _DEMO is None:
        _DEMO = demo_config()
    return _DEMO


@dataclass
class FakeClock:
    """A clock tests move by hand (UTC)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


def shared_fanout() -> FanOut:
    """The server's fan-out shared with a helper thread from two listeners
    on (in production: from 400), so every test of events and their order
    also tests the writes made from more than one thread."""
    return FanOut(helpers=1, parallel_min=2)


class ServerThread:
    """An AntreanServer running on its own asyncio loop in a thread."""

    def __init__(self, config: OfficeConfig, db_url: str,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.db_url = db_url
        self.clock = clock
        self.loop = asyncio.new_event_loop()
        self.server: AntreanServer | None = None
        self.port_used = 0
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        self.server = AntreanServer(self.settings(port=0))
        self.run(self.server.start())
        self.port_used = self.server.port
        return self

    def settings(self, port: int, ssl_context: ssl.SSLContext | None = None) -> Config:
        """The server's runtime settings, as `antrean server` builds them."""
        return Config(self.config, self.db_url, host="127.0.0.1", port=port,
                      ssl_context=ssl_context, clock=self.clock or utc_now,
                      fanout=shared_fanout())

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], Any]) -> Any:
        async def wrapper() -> Any:
            return fn()
        return self.run(wrapper())

    @property
    def port(self) -> int:
        assert self.server is not None
        self.port_used = self.server.port
        return self.port_used

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def stop_while(self, wait: Callable[[Callable[[], bool]], Any]) -> None:
        """Stop from another thread while `wait` keeps the Qt event loop
        running (e.g. `qtbot.waitUntil`), so Qt clients can answer the close."""
        stopper = threading.Thread(target=self.stop, daemon=True)
        stopper.start()
        wait(lambda: not stopper.is_alive())

    def restart(self) -> ServerThread:
        """A new server on the same port and database (as after a crash)."""
        again = ServerThread(self.config, self.db_url, self.clock)
        again._thread.start()
        again.server = AntreanServer(self.settings(port=self.port_used))
        again.run(again.server.start())
        return again

    def stop(self) -> None:
        if self.server is not None and self.loop.is_running():
            self.run(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


class WireClient:
    """A plain synchronous protocol client for tests: answers and events apart."""

    def __init__(self, url: str, role: str, device: str, token: str | None = None,
                 since: int | None = None) -> None:
        self.ws: ClientConnection = connect(url, open_timeout=5, max_size=2**22).__enter__()
        self.role = role
        self.device = device
        self.events: list[dict[str, Any]] = []
        self._ids = 0
        hello = {"type": "hello", "protocol": 1, "role": role, "device": device,
                 "token": token if token is not None else DEMO_TOKENS[role]}
        if since is not None:
            hello["since"] = since
        self.ws.send(json.dumps(hello))
        self.welcome = self.recv()

    def recv(self, timeout: float = 5) -> dict[str, Any]:
        return json.loads(self.ws.recv(timeout))

    def send(self, message: dict[str, Any] | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def answer(self, request_id: Any, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = self.recv(timeout)
            if message.get("type") == "event":
                self.events.append(message)
            elif message.get("id") == request_id:
                return message

    def request(self, type_: str, request_id: Any = None, **fields: Any) -> dict[str, Any]:
        if request_id is None:
            self._ids += 1
            request_id = f"{self.device}-{self._ids}"
        self.send({"type": type_, "id": request_id, **fields})
        return self.answer(request_id)

    def ok(self, type_: str, **fields: Any) -> dict[str, Any]:
        answer = self.request(type_, **fields)
        assert answer["type"] == "ok", answer
        result: dict[str, Any] = answer["result"]
        return result

    def event(self, name: str, timeout: float = 5) -> dict[str, Any]:
        for index, message in enumerate(self.events):
            if message["name"] == name:
                return self.events.pop(index)
        while True:
            message = self.recv(timeout)
            if message.get("type") == "event":
                if message["name"] == name:
                    return message
                self.events.append(message)

    def login(self, username: str = "demo", pin: str = "1234") -> dict[str, Any]:
        return self.ok("login", username=username, pin=pin)

    def close(self) -> None:
        self.ws.close()



def open_counter(client: WireClient, counter: str = "1",
                 services: list[str] | None = None) -> dict[str, Any]:
    """Log the demo staff in on a counter client and open its counter."""
    client.login()
    return client.ok("counter.open", counter=counter, services=services or ["A", "B"])
