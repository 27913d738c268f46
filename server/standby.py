"""Hot standby on PostgreSQL: two servers for one office, one of them leads.

Leadership is a PostgreSQL *session advisory lock* held on a connection of
its own (keys from the office's schema name). Chosen over a lease row
because PostgreSQL itself ends it: when the leader's process dies, its
backend ends and the lock is free at that instant, with no clock, no lease
renewal writes and no lease to wait out. A machine that vanishes without
closing its socket is noticed by the backend's TCP keepalives and user
timeout (about 3 s on the lock connection), which then ends the session and
frees the lock.

The standby keeps a warm state: it restores the day like a restarting server
and then applies every committed event, read by seq from the `events` table,
through the same code (`AntreanServer.follow`). The leader's commits send a
NOTIFY; it only wakes the standby early. A lost notification loses nothing:
the standby also reads every second, and always by seq.

Fencing. Holding the lock is not enough: a leader cut off from its lock
connection may still have a pooled connection that commits. So every commit
transaction begins with one statement that (a) checks that this server's
lock backend still holds the lock (`pg_locks`), (b) checks the `leadership`
row's `term` is still the one this server took, and (c) takes that row
FOR SHARE. A new leader takes the lock, then raises `term` by one (its UPDATE
waits for any commit of the old leader that holds the row FOR SHARE), and only
then reads the log to its end: whatever the old leader committed it sees;
whatever the old leader tries to commit afterwards fails the check and rolls
back, unanswered, and the old leader's clients are closed with
`CLOSE_STANDBY` so they retry on the new leader with the same request ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

if TYPE_CHECKING:
    import asyncpg

    from server.app import AntreanServer
    from server.store import Store

log = logging.getLogger("antrean.standby")

HEARTBEAT_SECONDS = 0.5  # the leader checks its lock connection this often
HEARTBEAT_TIMEOUT = 2.0  # and gives leadership up when it does not answer within this
FOLLOW_POLL_SECONDS = 1.0  # the standby reads the log at least this often
RETRY_SECONDS = 1.0  # after the database could not be reached
LAST_SEQ = 2**62

# One statement, first in every commit of the leader (see the module's text).
_FENCE = text(
    "SELECT pg_notify(:channel, '') FROM leadership WHERE id = 1 AND term = :term"
    " AND EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = :pid AND classid = :k1 AND objid = :k2 AND objsubid = 2)"
    " FOR SHARE OF leadership")


class Fenced(Exception):
    """This server does not (or no longer) lead: the commit was refused."""


def lock_keys(schema: str | None) -> tuple[int, int]:
    """The advisory lock's two keys, from the schema's name (advisory locks
    are per database; each office has its schema): 62 bits, so a province's
    offices in one database never share a lock by chance."""
    digest = hashlib.sha256(f"antrean:{schema or 'public'}".encode()).digest()
    return (int.from_bytes(digest[:4], "big") & 0x7FFFFFFF,
            int.from_bytes(digest[4:8], "big") & 0x7FFFFFFF)


def channel_for(schema: str | None) -> str:
    return "antrean_" + hashlib.sha256((schema or "public").encode()).hexdigest()[:16]


def refuse_commit(conn: Connection) -> None:
    raise Fenced("this server is a standby: it does not commit")


class Leadership:
    """Leading or following, for one AntreanServer on PostgreSQL."""

    def __init__(self, server: AntreanServer) -> None:
        self.server = server
        self.store: Store = server.store
        self.keys = lock_keys(self.store.schema)
        self.channel = channel_for(self.store.schema)
        self.node = f"{socket.gethostname()}:{os.getpid()}"
        self.term = 0
        self.lost = asyncio.Event()  # set by a refused commit or a dead lock connection
        self._lock: asyncpg.Connection | None = None
        self._listen: asyncpg.Connection | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # ------------------------------------------------------------ connections
    async def _connect(self, purpose: str) -> asyncpg.Connection:
        import asyncpg

        url = make_url(self.store.url)
        settings = {
            "application_name": f"antrean {os.getpid()} {purpose}",
            # The backend notices a vanished leader machine within about 3 s
            # (keepalives while idle, tcp_user_timeout while the heartbeat's
            # answer goes unacknowledged) and ends the session, freeing the
            # lock; by then the leader, its heartbeat unanswered for 2 s, has
            # already stopped serving.
            "tcp_keepalives_idle": "1", "tcp_keepalives_interval": "1",
            "tcp_keepalives_count": "2", "tcp_user_timeout": "3000",
        }
        if self.store.schema:
            settings["search_path"] = self.store.schema
        return await asyncpg.connect(
            user=url.username, password=url.password, host=url.host, port=url.port,
            database=url.database, server_settings=settings, timeout=5)

    async def _lock_connection(self) -> asyncpg.Connection:
        if self._lock is None or self._lock.is_closed():
            self._lock = await self._connect("lock")
        return self._lock

    async def close(self) -> None:
        """Stop following or leading and release the lock (at shutdown, after
        the last commit)."""
        await self.stop_watching()
        for connection in (self._listen, self._lock):
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(2):
                        await connection.close()
        self._listen = self._lock = None

    async def stop_watching(self) -> None:
        self._stopping = True  # (3.11's wait_for can swallow a cancel: the loops check this)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # ------------------------------------------------------------ leading
    async def try_lead(self) -> bool:
        """At start-up: lead at once if no other server does."""
        lock = await self._lock_connection()
        if await lock.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self.keys):
            await self._new_term()
            return True
        self.store.fence = refuse_commit
        return False

    async def _new_term(self) -> None:
        """Raise the term (waiting for the old leader's commit in flight, if
        any) and fence every later commit of ours to it."""
        lock = await self._lock_connection()
        since = datetime.now(UTC).isoformat()
        async with lock.transaction():
            await lock.execute("INSERT INTO leadership (id, term) VALUES (1, 0) "
                               "ON CONFLICT (id) DO NOTHING")
            term = await lock.fetchval("UPDATE leadership SET term = term + 1, node = $1, "
                                       "since = $2 WHERE id = 1 RETURNING term",
                                       self.node, since)
        self.term = int(term)
        self.lost.clear()
        params = {"channel": self.channel, "term": self.term, "pid": lock.get_server_pid(),
                  "k1": self.keys[0], "k2": self.keys[1]}

        def fence(conn: Connection) -> None:
            if conn.execute(_FENCE, params).first() is None:
                raise Fenced(f"term {params['term']} is over or its lock is gone")

        self.store.fence = fence
        log.info("leading office schema %r as term %s", self.store.schema, self.term)

    async def still_leading(self) -> bool:
        """Whether the lock connection still answers (after a failed commit)."""
        if self.lost.is_set() or self._lock is None or self._lock.is_closed():
            return False
        try:
            async with asyncio.timeout(HEARTBEAT_TIMEOUT):
                await self._lock.fetchval("SELECT 1")
        except Exception:
            return False
        return True

    # ------------------------------------------------------------ the loop
    def start(self, leading: bool) -> None:
        self._task = asyncio.create_task(self._run(leading), name="antrean-leadership")

    async def _run(self, leading: bool) -> None:
        while not self._stopping:
            try:
                if not leading:
                    await self._stand_by()
                    leading = True
                await self._hold()
                failed = False
            except (OSError, TimeoutError, ConnectionError, Fenced) as exc:
                log.warning("database unreachable for leadership: %s", exc)
                failed = True
            except Exception as exc:  # asyncpg's errors, without importing it at start-up
                if type(exc).__module__.split(".")[0] != "asyncpg":
                    raise
                log.warning("leadership connection failed: %s", exc)
                failed = True
            if self._stopping:
                return
            if self.server.role == "leader":
                log.warning("lost leadership (term %s): stopping, clients move on", self.term)
            self.store.fence = refuse_commit
            leading = False
            if self._lock is not None:
                self._lock.terminate()
                self._lock = None
            try:
                await self.server.step_down()
            except Exception as exc:
                log.warning("could not reload as a standby yet: %s", exc)
                failed = True
            if failed:
                await asyncio.sleep(RETRY_SECONDS)

    async def _hold(self) -> None:
        """While leading: returns when the lock connection dies or stops
        answering, or a commit was refused."""
        lock = await self._lock_connection()
        lock.add_termination_listener(lambda _: self.lost.set())
        while not self.lost.is_set() and not self._stopping:
            async with asyncio.timeout(HEARTBEAT_TIMEOUT):
                await lock.fetchval("SELECT 1")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await self.lost.wait()

    async def _stand_by(self) -> None:
        """Follow the log until the lock is ours; then finish the log and lead."""
        self.store.fence = refuse_commit
        lock = await self._lock_connection()
        if self._listen is None or self._listen.is_closed():
            self._listen = await self._connect("listen")
            await self._listen.add_listener(self.channel, self._notified)
        acquire = asyncio.ensure_future(
            lock.fetchval("SELECT pg_advisory_lock($1, $2)", *self.keys))
        try:
            while not acquire.done() and not self._stopping:
                self._wake.clear()  # before reading: a NOTIFY meanwhile wakes the next round
                await self.catch_up()
                woken = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait((acquire, woken), timeout=FOLLOW_POLL_SECONDS,
                                   return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
            if not acquire.done():
                raise asyncio.CancelledError  # stopping
            acquire.result()
        finally:
            if not acquire.done():
                acquire.cancel()
        started = time.monotonic()
        await self._new_term()
        await self.catch_up()
        await self.server.begin_leading()
        log.warning("took over as leader (term %s) at seq %s in %.0f ms", self.term,
                    self.server.office.seq, (time.monotonic() - started) * 1000)
        listen, self._listen = self._listen, None
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await listen.close()

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def catch_up(self) -> None:
        """Apply what the leader committed since our seq."""
        rows = await self.store.events_between(self.server.office.seq + 1, LAST_SEQ)
        if rows:
            self.server.follow(rows)
