"""The tamper-evident event log on SQLite and PostgreSQL: the store chains
every event it writes, `antrean audit verify` finds the first row changed,
removed or inserted, an older database gets its chain on start, and
PostgreSQL itself refuses UPDATE and DELETE on the log."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import orjson
import pytest
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from antrean.cli import main as cli
from server import audit
from server.store import Batch, Store
from tests.server.databases import ON_BOTH_DATABASES, _drop_all

_R = TypeVar("_R")
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))


def _event(seq: int, day: date) -> dict[str, Any]:
    return {"seq": seq, "day": day.isoformat(), "at": f"{day.isoformat()}T09:{seq:02d}:00+07:00",
            "name": "ticket.issued", "data": f'{{"ticket":{{"number":"A{seq:03d}","é":"ü"}}}}',
            "device": "kiosk-1", "staff": None if seq % 2 else "siti"}


def _fill(db_url: str, per_day: int = 4) -> str:
    """Three days of events written by the store, in a few batches; the store's head."""

    async def run() -> str:
        store = Store(db_url)
        await store.open()
        seq = 0
        for day in DAYS:
            for _ in range(2):
                batch = Batch.empty()
                for _ in range(per_day // 2):
                    seq += 1
                    batch.events.append(_event(seq, day))
                await store.write(batch)
        head = store.audit_head
        await store.close()
        assert head is not None
        return head

    return asyncio.run(run())


def _sql(db_url: str, work: Callable[[Connection], _R]) -> _R:
    async def run() -> _R:
        store = Store(db_url)
        try:
            return await store._run(work, transaction=True)
        finally:
            await store.close()

    return asyncio.run(run())


def _exec(*statements: str) -> Callable[[Connection], None]:
    def work(conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    return work


def _unlocked(db_url: str, *statements: str) -> None:
    """Tamper as the table's owner would: on PostgreSQL with the trigger off."""
    if db_url.startswith("postgresql"):
        statements = ("ALTER TABLE events DISABLE TRIGGER events_append_only", *statements,
                      "ALTER TABLE events ENABLE TRIGGER events_append_only")
    _sql(db_url, _exec(*statements))


def _verify(db_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = cli(["audit", "verify", "--db", db_url, "--lang", "en", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


@ON_BOTH_DATABASES
def test_an_untouched_log_verifies_with_its_count_and_last_hash(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head = _fill(db_url)
    code, text = _verify(db_url, capsys)
    assert code == 0, text
    assert text.strip() == f"Audit chain intact: 12 events, last hash {head}"
    # The chain is the documented one, recomputed here by hand.
    previous = "0" * 64
    for seq in range(1, 13):
        row = _event(seq, DAYS[(seq - 1) // 4])
        canonical = orjson.dumps([row[k] for k in ("seq", "day", "at", "name", "data",
                                                   "device", "staff")])
        previous = hashlib.sha256(previous.encode() + canonical).hexdigest()
    assert previous == head
    # A range of days verifies from the stored hash before it.
    code, text = _verify(db_url, capsys, "--from", "2026-11-03", "--to", "2026-11-03")
    assert code == 0 and "4 events" in text
    # Indonesian by default.
    assert cli(["audit", "verify", "--db", db_url]) == 0
    assert "Rantai audit utuh: 12 peristiwa" in capsys.readouterr().out


@ON_BOTH_DATABASES
def test_a_changed_row_is_named(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(db_url)
    _unlocked(db_url, """UPDATE events SET data = '{"ticket":{"number":"A999"}}' WHERE seq = 6""")
    code, text = _verify(db_url, capsys)
    assert code == 1
    assert "event seq 6 was changed (5 events before it intact" in text
    # Only the staff column changed (a hand-edited name) is caught the same way.
    _fill_again = _unlocked
    _fill_again(db_url, "UPDATE events SET staff = 'budi' WHERE seq = 2")
    assert "event seq 2 was changed" in _verify(db_url, capsys)[1]
    # The days before the change still verify on their own; the day holding it does not.
    assert _verify(db_url, capsys, "--to", "2026-11-02")[0] == 1
    assert _verify(db_url, capsys, "--from", "2026-11-04")[0] == 0


@ON_BOTH_DATABASES
def test_a_removed_row_is_named(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(db_url)
    _unlocked(db_url, "DELETE FROM events WHERE seq = 7")
    code, text = _verify(db_url, capsys)
    assert code == 1
    assert "event seq 7 was removed (6 events before it intact" in text
    assert _verify(db_url, capsys, "--from", "2026-11-03", "--to", "2026-11-03")[0] == 1


@ON_BOTH_DATABASES
def test_an_inserted_row_is_named(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head = _fill(db_url)
    # Appended by hand with a made-up hash, and with none.
    _sql(db_url, _exec(
        "INSERT INTO events (seq, day, at, name, data, device, staff, hash) VALUES (13, "
        "'2026-11-04', '2026-11-04T10:00:00+07:00', 'ticket.issued', '{}', 'kiosk-1', NULL, "
        f"'{'f' * 64}')"))
    code, text = _verify(db_url, capsys)
    assert code == 1 and "the last event, seq 13, was changed or inserted" in text
    assert f"12 events before it intact, last good hash {head}" in text
    _unlocked(db_url, "DELETE FROM events WHERE seq = 13")
    _sql(db_url, _exec(
        "INSERT INTO events (seq, day, at, name, data, device, staff) VALUES (0, "
        "'2026-11-01', '2026-11-01T10:00:00+07:00', 'ticket.issued', '{}', 'kiosk-1', NULL)"))
    assert "event seq 0 was inserted" in _verify(db_url, capsys)[1]


@ON_BOTH_DATABASES
def test_an_older_database_gets_its_chain_on_start(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head = _fill(db_url, per_day=6)
    # The log as an older Antrean wrote it: no hash column at all.
    _unlocked(db_url, "ALTER TABLE events DROP COLUMN hash")
    _sql(db_url, _exec("SELECT 1"))  # the column is not needed to read
    assert _fill_chain_by_opening(db_url) == head
    assert _verify(db_url, capsys)[0] == 0
    # backfill_chain continues a partly hashed log from its last hash.
    _unlocked(db_url, "UPDATE events SET hash = NULL WHERE seq > 10")
    assert _sql(db_url, audit.backfill_chain) == head
    assert _verify(db_url, capsys)[0] == 0


def _fill_chain_by_opening(db_url: str) -> str | None:
    async def run() -> str | None:
        store = Store(db_url)
        await store.open()
        head = store.audit_head
        await store.close()
        return head

    return asyncio.run(run())


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_update_delete_and_truncate_on_the_log(db_url: str) -> None:
    _fill(db_url)
    for statement in ("UPDATE events SET data = '{}' WHERE seq = 3",
                      "DELETE FROM events WHERE seq = 3",
                      "UPDATE events SET hash = NULL WHERE seq = 3",
                      "TRUNCATE events"):
        with pytest.raises(DBAPIError, match="append-only"):
            _sql(db_url, _exec(statement))
    assert _sql(db_url, lambda c: c.exec_driver_sql("SELECT count(*) FROM events").scalar()) == 12
    # The tests' own clean-up (dropping the tables) still works.
    asyncio.run(_drop_all(db_url))
    assert _fill(db_url)


def test_bad_days_and_unreadable_databases_exit_2(
        tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    _fill(url)
    assert cli(["audit", "verify", "--db", url, "--from", "2026-13-01"]) == 2
    assert "Tanggal tidak valid: 2026-13-01" in capsys.readouterr().err
    assert cli(["audit", "verify", "--db", "mysql://x/y", "--lang", "en"]) == 2
    assert "The database cannot be read" in capsys.readouterr().err


@ON_BOTH_DATABASES
def test_the_server_chains_what_it_writes_across_a_restart(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.server.servers import Servers, app
    from tests.support import WireClient, open_counter

    servers = Servers(db_url)
    try:
        server = servers.start()
        kiosk = WireClient(server.url, "kiosk", "kiosk-1")
        for _ in range(5):
            kiosk.ok("ticket.issue", service="A")
        kiosk.close()
        server = servers.restart(server)
        counter = WireClient(server.url, "counter", "counter-1")
        open_counter(counter, "1", ["A"])
        counter.ok("ticket.call_next", counter="1")
        counter.close()
        head = app(server).store.audit_head
        seq = app(server).committed_seq
    finally:
        servers.stop_all()
    code, text = _verify(db_url, capsys)
    assert code == 0, text
    assert text.strip() == f"Audit chain intact: {seq} events, last hash {head}"


@ON_BOTH_DATABASES
def test_a_failed_write_leaves_the_chain_whole(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy.exc import IntegrityError

    async def run() -> None:
        store = Store(db_url)
        await store.open()
        good = Batch.empty()
        good.events += [_event(1, DAYS[0]), _event(2, DAYS[0])]
        await store.write(good)
        bad = Batch.empty()
        bad.events += [_event(3, DAYS[0]), _event(2, DAYS[0])]  # seq 2 again: all fails
        with pytest.raises(IntegrityError):
            await store.write(bad)
        again = Batch.empty()
        again.events.append(_event(3, DAYS[0]))
        await store.write(again)  # chains on from seq 2, as committed
        await store.close()

    asyncio.run(run())
    code, text = _verify(db_url, capsys)
    assert code == 0 and "3 events" in text


@ON_BOTH_DATABASES
def test_a_second_writer_taking_over_continues_the_chain(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A standby opened early takes over after the leader wrote more: it
    chains from the database's head, not from the one it read on opening."""

    async def run() -> None:
        leader, standby = Store(db_url), Store(db_url)
        await leader.open()
        await standby.open()
        for seq in (1, 2, 3):
            batch = Batch.empty()
            batch.events.append(_event(seq, DAYS[0]))
            await leader.write(batch)
        batch = Batch.empty()
        batch.events += [_event(4, DAYS[1]), _event(5, DAYS[1])]
        await standby.write(batch)
        assert standby.audit_head != leader.audit_head
        again = Batch.empty()
        again.events.append(_event(6, DAYS[1]))
        await leader.write(again)  # and back: the leader reads the head anew too
        for store in (leader, standby):
            await store.close()

    asyncio.run(run())
    code, text = _verify(db_url, capsys)
    assert code == 0 and "6 events" in text, text
