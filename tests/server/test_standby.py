"""Hot standby (server/standby.py): two servers on one PostgreSQL schema, one
leads; the other follows the log, refuses clients with 4503, and takes over
with seq, numbers, waiting order and answers continued. Fencing: a server
that lost the lock cannot commit."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Connection, make_url
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as sync_connect

import server.standby as standby_module
from antrean import protocol
from server.config import OfficeConfig
from server.standby import Fenced, lock_keys
from server.store import Batch
from tests.server.databases import (
    ON_BOTH_DATABASES,
    RUN_SCHEMA,
    drop_schemas,
    fresh_postgres_url,
)
from tests.server.failover import event_count, lock_pid, terminate_backend
from tests.server.servers import Servers, app
from tests.server.wire import RawClient, health, hello_frame, wait_until
from tests.support import FakeClock, ServerThread, open_counter

Connect = Callable[..., RawClient]
ON_POSTGRES = pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)


def refused_with(url: str) -> tuple[int | None, str | None]:
    """Connect, say hello, and return how the server closed the connection."""
    with sync_connect(url, open_timeout=5, close_timeout=2) as ws:
        with pytest.raises(ConnectionClosed):
            ws.send(hello_frame("display", "display-refused"))
            ws.recv(5)
        return ws.close_code, ws.close_reason


def role(thread: ServerThread) -> str:
    return str(health(thread.port)["role"])


@ON_BOTH_DATABASES
def test_a_lone_server_leads(server: ServerThread) -> None:
    assert health(server.port)["role"] == "leader"


@ON_POSTGRES
def test_the_second_server_is_a_standby_that_refuses_clients(servers: Servers) -> None:
    leader = servers.start()
    standby = servers.start()
    assert (role(leader), role(standby)) == ("leader", "standby")
    code, reason = refused_with(standby.url)
    assert code == protocol.CLOSE_STANDBY == 4503
    assert reason == "standby: try the next server"
    # The leader still serves.
    client = RawClient(leader.url, "display", "display-ok")
    assert client.welcome["type"] == "welcome"
    client.close()


@ON_POSTGRES
def test_the_standby_follows_and_takes_over_with_everything_continued(
        servers: Servers, connect: Connect) -> None:
    leader = servers.start()
    standby = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    issued = [kiosk.request("ticket.issue", f"issue-{n}", service="A") for n in range(5)]
    numbers = [answer["result"]["ticket"]["number"] for answer in issued]
    counter = connect(leader, "counter", "counter-1")
    open_counter(counter, "1", ["A"])
    first_call = counter.ok("ticket.call_next", counter="1")["ticket"]
    assert first_call["number"] == numbers[0]
    seq = health(leader.port)["seq"]
    wait_until(lambda: health(standby.port)["seq"] == seq, 5, "the standby follows the log")
    assert app(standby).office.checkpoint() == app(leader).office.checkpoint()

    leader.stop()
    wait_until(lambda: role(standby) == "leader", 5, "the standby takes over")
    again = connect(standby, "kiosk", "kiosk-1")
    # Idempotency continued: the same id gets the original answer, not a new ticket.
    retried = again.request("ticket.issue", "issue-2", service="A")
    assert retried == issued[2]
    # Numbering and seq continued.
    fresh = again.ok("ticket.issue", service="A")["ticket"]
    assert fresh["number"] == "A006"
    assert health(standby.port)["seq"] == seq + 1
    # Waiting order continued: the next call is the second ticket.
    # (New ids: this console's earlier ids keep their answers on the new leader.)
    counter2 = connect(standby, "counter", "counter-1")
    counter2.login()
    assert counter2.request("ticket.complete", "after-1", ticket=first_call["id"])["type"] == "ok"
    called = counter2.request("ticket.call_next", "after-2", counter="1")
    assert called["result"]["ticket"]["number"] == numbers[1]


@ON_POSTGRES
def test_a_standby_does_not_commit(servers: Servers) -> None:
    servers.start()
    standby = servers.start()
    batch = Batch.empty()
    batch.events.append({"seq": 10_000, "day": "2026-01-01", "at": "", "name": "announcement",
                         "data": "{}", "device": None, "staff": None})
    with pytest.raises(Fenced):
        standby.run(app(standby).store.write(batch))


def _one_event(seq: int) -> Batch:
    batch = Batch.empty()
    batch.events.append({"seq": seq, "day": "2026-01-01", "at": "", "name": "announcement",
                         "data": "{}", "device": None, "staff": None})
    return batch


@ON_POSTGRES
def test_a_leader_cut_off_from_its_lock_stops_and_cannot_commit(
        servers: Servers, db_url: str, connect: Connect) -> None:
    """pg_terminate_backend on the leader's lock connection, with no standby:
    its own fence refuses every later commit (the lock is gone), its clients
    are closed with 4503, and it comes back as a standby, then leads again."""
    leader = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    leading_fence = app(leader).store.fence
    terminate_backend(db_url, lock_pid(leader))
    assert kiosk.expect_close(5) == protocol.CLOSE_STANDBY
    count = event_count(db_url)
    # The old term's fence: this server's lock backend no longer holds the lock.
    store = app(leader).store
    current = store.fence
    store.fence = leading_fence
    try:
        with pytest.raises(Fenced):
            leader.run(store.write(_one_event(50_000)))
    finally:
        store.fence = current
    assert event_count(db_url) == count
    # Nobody else wants the lock: it takes it again (a new term) and serves.
    wait_until(lambda: role(leader) == "leader", 10, "the server leads again")
    again = connect(leader, "kiosk", "kiosk-2")
    assert again.ok("ticket.issue", service="A")["ticket"]["number"] == "A002"


@ON_POSTGRES
def test_a_commit_in_flight_when_leadership_moves_is_refused_and_answered_once_by_the_new_leader(
        servers: Servers, db_url: str, connect: Connect) -> None:
    leader = servers.start()
    standby = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    seq = health(leader.port)["seq"]
    wait_until(lambda: health(standby.port)["seq"] == seq, 5, "the standby follows")
    # The old term's fence survives in the old leader's hands; the lock moves.
    old_fence = app(leader).store.fence
    terminate_backend(db_url, lock_pid(leader))
    wait_until(lambda: role(standby) == "leader", 5, "the standby takes over")
    count = event_count(db_url)
    store = app(leader).store
    current = store.fence
    store.fence = old_fence
    try:
        with pytest.raises(Fenced):
            leader.run(store.write(_one_event(seq + 1)))
    finally:
        store.fence = current
    assert event_count(db_url) == count
    # The kiosk's request cut off by the move is retried on the new leader
    # with its id, and answered once.
    moved = connect(standby, "kiosk", "kiosk-1")
    first = moved.request("ticket.issue", "cut-off", service="A")
    assert first["type"] == "ok" and first["result"]["ticket"]["number"] == "A002"
    assert moved.request("ticket.issue", "cut-off", service="A") == first
    assert refused_with(leader.url)[0] == protocol.CLOSE_STANDBY or role(leader) == "standby"



@ON_POSTGRES
def test_the_standby_follows_a_day_roll_and_numbers_restart_after_take_over(
        servers: Servers, connect: Connect) -> None:
    clock = FakeClock(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))  # 15:00 in Jakarta
    leader = servers.start(clock=clock)
    standby = servers.start(clock=clock)
    kiosk = connect(leader, "kiosk", "kiosk-1")
    assert kiosk.ok("ticket.issue", service="A")["ticket"]["number"] == "A001"
    clock.now = datetime(2026, 3, 10, 17, 0, 1, tzinfo=UTC)  # just after midnight there
    leader.call(app(leader).check_day)
    kiosk.event("day.rolled")  # committed
    seq = health(leader.port)["seq"]
    wait_until(lambda: health(standby.port)["seq"] == seq, 5, "the standby follows the roll")
    assert health(standby.port)["day"] == "2026-03-11"
    leader.stop()
    wait_until(lambda: role(standby) == "leader", 5, "the standby takes over")
    after = connect(standby, "kiosk", "kiosk-2")
    assert after.ok("ticket.issue", service="A")["ticket"]["number"] == "A001"
    assert health(standby.port)["seq"] == seq + 1


def test_each_office_schema_has_its_own_lock() -> None:
    keys = {lock_keys(name) for name in ("kanim_jaksel", "kanim_lampung", "public", None)}
    assert len(keys) == 3  # no schema is the public one
    assert lock_keys("kanim_jaksel") == lock_keys("kanim_jaksel")
    assert all(0 <= key < 2**31 for pair in keys for key in pair)


@pytest.mark.postgres
def test_two_offices_in_one_database_each_have_a_leader(demo: OfficeConfig) -> None:
    base = fresh_postgres_url()
    urls = [base.replace(f"schema={RUN_SCHEMA}", f"schema={RUN_SCHEMA}_{n}") for n in "xy"]
    threads = [ServerThread(demo, url).start() for url in urls]
    try:
        assert [role(thread) for thread in threads] == ["leader", "leader"]
    finally:
        for thread in threads:
            thread.stop()
        user = make_url(base).username
        assert user is not None
        asyncio.run(drop_schemas(user, f"{RUN_SCHEMA}_x", f"{RUN_SCHEMA}_y"))


@pytest.mark.slow
@ON_POSTGRES
def test_a_leader_frozen_in_the_middle_of_a_commit_does_not_hold_up_the_take_over(
        servers: Servers, db_url: str, connect: Connect) -> None:
    """The leader stops dead inside its commit transaction (its FOR SHARE on
    the leadership row taken) and its lock goes: the standby still takes
    over before the frozen leader wakes, because PostgreSQL ends the frozen
    transaction (idle_in_transaction_session_timeout); the frozen commit is
    lost, unanswered, and its request is answered once by the new leader."""
    leader = servers.start()
    standby = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    kiosk.ok("ticket.issue", service="A")
    store = app(leader).store
    fenced = store.fence
    assert fenced is not None
    frozen, woke = threading.Event(), threading.Event()

    def freeze(conn: Connection) -> None:
        fenced(conn)
        frozen.set()
        time.sleep(9)  # the whole process stands still
        woke.set()

    store.fence = freeze
    kiosk.send({"type": "ticket.issue", "id": "frozen", "service": "A"})
    assert frozen.wait(5)
    terminate_backend(db_url, lock_pid(leader))
    wait_until(lambda: role(standby) == "leader", 8.5, "the standby takes over")
    assert not woke.is_set(), "the take-over waited for the frozen leader"
    moved = connect(standby, "kiosk", "kiosk-1")
    answer = moved.request("ticket.issue", "frozen", service="A")
    assert answer["result"]["ticket"]["number"] == "A002"
    assert woke.wait(10)
    wait_until(lambda: role(leader) == "standby", 10, "the woken leader steps down")
    assert moved.request("ticket.issue", "frozen", service="A") == answer
    assert event_count(db_url) == health(standby.port)["seq"]


@ON_POSTGRES
def test_the_leaders_notification_wakes_the_standby(
        servers: Servers, connect: Connect, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standby_module, "FOLLOW_POLL_SECONDS", 60.0)  # no polling to help
    leader = servers.start()
    standby = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    for _ in range(3):
        kiosk.ok("ticket.issue", service="B")
        seq = health(leader.port)["seq"]
        wait_until(lambda seq=seq: health(standby.port)["seq"] == seq, 5, "woken by NOTIFY")


@ON_POSTGRES
def test_a_lost_notification_loses_nothing(
        servers: Servers, connect: Connect, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standby_module, "FOLLOW_POLL_SECONDS", 0.2)
    monkeypatch.setattr(standby_module.Leadership, "_notified", lambda self, *_: None)
    leader = servers.start()
    standby = servers.start()
    kiosk = connect(leader, "kiosk", "kiosk-1")
    numbers = [kiosk.ok("ticket.issue", service="B")["ticket"]["number"] for _ in range(5)]
    seq = health(leader.port)["seq"]
    wait_until(lambda: health(standby.port)["seq"] == seq, 5, "read by seq all the same")
    held = {t.number for t in app(standby).office.tickets.values()}
    assert held == set(numbers)
