"""Fixtures of the visitor pages' tests: servers with a visitor configuration
of their own, started, restarted and stopped by the test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.config import OfficeConfig
from server.visitor import VisitorSettings
from tests.counter.conftest import console  # noqa: F401  (the console's fixture)
from tests.kiosk.conftest import make_kiosk, previews  # noqa: F401  (the kiosk's fixtures)
from tests.server.servers import Servers
from tests.support import FakeClock, ServerThread, cached_demo_config


class WebServers(Servers):
    """The demo office on one SQLite file per test, with visitor settings."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"sqlite:///{folder / 'web.db'}")

    def start(self, config: OfficeConfig | None = None, clock: FakeClock | None = None,
              **visitor: Any) -> ServerThread:
        config = dataclasses.replace(config or cached_demo_config(),
                                     visitor=VisitorSettings(**visitor))
        return super().start(config, clock)


@pytest.fixture
def web_servers(tmp_path: Path) -> Iterator[WebServers]:
    servers = WebServers(tmp_path)
    yield servers
    servers.stop_all()
