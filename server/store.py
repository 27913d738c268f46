"""Durable storage: the append-only event log plus ticket, counter and
request rows, written together in one transaction per group commit.

SQLite (WAL, synchronous=FULL) is the embedded default; PostgreSQL works the
same through asyncpg. The event log is the truth: a restart replays the
latest office day's events through the same `Office.apply` the clients use.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from antrean.core.model import Counter, Ticket, iso
from server import audit

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("antrean.store")

metadata = MetaData()

events_table = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("day", String(10), nullable=False, index=True),
    Column("at", String(40), nullable=False),
    Column("name", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Column("device", Text),  # device names and request ids are the clients' own: no limit
    Column("staff", String(200)),
    # SHA-256 chain (server/audit.py); nullable: rows from before it get theirs on start.
    Column("hash", String(64)),
)

tickets_table = Table(
    "tickets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("day", String(10), nullable=False, index=True),
    Column("number", String(20), nullable=False),
    Column("service", String(40), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("called_at", String(40)),
    Column("started_at", String(40)),
    Column("finished_at", String(40)),
    Column("counter", String(40)),
    Column("calls", Integer, nullable=False, default=0),
    Column("lang", String(5)),
    Column("origin_service", String(40)),
    Column("closed_reason", String(200)),
    # multi-step visits and bookings (issue 12); nullable: older rows have none
    Column("step", Integer),
    Column("steps", Integer),
    Column("booking", String(40)),
    Column("slot_at", String(40)),
)

counters_table = Table(
    "counters",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("services", Text, nullable=False),
    Column("ticket", String(40)),
    Column("device", Text),
    Column("staff", String(200)),
    Column("since", String(40)),
)

checkpoints_table = Table(
    "checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("day", String(10), nullable=False, index=True),
    Column("data", Text, nullable=False),
)

requests_table = Table(
    "requests",
    metadata,
    Column("day", String(10), nullable=False),
    Column("device", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("answer", Text, nullable=False),
    PrimaryKeyConstraint("day", "device", "request_id"),
)

# Login lockouts (server/lockouts.py): a wrong PIN's count and the lock, so a
# restart does not unlock anyone. Times are UNIX seconds; usernames are at most
# 200 characters, as in the events' `staff` column.
login_failures_table = Table(
    "login_failures",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", Float),
    Column("updated_at", Float, nullable=False),
)

# Who leads an office on PostgreSQL (issue 13): one row, id 1. `term` goes up by
# one at every take-over; each commit checks it (server/standby.py, fencing).
leadership_table = Table(
    "leadership",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("term", BigInteger, nullable=False),
    Column("node", Text),
    Column("since", String(40)),
)

# Server-wide settings that must survive restarts (the visitor pages' key secret).
settings_table = Table(
    "settings",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

_TICKET_COLUMNS = [c.name for c in tickets_table.columns if c.name != "id"]
_COUNTER_COLUMNS = [c.name for c in counters_table.columns if c.name != "id"]


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    day: str
    at: str
    name: str
    data: str
    device: str | None
    staff: str | None
    hash: str | None = None


@dataclass(frozen=True, slots=True)
class _Insert:
    """An insert compiled once for the database, run with plain tuples: SQLAlchemy's
    per-row parameter handling was ~8 % of the server's CPU per ticket."""

    sql: str
    columns: tuple[str, ...]

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> _Insert:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None, (
            "SQLite and asyncpg both take positional parameters")
        return cls(compiled.string, tuple(compiled.positiontup))

    @classmethod
    def upsert(cls, table: Table, columns: list[str], dialect: Dialect) -> _Insert:
        """INSERT .. ON CONFLICT (id) DO UPDATE, from the database's own dialect module
        (imported only when used: PostgreSQL's costs a SQLite restart 0.1 s)."""
        insert = importlib.import_module(f"sqlalchemy.dialects.{dialect.name}").insert(table)
        return cls.of(insert.on_conflict_do_update(
            index_elements=["id"], set_={name: insert.excluded[name] for name in columns},
        ), dialect)

    def run(self, conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
        columns = self.columns
        conn.exec_driver_sql(self.sql, [tuple(row[name] for name in columns) for row in rows])


@dataclass(slots=True)
class Batch:
    """Everything one group commit writes."""

    events: list[dict[str, Any]]
    tickets: dict[str, dict[str, Any]]
    counters: dict[str, dict[str, Any]]
    requests: list[dict[str, Any]]
    checkpoint: tuple[int, str, str] | None = None  # (seq, day, state as JSON)

    @classmethod
    def empty(cls) -> Batch:
        return cls([], {}, {}, [])


SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def normalise_url(url: str) -> tuple[str, str]:
    """(URL to use, dialect). SQLite runs on the standard driver in the store's
    own thread; PostgreSQL on asyncpg. `sqlite:///path` and `postgresql://` are
    accepted as written."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite", "sqlite+aiosqlite"):
        parsed = parsed.set(drivername="sqlite+pysqlite")
        dialect = "sqlite"
    elif driver in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg",
                    "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
        dialect = "postgresql"
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:///PATH or "
                         "postgresql+asyncpg://USER@HOST/DB")
    return parsed.render_as_string(hide_password=False), dialect


def split_schema(url: str) -> tuple[str, str | None]:
    """A PostgreSQL URL's `?schema=NAME` (ours, not the driver's) taken out:
    several offices, or test runs, can then share one database, each in its
    own schema."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if schema is None:
        return url, None
    if not isinstance(schema, str) or not SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"bad schema {schema!r} in the database URL: lower-case letters, "
                         "digits and _, at most 63, not starting with a digit")
    if not parsed.drivername.startswith("postgres"):
        raise ValueError("?schema= is for PostgreSQL; a SQLite file is its own database")
    rest = parsed.difference_update_query(["schema"])
    return rest.render_as_string(hide_password=False), schema


_R = TypeVar("_R")


class Store:
    """All database work. Every method runs one piece of synchronous SQLAlchemy
    Core code: for SQLite on a single dedicated thread (one hop per commit, and
    SQLite wants one writer anyway), for PostgreSQL inside asyncpg via run_sync."""

    def __init__(self, url: str) -> None:
        url, self.schema = split_schema(url)
        self.url, self.dialect = normalise_url(url)
        self._executor: ThreadPoolExecutor | None = None
        self._sync_engine: Engine | None = None
        self._async_engine: AsyncEngine | None = None
        # Run first in every commit's transaction (the hot standby's fencing):
        # raising there rolls the commit back.
        self.fence: Callable[[Connection], None] | None = None
        # The audit chain's head (seq, hash): read on open, then kept here.
        self._head: tuple[int, str] | None = None
        if self.dialect == "sqlite":
            database = make_url(self.url).database
            if database and database != ":memory:":
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self._sync_engine = create_engine(self.url, poolclass=StaticPool if not database
                                              or database == ":memory:" else None)
            event.listen(self._sync_engine, "connect", _sqlite_pragmas)
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="antrean-store")
        else:
            # Imported here: the asyncio extension costs start-up time SQLite never needs.
            from sqlalchemy.ext.asyncio import create_async_engine

            # Every connection looks in the office's schema first, and names
            # its process (a fail-over test cuts one server's connections).
            settings = {"search_path": self.schema} if self.schema else {}
            settings["application_name"] = f"antrean {os.getpid()}"
            # A server machine that vanishes in the middle of a commit must not
            # hold its row locks for the OS's two hours of TCP keepalive: a
            # standby's take-over waits for them (server/standby.py).
            settings.update({"tcp_keepalives_idle": "1", "tcp_keepalives_interval": "1",
                             "tcp_keepalives_count": "2", "tcp_user_timeout": "3000",
                             "idle_in_transaction_session_timeout": "5000"})
            self._async_engine = create_async_engine(
                self.url, pool_size=4, connect_args={"server_settings": settings})
        engine = self._sync_engine if self._sync_engine is not None else self._async_engine
        assert engine is not None
        dialect = engine.dialect
        self._insert_events = _Insert.of(events_table.insert(), dialect)
        self._upsert_ticket = _Insert.upsert(tickets_table, _TICKET_COLUMNS, dialect)
        self._upsert_counter = _Insert.upsert(counters_table, _COUNTER_COLUMNS, dialect)
        self._insert_requests = _Insert.of(requests_table.insert(), dialect)

    async def _run(self, work: Callable[[Connection], _R], transaction: bool = False) -> _R:
        if self._sync_engine is not None:
            engine = self._sync_engine

            def in_thread() -> _R:
                if transaction:
                    with engine.begin() as conn:
                        return work(conn)
                with engine.connect() as conn:
                    return work(conn)

            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, in_thread)
        assert self._async_engine is not None
        if transaction:
            async with self._async_engine.begin() as aconn:
                return await aconn.run_sync(work)
        async with self._async_engine.connect() as aconn:
            return await aconn.run_sync(work)

    async def run(self, work: Callable[[Connection], _R], transaction: bool = False) -> _R:
        """Run `work` on a connection as the store runs its own: for the modules
        that keep tables of their own (e.g. server/lockouts.py), and for
        read-only work (reports, audit), which needs no open(), so reading never
        creates or changes anything."""
        return await self._run(work, transaction)

    async def open(self) -> None:
        """Create a brand-new database at the newest schema, or check that the
        database has it (server/migrations: SchemaOutdated says what to run);
        then find the audit chain's head, chaining rows that have no hash yet."""
        from server.migrations import ensure_schema

        def create(conn: Connection) -> tuple[int, str]:
            if self.schema:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            ensure_schema(conn, metadata)
            return audit.prepare(conn)

        self._head = await self._run(create, transaction=True)

    @property
    def audit_head(self) -> str | None:
        """The hash of the last event this store wrote or found on opening."""
        return self._head[1] if self._head is not None else None

    async def close(self) -> None:
        if self._sync_engine is not None:
            assert self._executor is not None
            await asyncio.get_running_loop().run_in_executor(
                self._executor, self._sync_engine.dispose)
            self._executor.shutdown(wait=True)
        if self._async_engine is not None:
            await self._async_engine.dispose()

    async def write(self, batch: Batch) -> None:
        """One transaction: events, ticket and counter rows, request answers."""

        def work(conn: Connection) -> None:
            if self.fence is not None:
                self.fence(conn)
            if batch.events:
                first = batch.events[0]["seq"]
                head = self._head
                if head is None or head[0] != first - 1:
                    # After a failed write, or another process wrote meanwhile (a
                    # standby taking over): the head as the database has it.
                    head = (first - 1, audit.hash_before(conn, first))
                # Hashed here, on the store's thread, in the events' own transaction.
                # Set before the commit: a second write queued behind this one (a
                # shutdown's flush) chains on from it.
                self._head = (batch.events[-1]["seq"], audit.chain_rows(head[1], batch.events))
                self._insert_events.run(conn, batch.events)
            if batch.tickets:
                self._upsert_ticket.run(conn, batch.tickets.values())
            if batch.counters:
                self._upsert_counter.run(conn, batch.counters.values())
            if batch.requests:
                self._insert_requests.run(conn, batch.requests)
            if batch.checkpoint is not None:
                seq, day, data = batch.checkpoint
                # A checkpoint is a cache of the event log, not part of it: keep one.
                conn.execute(checkpoints_table.delete())
                conn.execute(checkpoints_table.insert(), {"seq": seq, "day": day, "data": data})

        try:
            await self._run(work, transaction=True)
        except Exception:
            self._head = None  # read anew, from what did commit, by the next write
            raise

    async def latest_checkpoint(self, day: date) -> tuple[int, dict[str, Any]] | None:
        query = (
            select(checkpoints_table.c.seq, checkpoints_table.c.data)
            .where(checkpoints_table.c.day == day.isoformat())
            .order_by(checkpoints_table.c.seq.desc())
            .limit(1)
        )
        row = await self._run(lambda conn: conn.execute(query).first())
        return (int(row[0]), orjson.loads(row[1])) if row is not None else None

    async def events_after(self, seq: int, day: date) -> list[EventRow]:
        # By seq alone, then the day here: with the day in the query, SQLite walks
        # the whole day's index instead of the few rows after the checkpoint.
        query = select(events_table).where(events_table.c.seq > seq).order_by(events_table.c.seq)
        rows = await self._run(lambda conn: conn.execute(query).all())
        wanted = day.isoformat()
        return [EventRow(*row) for row in rows if row.day == wanted]

    async def last_seq(self) -> int:
        value = await self._run(
            lambda conn: conn.execute(select(func.max(events_table.c.seq))).scalar())
        return int(value or 0)

    async def latest_day(self) -> date | None:
        query = select(events_table.c.day).order_by(events_table.c.seq.desc()).limit(1)
        value = await self._run(lambda conn: conn.execute(query).scalar())
        return date.fromisoformat(value) if value else None

    async def events_of_day(self, day: date) -> list[EventRow]:
        query = (
            select(events_table)
            .where(events_table.c.day == day.isoformat())
            .order_by(events_table.c.seq)
        )
        rows = await self._run(lambda conn: conn.execute(query).all())
        return [EventRow(*row) for row in rows]

    async def events_between(self, first: int, last: int) -> list[EventRow]:
        query = (
            select(events_table)
            .where(events_table.c.seq >= first, events_table.c.seq <= last)
            .order_by(events_table.c.seq)
        )
        rows = await self._run(lambda conn: conn.execute(query).all())
        return [EventRow(*row) for row in rows]

    async def answers_of_day(self, day: date) -> dict[tuple[str, str], str]:
        query = select(
            requests_table.c.device, requests_table.c.request_id, requests_table.c.answer
        ).where(requests_table.c.day == day.isoformat())
        rows = await self._run(lambda conn: conn.execute(query).all())
        return {(row[0], row[1]): row[2] for row in rows}

    async def tickets_of_day(self, day: date) -> list[dict[str, Any]]:
        query = select(tickets_table).where(tickets_table.c.day == day.isoformat())
        rows = await self._run(lambda conn: conn.execute(query).mappings().all())
        return [dict(row) for row in rows]

    async def setting(self, name: str, make: Callable[[], str]) -> str:
        """The stored value of `name`; the first time, `make()` is stored and kept."""

        def work(conn: Connection) -> str:
            query = select(settings_table.c.value).where(settings_table.c.name == name)
            value = conn.execute(query).scalar()
            if value is None:
                value = make()
                conn.execute(settings_table.insert(), {"name": name, "value": value})
            return str(value)

        return await self._run(work, transaction=True)

    async def events_named(self, names: Iterable[str], since_day: date) -> list[EventRow]:
        """The events with these names from `since_day` on, in seq order."""
        query = (
            select(events_table)
            .where(events_table.c.name.in_(list(names)),
                   events_table.c.day >= since_day.isoformat())
            .order_by(events_table.c.seq)
        )
        rows = await self._run(lambda conn: conn.execute(query).all())
        return [EventRow(*row) for row in rows]

    async def tickets_since(self, day: date) -> list[dict[str, Any]]:
        query = select(tickets_table).where(tickets_table.c.day >= day.isoformat())
        rows = await self._run(lambda conn: conn.execute(query).mappings().all())
        return [dict(row) for row in rows]

    async def drop_all(self) -> None:
        """Tests only: start from an empty database (schema version included)."""
        def drop(conn: Connection) -> None:
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

        await self._run(drop, transaction=True)


def ticket_row(ticket: Ticket, day: str) -> dict[str, Any]:
    """The `tickets` row of a domain ticket (the same values its wire form has)."""
    return {
        "day": day,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority.value,
        "status": ticket.status.value,
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "counter": ticket.counter,
        "calls": ticket.calls,
        "lang": ticket.lang,
        "origin_service": ticket.origin_service,
        "closed_reason": ticket.closed_reason,
        "step": ticket.step,
        "steps": ticket.steps,
        "booking": ticket.booking,
        "slot_at": iso(ticket.slot_at),
        "id": ticket.id,
    }


def counter_row(counter: Counter) -> dict[str, Any]:
    """The `counters` row of a domain counter: its ticket by id, its staff by username."""
    return {
        "id": counter.id,
        "state": counter.state.value,
        "services": json.dumps(list(counter.services)),
        "ticket": counter.ticket,
        "device": counter.device,
        "staff": counter.staff.username if counter.staff is not None else None,
        "since": iso(counter.since),
    }


def merge_rows(target: dict[str, dict[str, Any]], rows: Iterable[dict[str, Any]]) -> None:
    """Keep the last version of each row: one upsert per key per transaction."""
    for row in rows:
        target[row["id"]] = row


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

