"""What the fail-over tests share: cutting a server's PostgreSQL connections
(pg_terminate_backend), counting what the log holds, and load clients that
follow the leader."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.demo import DEMO_PIN, DEMO_USERNAME
from server.store import Store
from tests.server.servers import app
from tests.server.wire import hello_frame
from tests.support import ServerThread


async def _scalar(db_url: str, sql: str) -> int:
    store = Store(db_url)
    try:
        value = await store._run(lambda conn: conn.exec_driver_sql(sql).scalar())
        return int(value or 0)
    finally:
        await store.close()


def terminate_backend(db_url: str, pid: int) -> None:
    """Cut one PostgreSQL connection from the server side."""
    asyncio.run(_scalar(db_url, f"SELECT count(pg_terminate_backend({int(pid)}))"))


def terminate_process_connections(db_url: str, process_id: int) -> int:
    """Cut every connection an `antrean server` process holds (its
    connections are named `antrean <pid> ...`): how many there were."""
    return asyncio.run(_scalar(db_url, (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE application_name LIKE 'antrean {int(process_id)}%'")))


def event_count(db_url: str) -> int:
    return asyncio.run(_scalar(db_url, "SELECT count(*) FROM events"))


def lock_pid(thread: ServerThread) -> int:
    """The backend holding an in-process server's leadership lock."""
    leadership = app(thread)._leadership
    assert leadership is not None and leadership._lock is not None
    return int(leadership._lock.get_server_pid())


# ---------------------------------------------------------------- load
@dataclass
class Ledger:
    """What the load clients sent and were answered, and what went wrong."""

    issued: dict[str, tuple[str, str]] = field(default_factory=dict)  # request id -> (id, number)
    answers: dict[str, list[str]] = field(default_factory=dict)  # request id -> answers' texts
    problems: list[str] = field(default_factory=list)


class LoadClient:
    """A kiosk issuing tickets, or a counter calling and completing them, as
    fast as answers come, on whichever server of `urls` leads: it moves to
    the next at any close or failure and resends its unanswered request with
    the same id. It checks that seq never goes back."""

    def __init__(self, role: str, device: str, urls: list[str], ledger: Ledger,
                 pause: float = 0.03) -> None:
        self.pause = pause
        self.role = role
        self.device = device
        self.urls = urls
        self.ledger = ledger
        self.url: str | None = None  # the server it is welcomed by now
        self.welcomes = 0
        self.max_seq = 0
        self._n = 0
        self._pending: dict[str, Any] | None = None
        self._held: str | None = None  # a counter's called ticket

    def _next(self) -> dict[str, Any]:
        self._n += 1
        request_id = f"{self.device}-{self._n}"
        if self.role == "kiosk":
            return {"type": "ticket.issue", "id": request_id, "service": "AB"[self._n % 2]}
        if self._held is not None:
            return {"type": "ticket.complete", "id": request_id, "ticket": self._held}
        return {"type": "ticket.call_next", "id": request_id, "counter": self.device[-1]}

    async def run(self, stop: asyncio.Event) -> None:
        index = 0
        while not (stop.is_set() and self._pending is None):
            self.url = None
            try:
                async with connect(self.urls[index], open_timeout=2, close_timeout=1,
                                   max_queue=None, max_size=2**24) as ws:
                    await self._serve(ws, self.urls[index], stop)
            except (ConnectionClosed, OSError, TimeoutError):
                pass
            index = (index + 1) % len(self.urls)
            await asyncio.sleep(0.02)

    async def _serve(self, ws: ClientConnection, url: str, stop: asyncio.Event) -> None:
        await ws.send(hello_frame(self.role, self.device))
        welcome = json.loads(await ws.recv())
        if welcome.get("type") != "welcome":
            return
        if welcome["seq"] < self.max_seq:
            self.ledger.problems.append(f"{self.device}: welcome seq {welcome['seq']} "
                                        f"< {self.max_seq} seen")
        self.max_seq = max(self.max_seq, welcome["seq"])
        self.url = url
        self.welcomes += 1
        if self.role == "counter":
            await self._ask(ws, {"type": "login", "id": f"{self.device}-login-{self.welcomes}",
                                 "username": DEMO_USERNAME, "pin": DEMO_PIN})
            await self._ask(ws, {"type": "counter.open", "id": f"{self.device}-open-"
                                 f"{self.welcomes}", "counter": self.device[-1],
                                 "services": ["A", "B"]})
        while not (stop.is_set() and self._pending is None):
            if self._pending is None:
                self._pending = self._next()
            request = self._pending
            answer = await self._ask(ws, request)
            self._pending = None
            self._answered(request, answer)
            if request["type"] != "ticket.complete":
                await asyncio.sleep(self.pause)  # a steady load, not a flood

    async def _ask(self, ws: ClientConnection, request: dict[str, Any]) -> dict[str, Any]:
        await ws.send(json.dumps(request))
        while True:
            text = await ws.recv()
            message: dict[str, Any] = json.loads(text)
            if message.get("type") == "event":
                if message["seq"] <= self.max_seq:
                    self.ledger.problems.append(f"{self.device}: event seq {message['seq']} "
                                                f"after {self.max_seq}")
                self.max_seq = message["seq"]
            elif message.get("id") == request["id"]:
                self.ledger.answers.setdefault(request["id"], []).append(str(text))
                return message

    def _answered(self, request: dict[str, Any], answer: dict[str, Any]) -> None:
        if answer.get("type") != "ok":
            if request["type"] != "ticket.call_next" or answer.get("code") != "conflict":
                self.ledger.problems.append(f"{self.device}: {request} -> {answer}")
            return
        ticket = answer["result"].get("ticket")
        if request["type"] == "ticket.issue":
            self.ledger.issued[request["id"]] = (ticket["id"], ticket["number"])
        elif request["type"] == "ticket.call_next":
            self._held = ticket["id"] if ticket else None
        elif request["type"] == "ticket.complete":
            self._held = None
