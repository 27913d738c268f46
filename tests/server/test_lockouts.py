"""server/lockouts.py: a login lockout is kept in the database, so a restart
(or a crash) unlocks nobody, and a kept lock still ends when it should."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

import server.lockouts as lockouts
import server.security as security
from server.config import Limits
from server.lockouts import LoginLockouts
from server.store import Store, login_failures_table
from tests.server.databases import ON_BOTH_DATABASES
from tests.server.offices import CLERK_PIN, CLERK_USERNAME, config_with_clerk
from tests.server.processes import ServerProcess
from tests.server.servers import Servers
from tests.server.wire import RawClient, health, wait_until
from tests.support import FakeClock

Connect = Callable[..., RawClient]
LOCKOUT_SECONDS = 5 * 60


def _login(client: RawClient, username: str, pin: str) -> dict[str, Any]:
    return client.request("login", username=username, pin=pin)


def _lock(client: RawClient, username: str = "demo") -> None:
    for _ in range(4):
        assert "locked_seconds" not in _login(client, username, "0000")
    assert _login(client, username, "0000")["locked_seconds"] == LOCKOUT_SECONDS


def _rows(db_path: Path) -> list[tuple[str, int, float | None]]:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        rows = conn.execute(select(login_failures_table.c.username,
                                   login_failures_table.c.failures,
                                   login_failures_table.c.locked_until)).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def test_a_lock_survives_killing_the_server_process(tmp_path: Path) -> None:
    """The real command, SIGKILLed after the lock: the next process on the
    same database refuses the right PIN with the time left."""
    db = f"sqlite:///{tmp_path / 'office.db'}"
    first = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        counter = RawClient(first.url, "counter", "counter-1")
        _lock(counter)
        counter.close()
    finally:
        first.kill()
    second = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        counter = RawClient(second.url, "counter", "counter-1")
        refused = _login(counter, "demo", "1234")
        assert refused["code"] == "unauthorized", refused
        assert LOCKOUT_SECONDS - 60 < refused["locked_seconds"] <= LOCKOUT_SECONDS
        assert counter.request("counter.open", counter="1", services=["A"])["code"] == (
            "unauthorized")
        counter.close()
    finally:
        assert second.terminate() == 0
    [(username, _, locked_until)] = _rows(tmp_path / "office.db")
    assert username == "demo" and locked_until is not None


@ON_BOTH_DATABASES
def test_a_kept_lock_still_ends_after_the_lockout(servers: Servers, connect: Connect) -> None:
    clock = FakeClock()
    server = servers.start(config_with_clerk(), clock=clock)
    _lock(connect(server, "counter", "counter-1"))
    clock.now += timedelta(minutes=2)
    server = servers.restart(server)
    counter = connect(server, "counter", "counter-1")
    refused = _login(counter, "demo", "1234")
    assert refused["locked_seconds"] == LOCKOUT_SECONDS - 120  # whole seconds, rounded up
    # Others were never locked.
    assert counter.ok("login", username=CLERK_USERNAME, pin=CLERK_PIN)
    clock.now += timedelta(minutes=3)
    server = servers.restart(server)
    counter = connect(server, "counter", "counter-1")
    assert counter.login()["staff"]["username"] == "demo"
    # The ended lock left nothing behind: one wrong PIN now does not lock.
    assert "locked_seconds" not in _login(counter, "demo", "0000")


@ON_BOTH_DATABASES
def test_wrong_pins_before_a_restart_still_count(servers: Servers, connect: Connect) -> None:
    clock = FakeClock()
    server = servers.start(clock=clock)
    counter = connect(server, "counter", "counter-1")
    for _ in range(4):
        assert "locked_seconds" not in _login(counter, "demo", "0000")
    server = servers.restart(server)
    counter = connect(server, "counter", "counter-1")
    assert _login(counter, "demo", "0000")["locked_seconds"] == LOCKOUT_SECONDS


def test_a_right_pin_clears_the_kept_count(servers: Servers, connect: Connect,
                                           tmp_path: Path) -> None:
    server = servers.start(clock=FakeClock())
    counter = connect(server, "counter", "counter-1")
    for _ in range(3):
        _login(counter, "demo", "0000")
    assert _rows(tmp_path / "antrean.db") == [("demo", 3, None)]
    counter.login()
    assert _rows(tmp_path / "antrean.db") == []
    server = servers.restart(server)
    counter = connect(server, "counter", "counter-1")
    for _ in range(4):
        assert "locked_seconds" not in _login(counter, "demo", "0000")


def test_failures_older_than_a_lockout_are_forgotten_at_start(
    servers: Servers, connect: Connect, tmp_path: Path
) -> None:
    clock = FakeClock()
    server = servers.start(clock=clock)
    for _ in range(4):
        _login(connect(server, "counter", "counter-1"), "demo", "0000")
    clock.now += timedelta(minutes=6)
    server = servers.restart(server)
    assert _rows(tmp_path / "antrean.db") == []
    counter = connect(server, "counter", "counter-1")
    assert "locked_seconds" not in _login(counter, "demo", "0000")


def test_a_shorter_lockout_or_a_clock_gone_back_caps_a_kept_lock(
    servers: Servers, connect: Connect
) -> None:
    clock = FakeClock()
    server = servers.start(clock=clock)
    _lock(connect(server, "counter", "counter-1"))
    clock.now -= timedelta(hours=3)  # the machine's clock corrected backwards
    shorter = dataclasses.replace(server.config, limits=Limits(lockout_minutes=1))
    server.stop()
    server = servers.start(shorter, clock=clock)
    refused = _login(connect(server, "counter", "counter-1"), "demo", "1234")
    assert refused["locked_seconds"] == 60


def test_the_guard_restores_only_what_still_matters() -> None:
    guard = security.LoginGuard(Limits(login_attempts=3, lockout_minutes=5))
    guard.restore("ended", 0, 100.0, now=200.0)
    guard.restore("counting", 2, 0.0, now=200.0)
    guard.restore("locked", 0, 400.0, now=200.0)
    guard.restore("far", 0, 10_000.0, now=200.0)
    assert guard.state("ended") is None
    assert guard.locked_for("locked", 200.0) == 200.0
    assert guard.locked_for("far", 200.0) == 300.0
    assert guard.failed("counting", 201.0) == 300.0


def test_made_up_usernames_cannot_grow_the_table_without_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "MAX_TRACKED_USERNAMES", 20)
    monkeypatch.setattr(lockouts, "MAX_TRACKED_USERNAMES", 20)
    db_path = tmp_path / "office.db"

    async def scenario() -> None:
        store = Store(f"sqlite:///{db_path}")
        await store.open()
        guard = LoginLockouts(Limits(login_attempts=2, lockout_minutes=5), store)
        await guard.failed("siti", 0.0)
        assert await guard.failed("siti", 1.0) == 300
        for index in range(100):
            await guard.failed(f"made-up-{index}", 2.0)
        # A name too long to be staff is counted, but only in memory.
        long_name = "x" * 201
        await guard.failed(long_name, 3.0)
        assert guard.guard.state(long_name) == (1, 0.0)
        await store.close()

    asyncio.run(scenario())
    rows = _rows(db_path)
    assert len(rows) <= 21
    assert ("siti", 0, 301.0) in rows
    assert all(len(name) <= 200 for name, _, _ in rows)


@ON_BOTH_DATABASES
def test_a_lock_counted_by_another_server_on_the_database_holds(
    servers: Servers, connect: Connect
) -> None:
    """As after a fail-over: the server serving next started before the lock was
    counted, sees the counts made on the first, and refuses the locked user. On
    PostgreSQL the second server is the hot standby and takes over when the first
    stops; on SQLite both serve the one file."""
    clock = FakeClock()
    first = servers.start(clock=clock)
    second = servers.start(clock=clock)  # started before any wrong PIN
    at_first = connect(first, "counter", "counter-1")
    for _ in range(2):
        assert "locked_seconds" not in _login(at_first, "demo", "0000")
    if health(second.port)["role"] == "standby":
        first.stop()
        wait_until(lambda: health(second.port)["role"] == "leader", 10,
                   "the standby takes over")
    counter = connect(second, "counter", "counter-2")
    for _ in range(2):
        assert "locked_seconds" not in _login(counter, "demo", "0000")
    assert _login(counter, "demo", "0000")["locked_seconds"] == LOCKOUT_SECONDS  # 2 + 3
    refused = _login(counter, "demo", "1234")
    assert refused["code"] == "unauthorized" and refused["locked_seconds"] == LOCKOUT_SECONDS
