"""Shared test helpers: a real Antrean server on a free loopback port (in a
thread of the test process, so pytest-qt's Qt clients can talk to it), a real
SQLite file, and a small synchronous wire client."""

from __future__ import annotations

import os
import ssl

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from websockets.sync.client import ClientConnection, connect

from antrean import protocol
from antrean.session import ClientSession, Send
from server.app import AntreanServer
from server.config import OfficeConfig
from server.demo import DEMO_TOKENS, demo_config
from server.fanout import FanOut
from server.settings import Config, utc_now

if TYPE_CHECKING:
    from antrean.qt.link import ServerLink

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


def hello_frame(role: str, device: str, token: str | None = None,
                since: int | None = None) -> str:
    """The hello the client session says (with the role's demo token unless
    `token` is given)."""
    return _session("ws://127.0.0.1/ws", role, device, token, since).hello_frame()


def _session(url: str, role: str, device: str, token: str | None,
             since: int | None) -> ClientSession:
    return ClientSession.for_url(url, role, device,
                                 DEMO_TOKENS[role] if token is None else token,
                                 mirror=False, since=since)


class WireClient:
    """A plain synchronous protocol client for tests: answers and events apart.

    A thin adapter over the client session (`antrean.session`): the hello,
    the request ids and the requests' frames are the session's, and every
    frame received goes through it. `send` still puts any frame on the wire
    as it is, for the tests of what the server refuses."""

    connect_options: ClassVar[Mapping[str, Any]] = {"open_timeout": 5, "max_size": 2**22}

    def __init__(self, url: str, role: str, device: str, token: str | None = None,
                 since: int | None = None) -> None:
        self.ws: ClientConnection = connect(url, **self.connect_options).__enter__()
        self.role = role
        self.device = device
        self.events: list[dict[str, Any]] = []
        self.session = _session(url, role, device, token, since)
        self.session.start()
        self.session.connect()
        self.session.opened()
        self._send_outputs()
        self.welcome = self.recv()

    def _send_outputs(self) -> None:
        for output in self.session.outputs():
            if isinstance(output, Send):
                self.ws.send(output.frame)

    def recv_text(self, timeout: float = 5) -> str:
        text = self.ws.recv(timeout)
        assert isinstance(text, str), "the server sends text frames only"
        self.session.receive(text)
        self.session.outputs()  # answers are matched below, by id, as sent
        return text

    def recv(self, timeout: float = 5) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.recv_text(timeout))
        return message

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
        """Send a request and wait for its answer. A well-formed known request
        on a welcomed session is the session's; anything else (a malformed one
        the session would refuse to build, for the server to refuse) goes out
        as given."""
        if request_id is None and type_ in protocol.REQUESTS and self.session.ready:
            try:
                request_id = self.session.request(type_, **fields)
            except ValueError:
                request_id = None
            else:
                self._send_outputs()
                return self.answer(request_id)
        if request_id is None:
            request_id = self.session.new_request_id()
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


Client = TypeVar("Client", bound=WireClient)


class Clients(Generic[Client]):
    """The wire clients one test opens, all closed at its end (the one
    factory behind the `client_factory` and `connect` fixtures)."""

    def __init__(self, kind: type[Client]) -> None:
        self.kind = kind
        self.opened: list[Client] = []

    def open(self, url: str, role: str, device: str | None = None, **kwargs: Any) -> Client:
        client = self.kind(url, role, device or f"{role}-test", **kwargs)
        self.opened.append(client)
        return client

    def close_all(self) -> None:
        for client in self.opened:
            with contextlib.suppress(Exception):
                client.close()


class Links:
    """The Qt server links one test starts (the kiosk and display window
    factories): started and awaited, then stopped with their close
    handshakes done, so the server stops at once, not after its close timeout."""

    def __init__(self, wait: Callable[..., Any]) -> None:
        self.wait = wait  # qtbot.waitUntil
        self.started: list[ServerLink] = []

    def start(self, link: ServerLink, connect: bool = True) -> None:
        self.started.append(link)
        link.start()
        if connect:
            self.wait(lambda: link.connected, timeout=5000)

    def stop(self) -> None:
        for link in self.started:
            link.stop()

    def wait_closed(self) -> None:
        self.wait(lambda: not any(link.connected for link in self.started), timeout=5000)


def open_counter(client: WireClient, counter: str = "1",
                 services: list[str] | None = None) -> dict[str, Any]:
    """Log the demo staff in on a counter client and open its counter."""
    client.login()
    return client.ok("counter.open", counter=counter, services=services or ["A", "B"])
