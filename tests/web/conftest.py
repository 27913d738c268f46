"""Fixtures of the visitor pages' tests: servers with a visitor configuration
of their own, started, restarted and stopped by the test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.visitor import VisitorSettings
from tests.counter.conftest import console  # noqa: F401  (the console's fixture)
from tests.kiosk.conftest import make_kiosk, previews  # noqa: F401  (the kiosk's fixtures)
from tests.support import FakeClock, ServerThread, cached_demo_config


class WebServers:
    """The demo office on one SQLite file per test, with visitor settings."""

    def __init__(self, folder: Path) -> None:
        self.url = f"sqlite:///{folder / 'web.db'}"
        self.threads: list[ServerThread] = []

    def start(self, clock: FakeClock | None = None, **visitor: Any) -> ServerThread:
        config = dataclasses.replace(cached_demo_config(), visitor=VisitorSettings(**visitor))
        thread = ServerThread(config, self.url, clock).start()
        self.threads.append(thread)
        return thread

    def restart(self, thread: ServerThread) -> ServerThread:
        """Stop `thread` and start a new server on its port and database."""
        thread.stop()
        again = thread.restart()
        self.threads.append(again)
        return again

    def stop_all(self) -> None:
        for thread in self.threads:
            thread.stop()


@pytest.fixture
def web_servers(tmp_path: Path) -> Iterator[WebServers]:
    servers = WebServers(tmp_path)
    yield servers
    servers.stop_all()
