"""Shared fixtures: a real server on a free loopback port with a real SQLite file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.config import OfficeConfig
from tests.support import Clients, ServerThread, WireClient, cached_demo_config


@pytest.fixture
def demo() -> OfficeConfig:
    return cached_demo_config()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'antrean.db'}"


@pytest.fixture
def live_server(demo: OfficeConfig, db_url: str) -> Iterator[ServerThread]:
    thread = ServerThread(demo, db_url).start()
    yield thread
    thread.stop()


@pytest.fixture
def client_factory(live_server: ServerThread) -> Iterator[Callable[..., WireClient]]:
    clients = Clients(WireClient)

    def make(role: str, device: str | None = None, **kwargs: Any) -> WireClient:
        return clients.open(live_server.url, role, device, **kwargs)

    yield make
    clients.close_all()

