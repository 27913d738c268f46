"""What the fail-over tests share: cutting a server's PostgreSQL connections
(pg_terminate_backend) and counting what the log holds."""

from __future__ import annotations

import asyncio

from server.store import Store
from tests.server.servers import app
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
