"""What the server tests need beyond tests/support.py: answers as the exact
text the server sent, the event stream in order, `/healthz`, an asyncio client
for requests that must land at the same instant, and polling for things
outside Qt."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from websockets.asyncio.client import ClientConnection as AsyncConnection
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed

from server.demo import DEMO_PIN, DEMO_USERNAME
from tests.support import WireClient, hello_frame


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Poll `condition` (outside Qt there is no qtbot.waitUntil)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or condition}")
        time.sleep(0.01)


def fetch(port: int, path: str = "/healthz", context: ssl.SSLContext | None = None
          ) -> tuple[int, bytes]:
    """GET a path on the server's port: (status, body)."""
    scheme = "https" if context is not None else "http"
    try:
        with urllib.request.urlopen(f"{scheme}://127.0.0.1:{port}{path}", timeout=5,
                                    context=context) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def health(port: int, context: ssl.SSLContext | None = None) -> dict[str, Any]:
    status, body = fetch(port, "/healthz", context)
    assert status == 200, (status, body)
    result: dict[str, Any] = json.loads(body)
    return result


class RawClient(WireClient):
    """A WireClient that keeps every frame in arrival order and can hand
    back an answer as the exact text the server sent."""

    # No receive limit: a client that leaves events unread must still see
    # the server's close frame at once (else closing waits out a timeout).
    connect_options: ClassVar[Mapping[str, Any]] = {
        "open_timeout": 5, "max_size": 2**22, "max_queue": None, "close_timeout": 2}

    def __init__(self, url: str, role: str, device: str, token: str | None = None,
                 since: int | None = None) -> None:
        self.frames: list[dict[str, Any]] = []
        super().__init__(url, role, device, token, since)

    def recv_text(self, timeout: float = 5) -> str:
        text = super().recv_text(timeout)
        self.frames.append(json.loads(text))
        return text

    def raw_answer(self, request_id: Any, timeout: float = 5) -> str:
        """The next answer to `request_id`, exactly as sent (events are kept)."""
        while True:
            text = self.recv_text(timeout)
            message = json.loads(text)
            if message.get("type") == "event":
                self.events.append(message)
            elif message.get("id") == request_id:
                return text

    def answers(self, request_ids: list[Any], timeout: float = 5) -> list[dict[str, Any]]:
        """The answers to several requests sent back to back, whatever order
        they come in (a ping may overtake a change waiting for its commit)."""
        waiting = set(request_ids)
        found: dict[Any, dict[str, Any]] = {}
        while waiting:
            message = self.recv(timeout)
            if message.get("type") == "event":
                self.events.append(message)
            elif message.get("id") in waiting:
                found[message["id"]] = message
                waiting.discard(message["id"])
        return [found[request_id] for request_id in request_ids]

    def raw_request(self, type_: str, request_id: Any, **fields: Any) -> str:
        self.send({"type": type_, "id": request_id, **fields})
        return self.raw_answer(request_id)

    def stream(self) -> list[dict[str, Any]]:
        """Every event received so far, in arrival order."""
        return [frame for frame in self.frames if frame.get("type") == "event"]

    def stream_through(self, seq: int, timeout: float = 5) -> list[dict[str, Any]]:
        """Read on until the event `seq` has arrived; every event so far, in order."""
        while not any(event["seq"] >= seq for event in self.stream()):
            message = self.recv(timeout)
            if message.get("type") == "event":
                self.events.append(message)
        return self.stream()

    def expect_close(self, timeout: float = 5) -> int | None:
        """Read until the server closes the connection; its close code."""
        deadline = time.monotonic() + timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                self.recv_text(remaining)
        except ConnectionClosed:
            return self.ws.close_code
        except TimeoutError:
            pass
        raise AssertionError(f"the server did not close the connection within {timeout} s")


class AsyncClient:
    """A protocol client on asyncio, for many consoles acting at the same instant."""

    def __init__(self, ws: AsyncConnection, role: str, device: str) -> None:
        self.ws = ws
        self.role = role
        self.device = device
        self.welcome: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self._answers: dict[Any, dict[str, Any]] = {}
        self._ids = 0

    @classmethod
    async def connect(cls, url: str, role: str, device: str, **options: Any) -> AsyncClient:
        # No receive limit: a console that reads only its answers must not stall
        # on the events queued before the server's close frame.
        ws = await async_connect(url, open_timeout=5, max_size=2**22, max_queue=None,
                                 close_timeout=2, **options)
        client = cls(ws, role, device)
        await ws.send(hello_frame(role, device))
        client.welcome = json.loads(await ws.recv())
        assert client.welcome["type"] == "welcome", client.welcome
        return client

    def next_id(self) -> str:
        self._ids += 1
        return f"{self.device}-{self._ids}"

    async def send(self, type_: str, request_id: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"type": type_, "id": request_id, **fields}))

    async def answer(self, request_id: str, timeout: float = 10) -> dict[str, Any]:
        """The answer to `request_id`; other answers that come first are kept."""
        async with asyncio.timeout(timeout):
            while request_id not in self._answers:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message.get("type") == "event":
                    self.events.append(message)
                else:
                    self._answers[message.get("id")] = message
        return self._answers.pop(request_id)

    async def request(self, type_: str, **fields: Any) -> dict[str, Any]:
        request_id = self.next_id()
        await self.send(type_, request_id, **fields)
        return await self.answer(request_id)

    async def ok(self, type_: str, **fields: Any) -> dict[str, Any]:
        answer = await self.request(type_, **fields)
        assert answer["type"] == "ok", answer
        result: dict[str, Any] = answer["result"]
        return result

    async def login(self) -> None:
        await self.ok("login", username=DEMO_USERNAME, pin=DEMO_PIN)

    async def close(self) -> None:
        await self.ws.close()
