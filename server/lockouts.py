"""Login lockouts kept in the database, so that restarting the server (or a
standby taking over) unlocks nobody: the pure `LoginGuard` decides, and each
change it makes is written before the login is answered."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Connection

from server.config import Limits
from server.security import MAX_TRACKED_USERNAMES, LoginGuard
from server.store import Store, login_failures_table

# Usernames longer than the column are never staff (events keep at most 200):
# their failures are counted in memory only.
MAX_KEPT_USERNAME = 200

_table = login_failures_table


class LoginLockouts:
    """The login guard, written through to the `login_failures` table.
    Times are UNIX seconds from the server's clock."""

    def __init__(self, limits: Limits, store: Store) -> None:
        self.guard = LoginGuard(limits)
        self.store = store
        # One change at a time: memory and table agree whenever another login looks.
        self._lock = asyncio.Lock()

    async def load(self, now: float) -> None:
        """Take back the kept failures and locks; drop the rows whose lock has
        ended (their count ended with it) or that are older than a lockout."""
        stale = now - self.guard.lockout_seconds

        def work(conn: Connection) -> list[tuple[str, int, float | None]]:
            conn.execute(delete(_table).where(or_(
                _table.c.locked_until <= now,
                (_table.c.locked_until.is_(None)) & (_table.c.updated_at < stale),
            )))
            rows = conn.execute(select(_table.c.username, _table.c.failures,
                                       _table.c.locked_until)).all()
            return [(row[0], int(row[1]), row[2]) for row in rows]

        for username, count, locked_until in await self.store.run(work, transaction=True):
            self.guard.restore(username, count, float(locked_until or 0.0), now)

    async def locked_for(self, username: str, now: float) -> float:
        """Seconds the user stays locked, as the table has it now: another
        server on the same database (a standby that took over) may have
        counted wrong PINs since this one started."""
        async with self._lock:
            if len(username) <= MAX_KEPT_USERNAME:
                query = select(_table.c.failures, _table.c.locked_until).where(
                    _table.c.username == username)
                row = await self.store.run(lambda conn: conn.execute(query).first())
                if row is None:
                    self.guard.succeeded(username)
                else:
                    self.guard.restore(username, int(row[0]), float(row[1] or 0.0), now)
            return self.guard.locked_for(username, now)

    async def failed(self, username: str, now: float) -> float:
        """Count a wrong PIN and keep the result; the lock it caused (0 if none)."""
        async with self._lock:
            return await self._failed(username, now)

    async def _failed(self, username: str, now: float) -> float:
        pruning = self.guard.state(username) is None and (
            self.guard.tracked >= MAX_TRACKED_USERNAMES)
        lock = self.guard.failed(username, now)
        state = self.guard.state(username)
        keep = len(username) <= MAX_KEPT_USERNAME and state is not None

        def work(conn: Connection) -> None:
            if pruning:  # the guard forgot the unlocked names: so does the table
                conn.execute(delete(_table).where(or_(
                    _table.c.locked_until.is_(None), _table.c.locked_until <= now)))
            if keep:
                assert state is not None
                count, until = state
                conn.execute(delete(_table).where(_table.c.username == username))
                conn.execute(_table.insert().values(
                    username=username, failures=count, locked_until=until or None,
                    updated_at=now))

        if pruning or keep:
            await self.store.run(work, transaction=True)
        return lock

    async def succeeded(self, username: str) -> None:
        """A right PIN clears the count (in memory and in the table)."""
        async with self._lock:
            if self.guard.state(username) is None:
                return
            self.guard.succeeded(username)
            if len(username) <= MAX_KEPT_USERNAME:
                await self.store.run(lambda conn: conn.execute(
                    delete(_table).where(_table.c.username == username)), transaction=True)

