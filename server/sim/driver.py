"""A simulated office day through the real server.

The server is the one that runs the office (`AntreanServer`: the same
request parsing, role checks, idempotency, domain core and policy, group
commit into a real SQLAlchemy store), on a simulated clock that the
driver sets before each request. Nothing waits on wall time.

The actors — one kiosk and one console per counter — are sessions of that
server without sockets: their frames go in through `handle_frame` (the code
a socket's frames go through) and the answers come out of the server's
writer after each commit, as bytes of WebSocket frames. Only the sockets
are left out. With `sockets=True` the same devices talk to the server over
real loopback WebSocket connections instead: a test shows both give the
same event log, event for event; over sockets a 3,000-visitor day took
7.6 s against 1.9 s in-process at load 2 on the two-core machine, and 17 s
against 5 s at load 6 (bench/bench_simulate.py), because every event is
also framed, sent and parsed on each of the 21 connections and every
instant waits for its answers before the clock moves on.

A request's answer is needed only to plan what follows it (which ticket a
counter got, so when the visitor reaches it), and what follows is always at
least `Behaviour.horizon()` later. So the driver sends every request due in
that window and then waits for their commit together: fewer commits, the
same requests at the same simulated instants, the same answers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import heapq
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy.engine import Connection
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from antrean.core.bookings import DEFAULT_RULES, Booking
from antrean.core.model import CounterSpec, Text
from antrean.sim.plan import CounterPlan, Group
from antrean.sim.profile import Arrival, Profile, Visitor, visitors_arriving, visitors_of_day
from server.app import AntreanServer
from server.bookings import add_bookings
from server.config import DeviceGrant, Limits, OfficeConfig, StaffMember
from server.fanout import FanOut
from server.session import Session
from server.settings import Config
from server.store import Store

_R = TypeVar("_R")

SIM_STAFF = "simulasi"
SIM_TOKEN = "simulasi"
_SIM_PIN = "0000"
_SALT = b"antrean-simulate"


def _cheap_hash(secret: str) -> str:
    """The simulated staff's PIN, stored as the server stores PINs (scrypt)
    but at a tiny cost: twenty logins must not take seconds."""
    digest = hashlib.scrypt(secret.encode(), salt=_SALT, n=16, r=8, p=1, dklen=32)
    return (f"scrypt$16$8$1${base64.b64encode(_SALT).decode()}$"
            f"{base64.b64encode(digest).decode()}")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How people behave around the system (seconds)."""

    react_seconds: float = 10.0  # an idle console's staff see a new ticket and call
    walk_seconds: float = 30.0  # a called visitor reaches the counter (mean; 0.5x to 1.5x)
    recall_seconds: float = 60.0  # an absent visitor is called again, then marked no-show

    def horizon(self) -> float:
        """The shortest time between a request and anything its answer decides."""
        return min(self.react_seconds, self.walk_seconds * 0.5, self.recall_seconds)


@dataclass
class SimClock:
    """The simulated time the server reads (injected as its `clock`)."""

    now: datetime = datetime(2026, 1, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


# ----------------------------------------------------------------- in-process link
class _Protocol:
    """What the server's writes touch of a websockets protocol object."""

    state = State.OPEN

    def __init__(self, sink: Callable[[str], None]) -> None:
        self.writes: list[bytes] = []
        self._sink = sink

    def send_text(self, data: bytes) -> None:
        self._sink(data.decode())


class _Transport:
    """What the server's writes touch of a transport: frames in, text out."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        at = 0
        while at < len(view):
            length = view[at + 1] & 0x7F
            at += 2
            if length == 126:
                length = int.from_bytes(view[at:at + 2], "big")
                at += 2
            elif length == 127:
                length = int.from_bytes(view[at:at + 8], "big")
                at += 8
            self._sink(bytes(view[at:at + length]).decode())
            at += length

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class SimConnection:
    """A session's connection inside the process: the server writes frames
    to it exactly as to a socket's connection, and it hands each text on."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self.protocol = _Protocol(sink)
        self.transport = _Transport(sink)
        self.send_in_progress = None

    def send_data(self) -> None:
        pass


Answer = Callable[[dict[str, Any]], None]


class Actor:
    """A device of the simulated office: its session and its unanswered requests."""

    def __init__(self, driver: DayDriver, role: str, device: str) -> None:
        self.driver = driver
        self.role = role
        self.device = device
        self.connection = SimConnection(self._received)
        self.session = Session(cast(ServerConnection, self.connection), role, device)
        self.waiting: dict[str, tuple[Answer | None, float]] = {}
        self.socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = 0

    async def connect(self, url: str) -> None:
        """Be a device on a real WebSocket connection instead (the socket mode)."""
        self.socket = await connect(url, max_size=None, max_queue=None)
        await self.socket.send(orjson.dumps({"type": "hello", "protocol": 1, "role": self.role,
                                             "device": self.device,
                                             "token": SIM_TOKEN}).decode())
        welcome = orjson.loads(await self.socket.recv())
        assert welcome["type"] == "welcome", welcome
        self._reader = asyncio.create_task(self._read(self.socket))

    async def _read(self, socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for text in socket:
                if isinstance(text, str) and not text.startswith('{"type":"event"'):
                    self._received(text)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    def next_id(self) -> str:
        self._ids += 1
        return f"{self._ids}"

    def _received(self, text: str) -> None:
        message = orjson.loads(text)
        if message.get("type") in ("ok", "error") and message.get("id") in self.waiting:
            on_answer, sent_at = self.waiting.pop(message["id"])
            self.driver.answered(self, message, on_answer, sent_at)


# ----------------------------------------------------------------- the day
@dataclass
class CounterActor:
    id: str
    actor: Actor
    serving: Group | None = None  # services it is open for (None: closed)
    target: Group | None = None  # what the plan wants it to be
    busy: bool = False  # a request or a visitor in progress
    idle_since: float | None = None  # open with nobody to call, since then
    draining: bool = False  # after the plan's last hour: serve what is left, then close


@dataclass
class DayNotes:
    """What the simulation knows that the database does not."""

    day: date
    visitors: int = 0
    refused: dict[str, int] = field(default_factory=dict)  # service -> kiosk refusals
    walked_out: dict[str, int] = field(default_factory=dict)
    booked: dict[str, int] = field(default_factory=dict)  # service -> bookings made
    errors: list[str] = field(default_factory=list)  # unexpected answers (should be none)


def sim_config(config: OfficeConfig, counters: int) -> OfficeConfig:
    """The office as the simulation runs it: flood limits off (one kiosk
    issues the whole day in seconds of wall time), one simulated member of
    staff, and at least `counters` counters (added after the office's own)."""
    specs = list(config.office.counters)
    taken = {c.id for c in specs}
    number = 1
    while len(specs) < counters:
        while str(number) in taken:
            number += 1
        taken.add(str(number))
        specs.append(CounterSpec(str(number), Text(f"Loket {number}", f"Counter {number}"),
                                 tuple(s.code for s in config.office.services)))
    office = dataclasses.replace(config.office, counters=tuple(specs))
    staff = StaffMember(SIM_STAFF, "Simulasi", ("counter", "supervisor"), _cheap_hash(_SIM_PIN))
    devices = tuple(DeviceGrant(role, _cheap_hash(SIM_TOKEN)) for role in ("kiosk", "counter"))
    return dataclasses.replace(config, office=office, staff=(staff,), devices=devices,
                               limits=Limits(issue_per_minute=None, requests_per_second=None))


def office_days(first: date, count: int, config: OfficeConfig) -> list[date]:
    """`count` office days from `first`, skipping weekdays no service opens."""
    open_days: set[int] = set()
    for service in config.office.services:
        open_days |= set(service.hours.days) if service.hours else set(range(1, 8))
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.isoweekday() in open_days:
            days.append(day)
        day += timedelta(days=1)
    return days


class DayDriver:
    """Runs simulated office days on one server; see the module's docstring."""

    def __init__(self, server: AntreanServer, clock: SimClock, behaviour: Behaviour,
                 seed: int, url: str | None = None) -> None:
        self.server = server
        self.url = url  # the socket mode: devices on real WebSocket connections
        self.clock = clock
        self.behaviour = behaviour
        self.seed = seed
        self.rng = random.Random(f"antrean-simulate-{seed}-people")  # walks to the desk
        self.tz = ZoneInfo(server.config.office.timezone)
        self.kiosk = Actor(self, "kiosk", "sim-kiosk")
        self.counters: dict[str, CounterActor] = {}
        self._heap: list[tuple[float, int, Callable[[], Awaitable[None]]]] = []
        self._order = 0
        self._unanswered = 0
        self._window_start: float | None = None
        self._settled: asyncio.Future[None] | None = None
        self._visitor_of: dict[str, Visitor] = {}
        self._notes = DayNotes(date.min)
        self.now = 0.0

    # ------------------------------------------------------------ plumbing
    def at(self, moment: float, action: Callable[[], Awaitable[None]]) -> None:
        self._order += 1
        heapq.heappush(self._heap, (moment, self._order, action))

    async def send(self, actor: Actor, type_: str, on_answer: Answer | None = None,
                   **fields: Any) -> None:
        request_id = actor.next_id()
        actor.waiting[request_id] = (on_answer, self.now)
        self._unanswered += 1
        if self._window_start is None:
            self._window_start = self.now
        frame = orjson.dumps({"type": type_, "id": request_id, **fields}).decode()
        if actor.socket is not None:
            await actor.socket.send(frame)
        else:
            await self.server.handle_frame(actor.session, frame)

    def answered(self, actor: Actor, message: dict[str, Any], on_answer: Answer | None,
                 sent_at: float) -> None:
        """An answer is in: what it decides is planned from the request's own
        instant (which the driver may have passed, but never by more than the
        horizon, so nothing planned lies in the past)."""
        self._unanswered -= 1
        if message["type"] == "error" and on_answer is None:
            self._notes.errors.append(f"{actor.device}: {message.get('message')}")
        if on_answer is not None:
            now, self.now = self.now, sent_at
            try:
                on_answer(message)
            finally:
                self.now = now
        if not self._unanswered and self._settled is not None and not self._settled.done():
            self._settled.set_result(None)

    async def settle(self) -> None:
        """Wait until every request sent has its answer (its commit is durable)."""
        if self._unanswered:
            self._settled = asyncio.get_running_loop().create_future()
            await self._settled
            self._settled = None
        self._window_start = None

    async def _run_events(self) -> None:
        # Over sockets the server reads the clock when a frame arrives, so
        # each instant waits for its answers before the clock moves on.
        horizon = self.behaviour.horizon() if self.url is None else 0.0
        while self._heap or self._unanswered:
            if not self._heap:  # the last answers may plan more
                await self.settle()
                continue
            moment = self._heap[0][0]
            if self._window_start is not None and moment >= self._window_start + horizon:
                await self.settle()
                continue
            _, _, action = heapq.heappop(self._heap)
            self.now = moment
            self.clock.now = datetime.fromtimestamp(moment, UTC)
            await action()
        await self.settle()

    # ------------------------------------------------------------ a day
    async def login_counters(self, ids: list[str]) -> None:
        for counter_id in ids:
            if counter_id in self.counters:
                continue
            actor = Actor(self, "counter", f"sim-counter-{counter_id}")
            if self.url is not None:
                await actor.connect(self.url)
            self.counters[counter_id] = CounterActor(counter_id, actor)
            await self.send(actor, "login", username=SIM_STAFF, pin=_SIM_PIN)
        await self.settle()

    async def run_day(self, day: date, profile: Profile, plan: CounterPlan,
                      arrivals: list[Arrival] | None = None) -> DayNotes:
        """One office day: visitors drawn from the profile (or arriving when
        a real day's visitors arrived), counters as the plan says."""
        midnight = datetime.combine(day, time(0), self.tz).timestamp()
        self._notes = DayNotes(day)
        # Each day's visitors from their own stream: the same seed brings the
        # same people whatever the counters or the policy (for --compare).
        day_rng = random.Random(f"antrean-simulate-{self.seed}-{day.isoformat()}")
        visitors = (visitors_arriving(arrivals, profile, day_rng) if arrivals is not None
                    else visitors_of_day(profile, day_rng))
        self._notes.visitors = len(visitors)
        self._visitor_of.clear()
        await self._book(day, visitors)
        for counter in self.counters.values():
            counter.serving = counter.target = None
            counter.busy, counter.idle_since, counter.draining = False, None, False
        for visitor in visitors:
            moment = visitor.arrival if visitor.slot is None else self.check_in_moment(visitor)
            self.at(midnight + moment, self._arrival(visitor))
        hours = plan.hours()
        for hour in hours:
            self.at(midnight + hour * 3600, self._apply_plan(plan, hour))
        if hours:
            self.at(midnight + (hours[-1] + 1) * 3600, self._drain)
        await self._run_events()
        return self._notes

    def booking_code(self, visitor: Visitor) -> str:
        return f"SIM-{self._notes.day:%Y%m%d}-{visitor.index:05d}"

    async def _book(self, day: date, visitors: list[Visitor]) -> None:
        """The day's appointments, written to the bookings table the server
        reads (the store of `booking.add`, as an import does), before the day."""
        made: list[Booking] = []
        for visitor in visitors:
            if visitor.slot is None:
                continue
            start = (datetime.combine(day, time(0)) + timedelta(seconds=visitor.slot)).time()
            end = (datetime.combine(day, time(0))
                   + timedelta(seconds=visitor.slot + 15 * 60)).time()
            if end <= start:  # a slot at midnight's edge: no booking
                continue
            made.append(Booking(self.booking_code(visitor), visitor.service, day, start, end))
            booked = self._notes.booked
            booked[visitor.service] = booked.get(visitor.service, 0) + 1
        if made:
            await add_bookings(self.server.store, made, by=SIM_STAFF)

    def check_in_moment(self, visitor: Visitor) -> float:
        """A booked visitor arrives when drawn, kept inside the check-in window."""
        assert visitor.slot is not None
        rules = self.server.config.office.bookings or DEFAULT_RULES
        return min(max(visitor.arrival, visitor.slot - rules.before_minutes * 60),
                   visitor.slot + rules.after_minutes * 60)

    def _arrival(self, visitor: Visitor) -> Callable[[], Awaitable[None]]:
        async def arrive() -> None:
            def issued(message: dict[str, Any]) -> None:
                if message["type"] != "ok":
                    refused = self._notes.refused
                    refused[visitor.service] = refused.get(visitor.service, 0) + 1
                    return
                self._visitor_of[message["result"]["ticket"]["id"]] = visitor
                self._wake_one(visitor.service, 1)

            if visitor.slot is not None:
                await self.send(self.kiosk, "booking.check_in", issued,
                                code=self.booking_code(visitor))
                return
            await self.send(self.kiosk, "ticket.issue", issued, service=visitor.service,
                            priority="priority" if visitor.priority else "regular")
        return arrive

    def _wake_one(self, service: str, step: int) -> None:
        """The console idle longest among those serving `service` (at `step`)
        calls next."""
        idle = [c for c in self.counters.values() if c.idle_since is not None and c.serving
                and serves(c.serving, service, step)]
        if not idle:
            return
        counter = min(idle, key=lambda c: (c.idle_since or 0.0, c.id))
        counter.idle_since = None
        counter.busy = True
        self.at(self.now + self.behaviour.react_seconds, self._call_next(counter))

    # ------------------------------------------------------------ counters
    def _apply_plan(self, plan: CounterPlan, hour: int) -> Callable[[], Awaitable[None]]:
        async def apply() -> None:
            wanted: list[Group] = [group for group, count in plan.at(hour)
                                   for _ in range(count)]
            ordered = sorted(self.counters.values(), key=lambda c: _counter_key(c.id))
            assigned: dict[str, Group | None] = {}
            for counter in ordered:  # keep counters on what they already serve
                if counter.target is not None and counter.target in wanted:
                    wanted.remove(counter.target)
                    assigned[counter.id] = counter.target
            for counter in ordered:
                if counter.id not in assigned:
                    assigned[counter.id] = wanted.pop(0) if wanted else None
            for counter in ordered:
                counter.target = assigned[counter.id]
                counter.draining = False
                if not counter.busy and counter.target != counter.serving:
                    await self._change(counter)
        return apply

    async def _drain(self) -> None:
        for counter in sorted(self.counters.values(), key=lambda c: _counter_key(c.id)):
            counter.draining = True
            counter.target = counter.serving
            if counter.idle_since is not None:
                counter.idle_since = None
                counter.busy = True
                await self._close(counter)

    async def _change(self, counter: CounterActor) -> None:
        """Open, re-open for other services, or close, as the plan now wants."""
        counter.idle_since = None
        if counter.target is None:
            if counter.serving is not None:
                counter.busy = True
                await self._close(counter)
            return
        counter.busy = True
        target = counter.target

        def opened(message: dict[str, Any]) -> None:
            counter.serving = target
            self.at(self.now + self.behaviour.react_seconds, self._call_next(counter))

        codes = list(dict.fromkeys(unit.split(":")[0] for unit in target))
        steps: dict[str, Any] = {}
        if any(":" in unit for unit in target):
            counts = {code: s.spec.step_count for code, s in self.server.office.services.items()}
            steps["steps"] = [key for unit in target for key in (
                [unit] if ":" in unit else
                [f"{unit}:{n}" for n in range(1, counts.get(unit, 1) + 1)])]
        await self.send(counter.actor, "counter.open", opened, counter=counter.id,
                        services=codes, **steps)

    async def _close(self, counter: CounterActor) -> None:
        def closed(message: dict[str, Any]) -> None:
            counter.serving = None
            counter.busy = False

        await self.send(counter.actor, "counter.close", closed, counter=counter.id)

    async def _after_visit(self, counter: CounterActor) -> None:
        if counter.target != counter.serving:
            await self._change(counter)
        else:
            await self._call_next(counter)()

    def _call_next(self, counter: CounterActor) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            if counter.target != counter.serving:  # the plan changed meanwhile
                await self._change(counter)
                return
            counter.busy = True

            def called(message: dict[str, Any]) -> None:
                ticket = message.get("result", {}).get("ticket") if message["type"] == "ok" \
                    else None
                if ticket is None:
                    counter.busy = False
                    if counter.draining:
                        counter.busy = True
                        self.at(self.now + self.behaviour.react_seconds,
                                self._closing(counter))
                    else:
                        counter.idle_since = self.now
                    return
                self._visit(counter, ticket)

            await self.send(counter.actor, "ticket.call_next", called, counter=counter.id)
        return call

    def _closing(self, counter: CounterActor) -> Callable[[], Awaitable[None]]:
        async def close() -> None:
            await self._close(counter)
        return close

    def _visit(self, counter: CounterActor, ticket: dict[str, Any]) -> None:
        visitor = self._visitor_of[ticket["id"]]
        step = int(ticket.get("step") or 1)
        waited = (self.now - _posix(ticket["issued_at"])) / 60
        walked_out = (step == 1 and visitor.patience_minutes is not None
                      and waited > visitor.patience_minutes)
        if walked_out:
            walked = self._notes.walked_out
            walked[visitor.service] = walked.get(visitor.service, 0) + 1
        ticket_id = ticket["id"]
        behaviour = self.behaviour
        if (visitor.no_show and step == 1) or walked_out:
            async def recall() -> None:
                await self.send(counter.actor, "ticket.recall", ticket=ticket_id)

            async def no_show() -> None:
                await self.send(counter.actor, "ticket.no_show", ticket=ticket_id)
                await self._after_visit(counter)

            self.at(self.now + behaviour.recall_seconds, recall)
            self.at(self.now + 2 * behaviour.recall_seconds, no_show)
            return
        walk = behaviour.walk_seconds * (0.5 + self.rng.random())
        began = self.now + walk

        async def start() -> None:
            await self.send(counter.actor, "ticket.start", ticket=ticket_id)

        def completed(message: dict[str, Any]) -> None:
            moved = message.get("result", {}).get("ticket") if message["type"] == "ok" else None
            if moved is None:
                self._notes.errors.append(f"{counter.actor.device}: {message.get('message')}")
            elif moved["status"] == "waiting":  # on to its next step's queue
                self._wake_one(moved["service"], int(moved["step"]))

        async def complete() -> None:
            await self.send(counter.actor, "ticket.complete", completed, ticket=ticket_id)
            await self._after_visit(counter)

        later = visitor.later
        if later:  # drawn per step
            minutes = visitor.minutes if step == 1 or step - 2 >= len(later) \
                else later[step - 2]
        else:  # one time for the visit (a profile without step times): shared evenly
            minutes = visitor.minutes / max(1, int(ticket.get("steps") or 1))
        self.at(began, start)
        self.at(began + minutes * 60, complete)


def serves(group: Group, service: str, step: int) -> bool:
    """Whether a counter opened for `group` ("A", or a step "D:2") serves
    `service` at `step`."""
    return service in group or f"{service}:{step}" in group


def _counter_key(counter_id: str) -> tuple[int, str]:
    return (int(counter_id), "") if counter_id.isdigit() else (1 << 30, counter_id)


def _posix(iso_text: str) -> float:
    return datetime.fromisoformat(iso_text).timestamp()


# ----------------------------------------------------------------- one run
class SimStore(Store):
    """The server's store with SQLite's work done on the event loop's own
    thread: the same SQL in the same transactions, without handing every
    commit to the store's thread and back (on a busy two-core machine that
    hand-over, not the commit, was most of a simulated day's wall time).
    Nothing else waits on this loop, so blocking it is harmless here."""

    async def _run(self, work: Callable[[Connection], _R], transaction: bool = False) -> _R:
        engine = self._sync_engine
        if engine is None:  # PostgreSQL: asyncpg as in the server
            return await super()._run(work, transaction)
        if transaction:
            with engine.begin() as conn:
                return work(conn)
        with engine.connect() as conn:
            return work(conn)

    async def close(self) -> None:
        if self._sync_engine is not None:
            self._sync_engine.dispose()
            if self._executor is not None:
                self._executor.shutdown(wait=True)
            return
        await super().close()


@dataclass
class DayRecord:
    """A simulated (or real) office day as the database has it."""

    day: date
    tickets: list[dict[str, Any]]
    events: list[tuple[str, str, dict[str, Any]]]  # (name, at, data) in seq order
    notes: DayNotes | None = None


async def simulate_days(config: OfficeConfig, profiles: list[Profile], plans: list[CounterPlan],
                        days: list[date], seed: int, behaviour: Behaviour | None = None,
                        db_url: str = "sqlite://",
                        arrivals: list[list[Arrival]] | None = None,
                        sockets: bool = False) -> list[DayRecord]:
    """Run `days` (each with its profile and plan, and its real arrivals when
    given) through one server on a simulated clock, and read the days back
    from its database. `sockets`: the devices talk to the server over real
    loopback WebSocket connections (slower; see the module's docstring)."""
    counters_needed = max((plan.peak() for plan in plans), default=0)
    config = sim_config(config, counters_needed)
    clock = SimClock(datetime.combine(days[0], time(0), ZoneInfo(config.office.timezone)))
    server = AntreanServer(Config(config, db_url, host="127.0.0.1", port=0, clock=clock,
                                  fanout=FanOut(helpers=0), store_factory=SimStore))
    url = None
    if sockets:
        await server.start()
        url = f"ws://127.0.0.1:{server.port}/ws"
    else:
        await server.start_in_process()
    driver = DayDriver(server, clock, behaviour or Behaviour(), seed, url)
    if url is not None:
        await driver.kiosk.connect(url)
    try:
        await driver.login_counters([c.id for c in config.office.counters][:counters_needed])
        replay: list[list[Arrival] | None] = list(arrivals) if arrivals else [None] * len(days)
        notes = [await driver.run_day(day, profile, plan, moments)
                 for day, profile, plan, moments in zip(days, profiles, plans, replay,
                                                         strict=True)]
        records: list[DayRecord] = []
        for day, note in zip(days, notes, strict=True):
            tickets = await server.store.tickets_of_day(day)
            events = [(row.name, row.at, orjson.loads(row.data))
                      for row in await server.store.events_of_day(day)]
            records.append(DayRecord(day, tickets, events, note))
    finally:
        for actor in [driver.kiosk, *(c.actor for c in driver.counters.values())]:
            await actor.close()
        await server.stop()
    return records
