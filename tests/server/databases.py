"""The two databases the server runs on: a fresh SQLite file, or the test
PostgreSQL at 127.0.0.1:5432 (database `test`, trust auth) emptied first.

Each test run keeps its tables in a schema of its own in `test`
(`?schema=antrean_test_<pid>_<random>`), dropped when the run ends, so two
runs on one machine (a developer's and CI's) never empty each other's tables.

A test runs on both with `@ON_BOTH_DATABASES`. PostgreSQL that cannot be
reached skips those tests with the reason, except in CI (CI=true), where it
is promised to be up, so an unreachable server fails them instead.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from server.store import Store

POSTGRES_HOST = "127.0.0.1"
POSTGRES_PORT = 5432
POSTGRES_DATABASE = "test"
POSTGRES_USERS = ("postgres", "root")
RUN_SCHEMA = f"antrean_test_{os.getpid()}_{secrets.token_hex(3)}"

ON_BOTH_DATABASES = pytest.mark.parametrize(
    "db_url",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)


def postgres_url_for(user: str) -> str:
    return (f"postgresql+asyncpg://{user}@{POSTGRES_HOST}:{POSTGRES_PORT}/"
            f"{POSTGRES_DATABASE}?schema={RUN_SCHEMA}")


async def _can_connect(user: str) -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(
            user=user, host=POSTGRES_HOST, port=POSTGRES_PORT, database=POSTGRES_DATABASE,
            timeout=3,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


@functools.cache
def postgres_url() -> str | None:
    """The URL of the first user the test PostgreSQL lets in, or None."""
    for user in POSTGRES_USERS:
        if asyncio.run(_can_connect(user)):
            atexit.register(asyncio.run, drop_schemas(user, RUN_SCHEMA))
            return postgres_url_for(user)
    return None


async def drop_schemas(user: str, *schemas: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        user=user, host=POSTGRES_HOST, port=POSTGRES_PORT, database=POSTGRES_DATABASE, timeout=3)
    try:
        for schema in schemas:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def fresh_postgres_url() -> str:
    """The PostgreSQL URL with every Antrean table dropped, or skip/fail."""
    url = postgres_url()
    if url is None:
        reason = (f"PostgreSQL at {POSTGRES_HOST}:{POSTGRES_PORT}/{POSTGRES_DATABASE} is not "
                  f"reachable as any of {', '.join(POSTGRES_USERS)} (trust auth)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI promises it is up")
        pytest.skip(reason)
    asyncio.run(_drop_all(url))
    return url


async def _drop_all(url: str) -> None:
    await _end_leftover_sessions(url)
    store = Store(url)
    try:
        await store.drop_all()
    finally:
        await store.close()


async def _end_leftover_sessions(url: str) -> None:
    """End the sessions that still hold locks on this run's tables: a server an
    earlier test froze on purpose (a leader stuck in the middle of a commit)
    can leave a query that never finishes, and DROP TABLE would wait for it
    for ever. The schema is this run's own, so no other run's session is hit;
    advisory locks (the hot standby's) are not table locks and are left alone."""
    import asyncpg

    parsed = make_url(url)
    schema = parsed.query.get("schema", "public")
    connection = await asyncpg.connect(
        user=parsed.username, host=POSTGRES_HOST, port=POSTGRES_PORT,
        database=POSTGRES_DATABASE, timeout=3)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()", schema)
    finally:
        await connection.close()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'antrean.db'}"
