"""Servers a test starts and restarts in threads of the test process."""

from __future__ import annotations

import asyncio
import threading

from server.app import AntreanServer
from server.config import OfficeConfig
from server.store import Batch
from tests.server.offices import demo_office
from tests.support import FakeClock, ServerThread


class Servers:
    """Every server a test starts or restarts; all stopped at the end."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.threads: list[ServerThread] = []

    def start(self, config: OfficeConfig | None = None, clock: FakeClock | None = None
              ) -> ServerThread:
        thread = ServerThread(config or demo_office(), self.db_url, clock).start()
        self.threads.append(thread)
        return thread

    def restart(self, thread: ServerThread) -> ServerThread:
        """Stop `thread`'s server and start a new one on its port and database."""
        thread.stop()
        again = thread.restart()
        self.threads.append(again)
        return again

    def stop_all(self) -> None:
        for thread in self.threads:
            thread.stop()


def hold_commits(thread: ServerThread) -> threading.Event:
    """Make the server's commits wait until the returned event is set, so
    a test can act while changes are executed but not yet durable."""
    store = app(thread).store
    real_write = store.write
    gate = threading.Event()

    async def held_write(batch: Batch) -> None:
        while not gate.is_set():
            await asyncio.sleep(0.005)
        await real_write(batch)

    store.write = held_write  # type: ignore[method-assign]
    return gate


def app(thread: ServerThread) -> AntreanServer:
    """The server object running in `thread` (for looking inside it)."""
    assert thread.server is not None, "the server thread was not started"
    return thread.server
