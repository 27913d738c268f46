"""The central server: one WebSocket endpoint, the office state, durable
group commits, and the event stream to every connected device.

`AntreanServer` is the facade the rest of the project builds and looks
into; each part lives in its own module, read in this order:
- `server/settings.py`: `Config`, every runtime setting;
- `server/session.py`: hello, device token, welcome and replay;
- `server/dispatch.py`: role table, login, idempotency key, rate limits;
- `server/handlers.py`: what each request does (the handlers table);
- `server/commit.py`: the open batch, checkpoints, group commit, answers;
- `server/broadcast.py`: redaction, recent events, joining, fan-out.
This file keeps the lifecycle (start, restore, stop), the hot standby's
hooks, the day watch, HTTP, memory and the connection loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import time
from collections.abc import Awaitable
from datetime import datetime, timedelta
from datetime import time as clock_time
from http import HTTPStatus
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from antrean import __version__, protocol
from antrean.core.bookings import Booking
from antrean.core.model import DomainError
from antrean.core.office import Event, Office
from server.broadcast import Broadcast, frames_of, send
from server.commit import CommitWriter, Pending, answers_from, internal_from
from server.dispatch import Dispatcher
from server.fanout import FanOut
from server.handlers import Handler, office_handlers, routes
from server.lockouts import LoginLockouts
from server.metrics import ServerMetrics, ServerState
from server.session import Handshake, Session
from server.settings import Clock, Config, utc_now
from server.standby import Leadership
from server.store import EventRow
from server.web import VisitorDesk

__all__ = ["AntreanServer", "Clock", "Config", "Handler", "Pending", "Session", "utc_now"]

log = logging.getLogger("antrean.server")

SETTLE_AFTER_SECONDS = 2.0  # quiet time after connection churn before settling the heap
SETTLE_MIN_CHURN = 100  # connections come or gone before that is worth a full collection
STANDBY_REASON = "standby: try the next server"


class AntreanServer:
    def __init__(self, settings: Config) -> None:
        self.settings = settings
        self.config = settings.office  # the office file (name kept: read all over)
        self.store = settings.store_factory(settings.database_url)
        self.clock: Clock = settings.clock
        self.office = Office(self.config.office, self.clock().astimezone().date())
        self.committed_seq = 0
        self.started_at = time.monotonic()
        self._sessions: set[Session] = set()
        self._settle_timer: asyncio.TimerHandle | None = None
        self._churn = 0
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.lockouts = LoginLockouts(self.config.limits, self.store)
        self.broadcast = Broadcast(settings.fanout)
        self.commits = CommitWriter(self)
        self.handshake = Handshake(self, settings.hello_timeout)
        self.dispatcher = Dispatcher(self)
        self.metrics = ServerMetrics(ServerState(
            clients=lambda: self.health()["clients"],
            waiting=lambda: {code: self.office.waiting_count(code)
                             for code in self.office.services},
            seq=lambda: self.committed_seq))
        # "leader" (a lone server too) or "standby" (server/standby.py, PostgreSQL).
        self.role = "leader"
        self.leadership: Leadership | None = None
        # The handlers table: request type -> handler (server/handlers.py).
        self.handlers: dict[str, Handler] = office_handlers(self)
        self.web = VisitorDesk(self)  # the visitor's phone: pages, survey, complaints
        self.handlers.update(self.web.handlers())
        self.routes = routes(self.handlers)
        # The booking a `booking.check_in` being executed checks in with: looked up
        # in the bookings table (I/O) by the dispatcher, taken by its handler.
        self.checking_in: Booking | None = None

    def take_check_in(self) -> Booking | None:
        booking, self.checking_in = self.checking_in, None
        return booking

    # Looked into by tests and the visitor desk.
    @property
    def _fanout(self) -> FanOut:
        return self.broadcast.fanout

    @_fanout.setter
    def _fanout(self, fanout: FanOut) -> None:
        self.broadcast.fanout = fanout

    @property
    def _leadership(self) -> Leadership | None:
        return self.leadership

    @property
    def _inflight(self) -> dict[Any, Pending]:
        return self.commits.inflight

    async def _token_ok(self, hello: protocol.Hello) -> bool:
        return await self.handshake.token_ok(hello)

    async def _refuse(self, ws: ServerConnection, code: str, message: str, close: int) -> None:
        await self.handshake.refuse(ws, code, message, close)

    # ================================================================ lifecycle
    async def start(self) -> None:
        settings = self.settings
        await self.store.open()
        if self.store.dialect == "postgresql":
            self.leadership = Leadership(self)
            self.role = "leader" if await self.leadership.try_lead() else "standby"
        await self.lockouts.load(self.clock().timestamp())
        await self.restore()
        await self.web.load()
        self._server = await serve(
            self._connection,
            settings.host,
            settings.port,
            process_request=self._http,
            max_size=protocol.MAX_FRAME_BYTES,
            max_queue=64,
            close_timeout=2,
            compression=None,  # small JSON frames: deflate cost more CPU than it saved
            ssl=settings.ssl_context,
            server_header=f"antrean/{__version__}",
        )
        if self.role == "leader":
            self._start_tasks()
        if self.leadership is not None:
            self.leadership.start(self.role == "leader")
        self.web.listening(settings.host, self.port, settings.tls)
        log.info("serving office %r on %s:%s as %s (seq %s, day %s)", self.config.office.name,
                 settings.host, self.port, self.role, self.office.seq, self.office.day)

    async def start_in_process(self) -> None:
        """Open the store and run the commit writer without listening: the
        simulator (server/sim) hands requests to `handle_frame` on a
        simulated clock, through the same dispatch and group commit."""
        await self.store.open()
        await self.restore()
        self._tasks = [asyncio.create_task(self.commits.run(), name="antrean-writer")]

    async def handle_frame(self, session: Session, frame: str) -> None:
        """One request frame from an in-process session, as if it came off its socket."""
        await self.dispatcher.frame(session, frame)

    def _start_tasks(self) -> None:
        self._tasks = [
            asyncio.create_task(self.commits.run(), name="antrean-writer"),
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
        if self.leadership is not None:
            await self.leadership.stop_watching()
        if self.role == "leader" and self.office.seq > self.commits.checkpoint_seq:
            self.commits.maybe_checkpoint(force=True)
            self.commits.pending.append(Pending([], None, None))
        await self.commits.flush()
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
        if self.leadership is not None:
            await self.leadership.close()  # after the last commit: frees the lock
        await self.store.close()
        self.handshake.close()
        self.broadcast.close()

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
        self.commits.checkpoint_seq = self.office.seq
        self.commits.answers = answers_from(answers)
        if self.role == "leader" and self.office.needs_roll(now):
            self.roll(now)
            await self.commits.flush()
            self.commits.answers.update(
                answers_from(await self.store.answers_of_day(self.office.day)))

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

    async def recover(self, items: list[Pending]) -> None:
        """A commit failed: answer `internal` to what it carried, reload the
        state from the database and welcome everyone anew."""
        self.commits.forget()
        for item in items:
            for session in item.sessions:
                send(session.ws, internal_from(item.answer))
        await self.restore()
        await self.web.load()
        self.broadcast.release_joiners(False)  # their handshakes describe the state anew
        # Everyone else starts again from the state as the database has it.
        for session in list(self._sessions):
            if session.role in protocol.PUBLIC_ROLES:
                continue  # never the office's snapshot: pages get their view below
            send(session.ws, self.handshake.welcome_text(session.sees_staff))
            self.broadcast.admit(session)
        self.web.resync()

    def queue_events(self, pending: Pending, events: list[Event]) -> None:
        """Events made outside a request (a visitor's form): committed as usual."""
        self.commits.queue(pending, events, None)

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
                self.broadcast.recent.clear()  # no gap may be replayed to a client
                continue
            self.broadcast.recent.append(frames_of(self.office, event, row.at, row.data))
        self.committed_seq = self.office.seq

    async def begin_leading(self) -> None:
        """The standby has the lock and the whole log: serve from here on."""
        self.commits.answers = answers_from(await self.store.answers_of_day(self.office.day))
        self.committed_seq = self.office.seq
        self.commits.checkpoint_seq = self.office.seq
        self.role = "leader"
        now = self.clock()
        if self.office.needs_roll(now):
            self.roll(now)
            await self.commits.flush()
        self._start_tasks()

    async def step_down(self) -> None:
        """The lock is lost: stop committing, forget what was not committed,
        close every client with CLOSE_STANDBY (each retries its unanswered
        requests, same ids, on the new leader) and reload as a standby."""
        self.role = "standby"
        # The clients first: a commit hanging on a dead network must not keep
        # them from moving to the new leader.
        self.broadcast.release_joiners(True)  # their connections are closed just below
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
        self.commits.forget()
        self.broadcast.recent.clear()
        self.handshake.welcomes.clear()
        await self.restore()

    # ================================================================ the office day
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
            self.roll(now)

    def roll(self, now: datetime) -> None:
        if self.office.needs_roll(now):  # the visitor pages keep the closing day's tickets
            self.web.day_closing(self.office.day_end_closures(now), self.office.day_at(now))
        events = self.office.roll_day(now)
        if not events:
            return
        self.commits.answers.clear()
        self.commits.queue(Pending([], None, None), events, None)
        log.info("office day rolled to %s; %d open tickets closed", self.office.day,
                 sum(len(event.closed) for event in events))

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
        session = await self.handshake.greet(ws)
        if session is None:
            return
        self._sessions.add(session)
        self._heap_changed()
        try:
            async for frame in ws:
                await self.dispatcher.frame(session, frame)
        except ConnectionClosed:
            pass
        finally:
            self._sessions.discard(session)
            self.web.leave(session)
            self._heap_changed()
            self.broadcast.leave(session)
