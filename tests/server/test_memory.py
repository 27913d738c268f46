"""The server settles its heap after connection churn (one full collection,
then long-lived objects frozen), and only when enough changed to be worth it."""

from __future__ import annotations

import gc

from server.app import SETTLE_MIN_CHURN
from tests.server.servers import app
from tests.support import ServerThread


def test_settling_freezes_what_lives_long(server: ServerThread) -> None:
    try:
        server.call(app(server).settle_heap)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_few_connections_do_not_trigger_a_full_collection(server: ServerThread) -> None:
    server_app = app(server)

    def churn(times: int) -> bool:
        for _ in range(times):
            server_app._heap_changed()
        return server_app._settle_timer is not None

    assert not server.call(lambda: churn(SETTLE_MIN_CHURN - 1))
    assert server.call(lambda: churn(1))  # the hundredth schedules one settle
    server.call(server_app.settle_heap)
    gc.unfreeze()
    assert server_app._churn == 0 and server_app._settle_timer is None
