"""Fixtures of the server tests: the database (SQLite, or PostgreSQL with
`@ON_BOTH_DATABASES`), servers with other configurations or clocks, and
clients that keep the exact frames."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.databases import fresh_postgres_url, sqlite_url
from tests.server.servers import Servers
from tests.server.wire import RawClient
from tests.support import Clients, ServerThread


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite by default; `@ON_BOTH_DATABASES` also asks for "postgresql"."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        return fresh_postgres_url()
    assert kind == "sqlite", kind
    return sqlite_url(tmp_path)


@pytest.fixture
def servers(db_url: str) -> Iterator[Servers]:
    started = Servers(db_url)
    yield started
    started.stop_all()


@pytest.fixture
def server(servers: Servers) -> ServerThread:
    """The demo office on the test's database (SQLite or PostgreSQL)."""
    return servers.start()


@pytest.fixture
def connect() -> Iterator[Callable[..., RawClient]]:
    """Clients that keep their frames; all closed at the end of the test."""
    clients = Clients(RawClient)

    def make(server: ServerThread, role: str, device: str | None = None,
             **kwargs: Any) -> RawClient:
        return clients.open(server.url, role, device, **kwargs)

    yield make
    clients.close_all()
