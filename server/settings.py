"""The one object that carries every runtime setting of a server, built by
`antrean server` from its command line and by the tests directly (as
uvicorn's `Config`): where to listen, the database, TLS, the clock and the
office file (with its limits)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from server.config import Limits, OfficeConfig
from server.fanout import FanOut
from server.store import Store

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a server needs before it starts."""

    office: OfficeConfig
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8765  # 0 picks a free one
    ssl_context: ssl.SSLContext | None = None  # serve wss:// when set
    clock: Clock = utc_now  # the only place the server reads the time
    fanout: FanOut | None = None  # the writer threads; None makes the server its own
    hello_timeout: float = 5.0
    # How the database is opened (the simulator runs SQLite on its own loop).
    store_factory: Callable[[str], Store] = Store

    @property
    def limits(self) -> Limits:
        return self.office.limits

    @property
    def tls(self) -> bool:
        return self.ssl_context is not None
