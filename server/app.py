"""The central server: one WebSocket endpoint, the office state, durable
group commits, and the event stream to every connected device.

Reading order: a connection says hello and gets a welcome; each request is
validated, checked against the role table, de-duplicated by (device, id),
executed by the domain core and queued for the next group commit; the
writer commits the queue in one transaction and only then answers and
broadcasts, in `seq` order.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import math
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from http import HTTPStatus
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from antrean import __version__, protocol
from antrean.core.bookings import Booking
from antrean.core.model import DomainError, Priority, StaffRef, Text, iso
from antrean.core.office import FEEDBACK_EVENTS, Event, Office
from server import bookings
from server.config import OfficeConfig, verify_secret
from server.fanout import Audience, FanOut
from server.lockouts import LoginLockouts
from server.metrics import UNPARSED, ServerMetrics, ServerState
from server.security import (
    RateLimiter,
    TokenCache,
    candidate_grants,
    staff_may_use,
)
from server.standby import Fenced, Leadership
from server.store import Batch, EventRow, Store, counter_row, merge_rows, ticket_row
from server.web import VisitorDesk, public_event_data

log = logging.getLogger("antrean.server")

HELLO_TIMEOUT = 5.0
SETTLE_AFTER_SECONDS = 2.0  # quiet time after connection churn before settling the heap
SETTLE_MIN_CHURN = 100  # connections come or gone before that is worth a full collection
STANDBY_REASON = "standby: try the next server"
CHECKPOINT_EVERY = 2000  # events between state checkpoints (at least)
RECENT_EVENTS = 20_000
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False, slots=True)
class Session:
    """One connected device after its hello."""

    ws: ServerConnection
    role: str
    device: str
    staff: StaffRef | None = None
    staff_roles: tuple[str, ...] = ()
    ticket: str | None = None  # a visitor's page: the one ticket it may read

    @property
    def sees_staff(self) -> bool:
        return self.role in protocol.STAFF_ROLES


@dataclass(frozen=True, slots=True)
class _HeldWelcome:
    """A welcome whose snapshot is ahead of the last commit, and the future
    its handshake waits on: True once sent, False if that commit failed."""

    text: str
    sent: asyncio.Future[bool]


@dataclass(frozen=True, slots=True)
class _SharedTicket:
    """A result's ticket in wire form and as JSON, for the answer and its event."""

    wire: dict[str, Any]
    json: str

    @classmethod
    def of(cls, result: dict[str, Any]) -> _SharedTicket | None:
        ticket = result.get("ticket")
        if len(result) != 1 or not isinstance(ticket, dict):
            return None
        return cls(ticket, protocol.dumps(ticket))


@dataclass(slots=True)
class Pending:
    """A change executed in memory, waiting for its commit to be answered."""

    sessions: list[Session]
    answer: str | None
    key: tuple[str, str] | None
    events: list[tuple[int, str, str]] = field(default_factory=list)


Handler = Callable[[Session, protocol.Request, datetime], tuple[dict[str, Any], list[Event]]]


class AntreanServer:
    def __init__(self, config: OfficeConfig, store: Store, clock: Clock = utc_now,
                 fanout: FanOut | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.office = Office(config.office, clock().astimezone().date())
        self.committed_seq = 0
        self.started_at = time.monotonic()
        self._answers: dict[tuple[str, str], str] = {}
        self._inflight: dict[tuple[str, str], Pending] = {}
        self._pending: list[Pending] = []
        self._batch = Batch.empty()
        self._wake = asyncio.Event()
        self._recent: deque[tuple[int, str, str]] = deque(maxlen=RECENT_EVENTS)
        self._staff = Audience()  # welcomed connections that see staff names
        self._public = Audience()  # and the others (kiosks, displays)
        # Connections welcomed but not yet in the broadcast sets: (session, the
        # welcome's seq, the welcome still to send once that seq is committed).
        self._joiners: list[tuple[Session, int, _HeldWelcome | None]] = []
        self._sessions: set[Session] = set()
        self._welcome_cache: dict[bool, tuple[int, float, str]] = {}
        self._guard = LoginLockouts(config.limits, store)
        self._limiter = RateLimiter()
        self._tokens = TokenCache()
        self._token_checks: dict[tuple[str, str, str], asyncio.Future[bool]] = {}
        self._secrets = ThreadPoolExecutor(1, thread_name_prefix="antrean-secrets")
        self._fanout = fanout or FanOut()
        self._checkpoint_seq = 0
        self._settle_timer: asyncio.TimerHandle | None = None
        self._churn = 0
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.metrics = ServerMetrics(ServerState(
            clients=lambda: self.health()["clients"],
            waiting=lambda: {code: self.office.waiting_count(code)
                             for code in self.office.services},
            seq=lambda: self.committed_seq))
        # "leader" (a lone server too) or "standby" (server/standby.py, PostgreSQL).
        self.role = "leader"
        self._leadership: Leadership | None = None
        self._handlers: dict[str, Handler] = {
            "ticket.issue": self._issue,
            "counter.open": self._counter_open,
            "counter.pause": self._counter_pause,
            "counter.close": self._counter_close,
            "ticket.call_next": self._call_next,
            "ticket.call": self._call,
            "ticket.recall": self._ticket_step("recall"),
            "ticket.start": self._ticket_step("start"),
            "ticket.complete": self._ticket_step("complete"),
            "ticket.no_show": self._ticket_step("no_show"),
            "ticket.transfer": self._transfer,
            "ticket.get": self._get,
            "announce": self._announce,
            "ping": self._ping,
            "logout": self._logout,
            "service.update": self._service_update,
            "device.status": self._device_status,
            "stats.today": self._stats,
            "ticket.send_back": self._send_back,
            "booking.check_in": self._check_in,
        }
        self.web = VisitorDesk(self)  # the visitor's phone: pages, survey, complaints
        self._handlers.update(self.web.handlers())
        self._booking: Booking | None = None  # looked up for the check-in being executed

    # ================================================================ lifecycle
    async def start(
        self, host: str = "127.0.0.1", port: int = 8765, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        await self.store.open()
        if self.store.dialect == "postgresql":
            self._leadership = Leadership(self)
            self.role = "leader" if await self._leadership.try_lead() else "standby"
        await self._guard.load(self.clock().timestamp())
        await self.restore()
        await self.web.load()
        self._server = await serve(
            self._connection,
            host,
            port,
            process_request=self._http,
            max_size=protocol.MAX_FRAME_BYTES,
            max_queue=64,
            close_timeout=2,
            compression=None,  # small JSON frames: deflate cost more CPU than it saved
            ssl=ssl_context,
            server_header=f"antrean/{__version__}",
        )
        if self.role == "leader":
            self._start_tasks()
        if self._leadership is not None:
            self._leadership.start(self.role == "leader")
        self.web.listening(host, self.port, ssl_context is not None)
        log.info("serving office %r on %s:%s as %s (seq %s, day %s)", self.config.office.name,
                 host, self.port, self.role, self.office.seq, self.office.day)

    def _start_tasks(self) -> None:
        self._tasks = [
            asyncio.create_task(self._writer(), name="antrean-writer"),
            asyncio.create_task(self._day_watch(), name="antrean-day"),
        ]

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Finish what is queued, then close every connection (1001) and the store."""
        if self._server is not None:
            self._server.close(close_connections=False)
        if self._leadership is not None:
            await self._leadership.stop_watching()
        if self.role == "leader" and self.office.seq > self._checkpoint_seq:
            self._maybe_checkpoint(force=True)
            self._pending.append(Pending([], None, None))
        await self._flush()
        if self._settle_timer is not None:
            self._settle_timer.cancel()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            # Every connection, also those still due to say hello (they would
            # otherwise hold the shutdown for the whole hello timeout).
            await asyncio.gather(*(
                ws.close(protocol.CLOSE_SERVER_SHUTDOWN, "server shutting down")
                for ws in list(self._server.connections)
            ), return_exceptions=True)
            await self._server.wait_closed()
        if self._leadership is not None:
            await self._leadership.close()  # after the last commit: frees the lock
        await self.store.close()
        self._secrets.shutdown(wait=False)
        self._fanout.close()

    async def start_in_process(self) -> None:
        """Open the store and run the commit writer without listening: the
        simulator (server/sim) hands requests to `handle_frame` on a
        simulated clock, through the same dispatch and group commit."""
        await self.store.open()
        await self.restore()
        self._tasks = [asyncio.create_task(self._writer(), name="antrean-writer")]

    async def handle_frame(self, session: Session, frame: str) -> None:
        """One request frame from an in-process session, as if it came off its socket."""
        await self._frame(session, frame)

    async def restore(self) -> None:
        """Rebuild the latest office day from the event log, then roll to today."""
        last_seq = await self.store.last_seq()
        day = await self.store.latest_day()
        now = self.clock()
        if day is None:
            self.office = Office(self.config.office, self.office.day_at(now), last_seq)
            answers = await self.store.answers_of_day(self.office.day)
        else:
            checkpoint = await self.store.latest_checkpoint(day)
            # The day's answers are read on the store's thread while this one
            # rebuilds the day from the checkpoint (a tenth of a restart each).
            reading = asyncio.ensure_future(self.store.answers_of_day(day))
            if checkpoint is not None:
                after = asyncio.ensure_future(self.store.events_after(checkpoint[0], day))
                await asyncio.sleep(0)  # both reads handed to the store's thread
                self.office = Office.from_checkpoint(self.config.office, checkpoint[1])
                rows = await after
            else:
                rows = await self.store.events_of_day(day)
                first = rows[0].seq if rows else last_seq + 1
                self.office = Office(self.config.office, day, first - 1)
            answers = await reading
            for row in rows:
                self._apply_row(row)
            self.office.seq = max(self.office.seq, last_seq)
            if self.office.day != day:  # the replay rolled the day
                answers = await self.store.answers_of_day(self.office.day)
        self.committed_seq = self.office.seq
        self._checkpoint_seq = self.office.seq
        self._answers = answers
        if self.role == "leader" and self.office.needs_roll(now):
            self._roll(now)
            await self._flush()
            self._answers.update(await self.store.answers_of_day(self.office.day))

    def _apply_row(self, row: EventRow) -> Event | None:
        """One logged event into the state (restart and standby alike)."""
        try:
            data = orjson.loads(row.data)
            event = self.office.event_from_wire(row.seq, row.name, row.at, data)
            self.office.apply(event)
        except (DomainError, KeyError, ValueError) as exc:
            log.warning("event %s (%s) no longer applies: %s", row.seq, row.name, exc)
            self.office.seq = row.seq
            return None
        return event

    # ================================================================ hot standby
    def follow(self, rows: list[EventRow]) -> None:
        """A standby applies the leader's committed events as a restart would,
        and keeps them for the clients that will reconnect after a take-over
        (their hello's `since` then gets only what they missed)."""
        for row in rows:
            if row.seq <= self.office.seq:
                continue
            event = self._apply_row(row)
            if event is None:
                self._recent.clear()  # no gap may be replayed to a client
                continue
            full = protocol.event_frame(row.seq, row.name, row.at, row.data)
            public = (protocol.event(row.seq, row.name, row.at,
                                     self.office.event_data(event, with_staff=False))
                      if event.counter is not None else full)
            self._recent.append((row.seq, full, public))
        self.committed_seq = self.office.seq

    async def begin_leading(self) -> None:
        """The standby has the lock and the whole log: serve from here on."""
        self._answers = await self.store.answers_of_day(self.office.day)
        self.committed_seq = self.office.seq
        self._checkpoint_seq = self.office.seq
        self.role = "leader"
        now = self.clock()
        if self.office.needs_roll(now):
            self._roll(now)
            await self._flush()
        self._start_tasks()

    async def step_down(self) -> None:
        """The lock is lost: stop committing, forget what was not committed,
        close every client with CLOSE_STANDBY (each retries its unanswered
        requests, same ids, on the new leader) and reload as a standby."""
        self.role = "standby"
        # The clients first: a commit hanging on a dead network must not keep
        # them from moving to the new leader.
        for _, _, held in self._joiners:
            if held is not None and not held.sent.done():
                held.sent.set_result(True)  # its connection is closed just below
        self._joiners = []
        if self._server is not None:
            await asyncio.gather(*(
                ws.close(protocol.CLOSE_STANDBY, STANDBY_REASON)
                for ws in list(self._server.connections)
            ), return_exceptions=True)
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._pending = []
        self._batch = Batch.empty()
        self._inflight.clear()
        self._recent.clear()
        self._welcome_cache.clear()
        await self.restore()

    # ================================================================ memory
    def _heap_changed(self) -> None:
        """After a burst of connections or disconnections (a room of screens
        coming up, a network blip) has gone quiet for a moment, settle the heap."""
        self._churn += 1
        if self._churn < SETTLE_MIN_CHURN:
            return
        if self._settle_timer is not None:
            self._settle_timer.cancel()
        self._settle_timer = asyncio.get_running_loop().call_later(
            SETTLE_AFTER_SECONDS, self.settle_heap)

    def settle_heap(self) -> None:
        """One full collection now, then freeze what survived (the day's state,
        the connections): later collections never rescan thousands of
        long-lived objects in the middle of a call's fan-out (measured: the
        5,000-display p99 fell from 470 to about 200 ms). Unfreezing first lets
        the connections that left since the last time be collected."""
        self._settle_timer = None
        self._churn = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    # ================================================================ HTTP
    def _http(self, connection: ServerConnection, request: HttpRequest
              ) -> Response | Awaitable[Response] | None:
        path = request.path.split("?", 1)[0]
        if path == "/healthz":
            body = json.dumps(self.health()).encode()
            headers = Headers([("Content-Type", "application/json"),
                               ("Content-Length", str(len(body))),
                               ("Cache-Control", "no-store")])
            return Response(HTTPStatus.OK, "OK", headers, body)
        if path == "/metrics":
            return self.metrics.response()
        if path == "/ws" or (path == "/" and "websocket" in request.headers.get(
                "Upgrade", "").lower()):
            return None
        return self.web.respond(connection, request)  # the visitor's pages

    def health(self) -> dict[str, Any]:
        clients = dict.fromkeys(protocol.ROLES, 0)
        for session in self._sessions:
            clients[session.role] += 1
        return {"status": "ok", "seq": self.committed_seq, "day": self.office.day.isoformat(),
                "clients": clients, "role": self.role}

    # ================================================================ connections
    async def _connection(self, ws: ServerConnection) -> None:
        if self.role != "leader":
            await ws.close(protocol.CLOSE_STANDBY, STANDBY_REASON)
            return
        session = await self._handshake(ws)
        if session is None:
            return
        self._sessions.add(session)
        self._heap_changed()
        try:
            async for frame in ws:
                await self._frame(session, frame)
        except ConnectionClosed:
            pass
        finally:
            self._sessions.discard(session)
            self.web.leave(session)
            self._heap_changed()
            self._staff.discard(ws)
            self._public.discard(ws)
            self._joiners = [j for j in self._joiners if j[0] is not session]

    async def _handshake(self, ws: ServerConnection) -> Session | None:
        try:
            first = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
        except TimeoutError:
            await ws.close(protocol.CLOSE_HELLO_TIMEOUT, "hello expected within 5 s")
            return None
        except ConnectionClosed:
            return None
        self.metrics.requests["hello"] += 1
        try:
            hello = protocol.parse_hello(protocol.loads(first))
        except protocol.ProtocolError as exc:
            log.warning("refused a hello from %s (device %r): %s", _peer(ws),
                        _claimed_device(first), exc.message)
            await self._refuse(ws, exc.code, exc.message, protocol.CLOSE_UNAUTHORIZED
                               if exc.code == "unauthorized" else protocol.CLOSE_BAD_HELLO)
            return None
        if hello.role in protocol.PUBLIC_ROLES:
            return await self.web.join(ws, hello)
        if not await self._token_ok(hello):
            # The device and the reason, never the token.
            log.warning("refused %s %r from %s: unknown device token for this role",
                        hello.role, hello.device, _peer(ws))
            await self._refuse(ws, "unauthorized", "unknown device token for this role",
                               protocol.CLOSE_UNAUTHORIZED)
            return None
        session = Session(ws, hello.role, hello.device)
        while not await self._welcome(session, hello.since):
            pass  # the commit the snapshot waited for failed: describe the state anew
        return session

    async def _refuse(self, ws: ServerConnection, code: str, message: str, close: int) -> None:
        self.metrics.error("hello", code)
        with contextlib.suppress(ConnectionClosed):
            await ws.send(protocol.error(None, code, message))
            await ws.close(close, message[:120])

    async def _token_ok(self, hello: protocol.Hello) -> bool:
        if self._tokens.known(hello.role, hello.device, hello.token):
            return True
        # A room of screens sharing one token says hello at once: check it once,
        # the others wait for that answer.
        key = (hello.role, hello.device, hello.token)
        check = self._token_checks.get(key)
        if check is None:
            check = asyncio.ensure_future(self._check_token(hello))
            self._token_checks[key] = check
            check.add_done_callback(lambda _: self._token_checks.pop(key, None))
        return await asyncio.shield(check)

    async def _check_token(self, hello: protocol.Hello) -> bool:
        for grant in candidate_grants(self.config.devices, hello.role, hello.device):
            if await self._verify(hello.token, grant.token_hash):
                self._tokens.remember(hello.role, grant.device, hello.token)
                return True
        return False

    async def _verify(self, secret: str, stored: str) -> bool:
        """scrypt needs 16 MB while it runs: one at a time, on one thread, off
        the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._secrets, verify_secret, secret, stored)

    async def _welcome(self, session: Session, since: int | None) -> bool:
        """Snapshot (or the missed events) and joining the stream, so that no
        event slips past or arrives twice, and nothing uncommitted is shown.

        The missed events are all committed. A snapshot describes the state in
        memory, which may be ahead of the last commit: then the welcome waits
        and the writer sends it right after that commit (this client's frames
        are not read until then, so nothing can overtake it). False when that
        commit failed and the welcome must be made again."""
        committed = self.committed_seq
        if since is not None and self._can_replay(since, committed):
            self._send(session.ws, protocol.welcome(__version__, since, None))
            for seq, full, public in self._recent:
                if since < seq <= committed:
                    self._send(session.ws, full if session.sees_staff else public)
            self._joiners.append((session, committed, None))
            return True
        text = self._welcome_text(session.sees_staff)
        if self.office.seq <= committed:
            self._send(session.ws, text)
            self._joiners.append((session, self.office.seq, None))
            return True
        held = _HeldWelcome(text, asyncio.get_running_loop().create_future())
        self._joiners.append((session, self.office.seq, held))
        return await held.sent

    def _can_replay(self, since: int, committed: int) -> bool:
        if since > committed or since < 0:
            return False
        if since == committed:
            return True
        return bool(self._recent) and self._recent[0][0] <= since + 1

    def _welcome_text(self, with_staff: bool) -> str:
        """The welcome with a snapshot, built once per seq (and second) for a
        whole room of screens connecting at once."""
        cached = self._welcome_cache.get(with_staff)
        now = time.monotonic()
        if cached and cached[0] == self.office.seq and now - cached[1] < 1.0:
            return cached[2]
        snapshot = self.office.snapshot(self.clock(), with_staff)
        text = protocol.welcome(__version__, self.office.seq, snapshot)
        self._welcome_cache[with_staff] = (self.office.seq, now, text)
        return text

    @staticmethod
    def _send(ws: ServerConnection, text: str) -> None:
        broadcast((ws,), text)

    # ================================================================ requests
    async def _frame(self, session: Session, frame: str | bytes) -> None:
        try:
            request = protocol.parse_request(protocol.loads(frame))
        except protocol.ProtocolError as exc:
            self.metrics.requests[UNPARSED] += 1
            self.metrics.error(UNPARSED, exc.code)
            self._send(session.ws, protocol.error(exc.request_id, exc.code, exc.message))
            return
        self.metrics.requests[request.type] += 1
        spec = request.spec
        if session.role not in spec.roles:
            self._error(session, request, "forbidden",
                        f"a {session.role} may not send {request.type}")
            return
        if spec.needs_login and session.staff is None:
            self._error(session, request, "unauthorized", "log in first")
            return
        if spec.needs_login and session.role == "supervisor" and (
            "supervisor" not in session.staff_roles
        ):
            self._error(session, request, "forbidden", "needs a supervisor")
            return
        # The role is part of the device's name here: a kiosk calling itself
        # "counter-1" must not be handed that console's answers (staff names).
        device_key = f"{session.role}:{session.device}"
        key = (device_key, json.dumps(request.id)) if spec.changes_state else None
        if key is not None and self._answered(session, key):
            return
        if not self._within_limits(session, request):
            self._error(session, request, "rate_limited", "too many requests: slow down")
            return
        if request.type == "login":
            await self._login(session, request)
            return
        if request.type in bookings.DIRECT_REQUESTS:
            self._send(session.ws, await bookings.answer(self, request, session.staff))
            return
        if request.type == "booking.check_in":
            self._booking = await bookings.find_booking(self.store, request.args["code"])
        self._execute(session, request, key)

    def _answered(self, session: Session, key: tuple[str, str]) -> bool:
        """A retried request gets the original answer, and is not executed again."""
        answer = self._answers.get(key)
        if answer is not None:
            self._send(session.ws, answer)
            return True
        pending = self._inflight.get(key)
        if pending is not None:
            pending.sessions.append(session)
            return True
        return False

    def _within_limits(self, session: Session, request: protocol.Request) -> bool:
        limits = self.config.limits
        now = time.monotonic()
        if limits.requests_per_second is not None and not self._limiter.allow(
            session.device, "any", limits.requests_per_second, limits.requests_per_second, now
        ):
            return False
        # A check-in issues a ticket too (and must not let a kiosk guess codes fast).
        if request.type in ("ticket.issue", "booking.check_in") and (
            limits.issue_per_minute is not None
        ):
            return self._limiter.allow(
                session.device, "issue", limits.issue_per_minute / 60, limits.issue_per_minute,
                now,
            )
        return True

    def _error(self, session: Session, request: protocol.Request, code: str, text: str,
               key: tuple[str, str] | None = None, **extra: Any) -> None:
        self.metrics.error(request.type, code)
        answer = protocol.error(request.id, code, text)
        if extra:
            answer = protocol.dumps({**json.loads(answer), **extra})
        if key is not None:
            self._answers[key] = answer
        self._send(session.ws, answer)

    def _execute(
        self, session: Session, request: protocol.Request, key: tuple[str, str] | None
    ) -> None:
        now = self.clock()
        if self.office.needs_roll(now):
            self._roll(now)
        try:
            result, events = self._handlers[request.type](session, request, now)
        except DomainError as exc:
            self._error(session, request, exc.code, exc.message, key, **exc.extra)
            return
        except Exception:
            log.exception("request %s failed", request.type)
            self._error(session, request, "internal", "internal error")
            return
        if not request.spec.changes_state:
            self._send(session.ws, protocol.ok(request.id, result))
            return
        # The event carries the answer's very ticket (for an issue, with its
        # ahead and ETA): one wire form, encoded once, serves both.
        shared = _SharedTicket.of(result)
        answer = (protocol.ok_json(request.id, f'{{"ticket":{shared.json}}}')
                  if shared is not None else protocol.ok(request.id, result))
        if request.type == "ticket.issue" and shared is not None:
            # The page's address is the visitor's key: in this answer only, never the event.
            url = self.web.url_for(shared.wire["id"])
            answer = protocol.ok(request.id, {"ticket": {**shared.wire, "url": url}})
        elif request.type == "ticket.complete" and shared is not None:
            # The survey's own address, for the QR the counter shows: this counter only.
            answer = protocol.ok(request.id, {"ticket": shared.wire,
                                              "survey_url": self.web.survey_url_for(
                                                  shared.wire["id"])})
        pending = Pending([session], answer, key)
        self._queue(pending, events, session, shared)

    def _queue(self, pending: Pending, events: list[Event], session: Session | None,
               shared: _SharedTicket | None = None) -> None:
        batch = self._batch
        device = session.device if session else None
        staff = session.staff.username if session and session.staff else None
        for event in events:
            at = iso(event.at) or ""
            ticket_wire: dict[str, Any] | None = None
            if shared is not None and event.ticket is not None and (
                event.ticket.id == shared.wire["id"] and event.counter is None
            ):
                ticket_wire = shared.wire
                extra = protocol.dumps(event.extra) if event.extra else ""
                data_json = (f'{{"ticket":{shared.json},{extra[1:]}' if extra
                             else f'{{"ticket":{shared.json}}}')
            else:
                full_data = self.office.event_data(event, with_staff=True)
                ticket_wire = full_data.get("ticket")
                data_json = protocol.dumps(full_data)
            full = protocol.event_frame(event.seq, event.name, at, data_json)
            public = (
                protocol.event(event.seq, event.name, at,
                               self.office.event_data(event, with_staff=False))
                if event.counter is not None else full
            )
            if event.name in FEEDBACK_EVENTS:
                public = protocol.event(event.seq, event.name, at,
                                        public_event_data(event.name, event.extra))
            self.web.queued(event, staff)
            pending.events.append((event.seq, full, public))
            batch.events.append({
                "seq": event.seq, "day": event.day.isoformat(), "at": at, "name": event.name,
                "data": data_json, "device": device,
                "staff": staff,
            })
            self._rows_for(event, batch, ticket_wire)
        self._maybe_checkpoint()
        if pending.key is not None and pending.answer is not None:
            batch.requests.append({"day": self.office.day.isoformat(), "device": pending.key[0],
                                   "request_id": pending.key[1], "answer": pending.answer})
            self._inflight[pending.key] = pending
        self._pending.append(pending)
        self._wake.set()

    def _maybe_checkpoint(self, force: bool = False) -> None:
        """Now and then (more rarely as the day grows, so the cost per event
        stays small), put the whole state into the open batch: it commits with
        the events up to its seq, and a restart replays only what follows."""
        due = max(CHECKPOINT_EVERY, len(self.office.tickets))
        if force or self.office.seq - self._checkpoint_seq >= due:
            self._batch.checkpoint = (self.office.seq, self.office.day.isoformat(),
                                      protocol.dumps(self.office.checkpoint()))
            self._checkpoint_seq = self.office.seq

    def _rows_for(self, event: Event, batch: Batch,
                  ticket_wire: dict[str, Any] | None) -> None:
        day = event.day.isoformat()
        if event.ticket is not None:
            wire = ticket_wire if ticket_wire is not None else event.ticket.to_wire()
            merge_rows(batch.tickets, [ticket_row(wire, day)])
            for counter_id in (event.ticket.counter, event.extra.get("from_counter")):
                counter = self.office.counters.get(counter_id or "")
                if counter is not None:
                    merge_rows(batch.counters, [counter_row(self.office.counter_wire(counter))])
        if event.counter is not None:
            counter = self.office.counters[event.counter.id]
            merge_rows(batch.counters, [counter_row(self.office.counter_wire(counter))])
        if event.name == "day.rolled":  # yesterday's closures; every counter closed
            previous_day = str(event.extra["previous_day"])
            merge_rows(batch.tickets, [ticket_row(t.to_wire(), previous_day)
                                       for t in event.closed])
            merge_rows(batch.counters, [counter_row(self.office.counter_wire(c))
                                        for c in self.office.counters.values()])

    def _roll(self, now: datetime) -> None:
        if self.office.needs_roll(now):  # the visitor pages keep the closing day's tickets
            self.web.day_closing(self.office.day_end_closures(now), self.office.day_at(now))
        events = self.office.roll_day(now)
        if not events:
            return
        self._answers.clear()
        self._queue(Pending([], None, None), events, None)
        log.info("office day rolled to %s; %d open tickets closed", self.office.day,
                 sum(len(event.closed) for event in events))

    # ================================================================ commit
    async def _writer(self) -> None:
        """Group commit: everything queued while the last commit ran goes in
        the next one; answers and events leave only after it is durable."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._pending:
                await self._commit_once()

    async def _commit_once(self) -> None:
        items, self._pending = self._pending, []
        batch, self._batch = self._batch, Batch.empty()
        started = time.perf_counter()
        try:
            await self.store.write(batch)
        except Exception as exc:
            if self._leadership is not None and (
                isinstance(exc, Fenced) or not await self._leadership.still_leading()
            ):
                # Not answered: the clients are closed and retry on the new leader.
                log.warning("commit refused, no longer the leader: %s", exc)
                self._leadership.lost.set()
                return
            log.exception("commit failed: answering internal and reloading from the database")
            self.metrics.commit_failures += 1
            self.web.failed()
            await self._recover(items)
            return
        self.metrics.committed(time.perf_counter() - started, len(items))
        outgoing: dict[ServerConnection, list[bytes]] = {}
        for item in items:
            if item.key is not None and item.answer is not None:
                self._answers[item.key] = item.answer
                self._inflight.pop(item.key, None)
            if item.answer is not None:
                answer = _text_frame(item.answer)
                for session in item.sessions:
                    outgoing.setdefault(session.ws, []).append(answer)
        started = time.perf_counter()
        self._publish([event for item in items for event in item.events], outgoing)
        self.metrics.fanout_seconds.observe(time.perf_counter() - started)
        self.web.committed(self.committed_seq)

    def _publish(self, events: list[tuple[int, str, str]],
                 outgoing: dict[ServerConnection, list[bytes]]) -> None:
        """Answers, then the batch's events in seq order: one write per connection."""
        audiences: list[tuple[Audience, bytes]] = []
        if events:
            encoded: list[tuple[int, bytes, bytes]] = []
            for seq, full, public in events:
                full_frame = _text_frame(full)
                public_frame = full_frame if public is full else _text_frame(public)
                encoded.append((seq, full_frame, public_frame))
            full_frames = [full for _, full, _ in encoded]
            public_frames = [public for _, _, public in encoded]
            for seq, full, public in events:
                self._recent.append((seq, full, public))
            for ws, frames in outgoing.items():  # the few with an answer of their own
                if ws in self._staff:
                    frames.extend(full_frames)
                elif ws in self._public:
                    frames.extend(public_frames)
            audiences = [(self._staff, b"".join(full_frames)),
                         (self._public, b"".join(public_frames))]
            last = events[-1][0]
            self.committed_seq = last
            still: list[tuple[Session, int, _HeldWelcome | None]] = []
            for session, welcome_seq, held in self._joiners:
                if welcome_seq > last or (held is None and welcome_seq == last):
                    still.append((session, welcome_seq, held))
                    continue
                frames = outgoing.setdefault(session.ws, [])
                if held is not None:
                    frames.insert(0, _text_frame(held.text))
                    if not held.sent.done():
                        held.sent.set_result(True)
                for seq, full_bytes, public_bytes in encoded:
                    if seq > welcome_seq:
                        frames.append(full_bytes if session.sees_staff else public_bytes)
                (self._staff if session.sees_staff else self._public).add(session.ws)
            self._joiners = still
        self._fanout.write(outgoing, audiences)

    def queue_events(self, pending: Pending, events: list[Event]) -> None:
        """Events made outside a request (a visitor's form): committed as usual."""
        self._queue(pending, events, None)

    async def _recover(self, items: list[Pending]) -> None:
        items = items + self._pending
        self._pending = []
        self._batch = Batch.empty()
        self._inflight.clear()
        for item in items:
            for session in item.sessions:
                self._send(session.ws, _internal_from(item.answer))
        await self.restore()
        await self.web.load()
        joiners, self._joiners = self._joiners, []
        for _, _, held in joiners:
            if held is not None and not held.sent.done():
                held.sent.set_result(False)  # its handshake describes the state anew
        # Everyone else starts again from the state as the database has it.
        for session in list(self._sessions):
            if session.role in protocol.PUBLIC_ROLES:
                continue  # never the office's snapshot: pages get their view below
            self._send(session.ws, self._welcome_text(session.sees_staff))
            (self._staff if session.sees_staff else self._public).add(session.ws)
        self.web.resync()

    async def _flush(self) -> None:
        while self._pending:
            await self._commit_once()

    async def _day_watch(self) -> None:
        while True:
            now = self.clock()
            local = self.office.local(now)
            midnight = datetime.combine(local.date() + timedelta(days=1), clock_time(0),
                                        local.tzinfo)
            await asyncio.sleep(min(60.0, max(0.05, (midnight - local).total_seconds())))
            self.check_day()

    def check_day(self) -> None:
        now = self.clock()
        if self.office.needs_roll(now):
            self._roll(now)

    # ================================================================ handlers
    async def _login(self, session: Session, request: protocol.Request) -> None:
        username, pin = request.args["username"], request.args["pin"]
        now = self.clock().timestamp()  # wall clock: a lock is kept across restarts
        locked = await self._guard.locked_for(username, now)
        if locked:
            self._error(session, request, "unauthorized",
                        f"too many wrong PINs: locked for {int(locked // 60) + 1} more minutes",
                        locked_seconds=math.ceil(locked))
            return
        member = self.config.staff_by_username(username)
        stored = member.pin_hash if member else self.config.staff[0].pin_hash
        good = await self._verify(pin, stored)
        if member is None or not good:
            lock = await self._guard.failed(username, self.clock().timestamp())
            if lock:
                self._error(session, request, "unauthorized",
                            f"wrong PIN: locked for {int(lock // 60)} minutes",
                            locked_seconds=int(lock))
            else:
                self._error(session, request, "unauthorized", "wrong username or PIN")
            return
        if not staff_may_use(member, session.role):
            self._error(session, request, "forbidden", "this console needs a supervisor")
            return
        await self._guard.succeeded(username)
        session.staff = StaffRef(member.username, member.name)
        session.staff_roles = member.roles
        staff: dict[str, Any] = {"username": member.username, "name": member.name,
                                 "roles": list(member.roles)}
        if member.skills is not None:  # what they may serve, when the office file says
            staff["skills"] = list(member.skills)
        self._send(session.ws, protocol.ok(request.id, {"staff": staff}))

    def _issue(self, session: Session, request: protocol.Request, now: datetime
               ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        events = self.office.issue(args["service"], Priority(args.get("priority", "regular")),
                                   args.get("lang", "id"), now)
        ticket = events[0].ticket
        assert ticket is not None
        return {"ticket": self.office.view(ticket, now).to_wire()}, events

    def _counter_result(self, events: list[Event]) -> dict[str, Any]:
        counter = self.office.counters[events[-1].counter.id if events[-1].counter else ""]
        return {"counter": self.office.counter_wire(counter)}

    def _counter_open(self, session: Session, request: protocol.Request, now: datetime
                      ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        bookings.check_skills(self, session.staff, args["services"], args.get("steps", []))
        events = self.office.open_counter(args["counter"], args["services"],
                                          session.device, session.staff, now,
                                          steps=args.get("steps", ()))
        return self._counter_result(events), events

    def _counter_pause(self, session: Session, request: protocol.Request, now: datetime
                       ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.pause_counter(request.args["counter"], session.device, now)
        return self._counter_result(events), events

    def _counter_close(self, session: Session, request: protocol.Request, now: datetime
                       ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.close_counter(request.args["counter"], session.device, now)
        return self._counter_result(events), events

    @staticmethod
    def _ticket_result(events: list[Event]) -> dict[str, Any]:
        ticket = events[-1].ticket if events else None
        return {"ticket": ticket.to_wire() if ticket else None}

    def _call_next(self, session: Session, request: protocol.Request, now: datetime
                   ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.call_next(request.args["counter"], session.device, now)
        return self._ticket_result(events), events

    def _call(self, session: Session, request: protocol.Request, now: datetime
              ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        events = self.office.call(args["counter"], args["ticket"], args["reason"],
                                  session.device, now)
        return self._ticket_result(events), events

    def _ticket_step(self, action: str) -> Handler:
        def handle(session: Session, request: protocol.Request, now: datetime
                   ) -> tuple[dict[str, Any], list[Event]]:
            step = getattr(self.office, action)
            events: list[Event] = step(request.args["ticket"], session.device, now)
            return self._ticket_result(events), events
        return handle

    def _transfer(self, session: Session, request: protocol.Request, now: datetime
                  ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.transfer(request.args["ticket"], request.args["service"],
                                      session.device, now)
        return self._ticket_result(events), events

    def _send_back(self, session: Session, request: protocol.Request, now: datetime
                   ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.send_back(request.args["ticket"], request.args["reason"],
                                       session.device, now)
        return self._ticket_result(events), events

    def _check_in(self, session: Session, request: protocol.Request, now: datetime
                  ) -> tuple[dict[str, Any], list[Event]]:
        booking, self._booking = self._booking, None
        events = self.office.check_in(booking, request.args.get("lang", "id"), now)
        ticket = events[0].ticket
        assert ticket is not None
        return {"ticket": self.office.view(ticket, now).to_wire()}, events

    def _get(self, session: Session, request: protocol.Request, now: datetime
             ) -> tuple[dict[str, Any], list[Event]]:
        ticket = self.office.find_ticket(request.args["ticket"])
        wire = self.office.view(ticket, now).to_wire()
        if session.role == "supervisor":
            wire["url"] = self.web.url_for(ticket.id)
        return {"ticket": wire}, []

    def _announce(self, session: Session, request: protocol.Request, now: datetime
                  ) -> tuple[dict[str, Any], list[Event]]:
        text = request.args["text"]
        return {}, self.office.announce(Text(text["id"], text["en"]), now)

    def _ping(self, session: Session, request: protocol.Request, now: datetime
              ) -> tuple[dict[str, Any], list[Event]]:
        return {}, []

    def _logout(self, session: Session, request: protocol.Request, now: datetime
                ) -> tuple[dict[str, Any], list[Event]]:
        session.staff = None
        session.staff_roles = ()
        return {}, []

    def _service_update(self, session: Session, request: protocol.Request, now: datetime
                        ) -> tuple[dict[str, Any], list[Event]]:
        args = request.args
        events = self.office.update_service(
            args["service"], now, open=args.get("open"), quota=args.get("quota"),
            clear_quota="quota" in args and args["quota"] is None,
        )
        service = self.office.services[args["service"]]
        return {"service": service.to_wire(self.office.local(now))}, events

    def _device_status(self, session: Session, request: protocol.Request, now: datetime
                       ) -> tuple[dict[str, Any], list[Event]]:
        events = self.office.report_device(session.device, session.role, request.args["status"],
                                           request.args.get("detail", ""), now)
        return {}, events

    def _stats(self, session: Session, request: protocol.Request, now: datetime
               ) -> tuple[dict[str, Any], list[Event]]:
        return {"figures": self.office.figures()}, []


def _text_frame(text: str) -> bytes:
    """A complete server-to-client text frame. Server frames are neither masked
    nor (here) compressed, so one encoding serves every connection."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def _internal_from(answer: str | None) -> str:
    request_id = json.loads(answer).get("id") if answer else None
    return protocol.error(request_id, "internal", "the change could not be saved; try again")


def _peer(ws: ServerConnection) -> str:
    """The remote address of a connection, for a log line."""
    address = ws.remote_address
    return f"{address[0]}:{address[1]}" if address else "?"


def _claimed_device(frame: str | bytes) -> str | None:
    """The device a hello that could not be read says it is, if it says."""
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        return None
    device = message.get("device") if isinstance(message, dict) else None
    return device if isinstance(device, str) else None
