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

from antrean.session import Answer, Answered, ClientSession, EventReceived, Send
from server.demo import DEMO_PIN, DEMO_TOKENS, DEMO_USERNAME
from tests.support import WireClient
from tests.support import hello_frame as hello_frame  # the tests import it from here


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
    """A protocol client on asyncio, for many consoles acting at the same
    instant: a thin adapter over the client session (its hello, ids, frames
    and answer matching), without an office mirror."""

    def __init__(self, ws: AsyncConnection, session: ClientSession) -> None:
        self.ws = ws
        self.session = session
        self.role = session.role
        self.device = session.device
        self.welcome: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self._answers: dict[str, dict[str, Any]] = {}

    @classmethod
    async def connect(cls, url: str, role: str, device: str, **options: Any) -> AsyncClient:
        session = ClientSession.for_url(url, role, device, DEMO_TOKENS[role], mirror=False)
        session.start()
        session.connect()
        # No receive limit: a console that reads only its answers must not stall
        # on the events queued before the server's close frame.
        ws = await async_connect(url, open_timeout=5, max_size=2**22, max_queue=None,
                                 close_timeout=2, **options)
        client = cls(ws, session)
        session.opened()
        await client._carry_out()
        text = await ws.recv()
        client.welcome = json.loads(text)
        assert client.welcome["type"] == "welcome", client.welcome
        session.receive(str(text))
        await client._carry_out()
        return client

    def next_id(self) -> str:
        return self.session.new_request_id()

    async def send(self, type_: str, request_id: str, **fields: Any) -> None:
        def answered(answer: Answer) -> None:
            self._answers[request_id] = answer.raw or {
                "type": "error", "id": request_id, "code": answer.code,
                "message": answer.message}

        self.session.request(type_, answered, request_id=request_id, **fields)
        await self._carry_out()

    async def _carry_out(self) -> None:
        for output in self.session.outputs():
            if isinstance(output, Send):
                await self.ws.send(output.frame)
            elif isinstance(output, Answered):
                output.callback(output.answer)
            elif isinstance(output, EventReceived):
                self.events.append(output.message)

    async def answer(self, request_id: str, timeout: float = 10) -> dict[str, Any]:
        """The answer to `request_id`; other answers that come first are kept."""
        async with asyncio.timeout(timeout):
            while request_id not in self._answers:
                self.session.receive(str(await self.ws.recv()))
                await self._carry_out()
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
