"""server/migrations: the schema is versioned with Alembic. A database made by
the first release (tests/server/fixtures) is refused by the server with the
command to run, upgraded by `antrean db upgrade`, then served with nothing
lost; a brand-new database is created at the newest revision by itself; and
the revisions always build exactly the store's tables."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.engine import Connection, make_url

import server.migrations as migrations
from server import audit
from server.migrations import HEAD, SchemaError, SchemaOutdated, alembic_config, schema_state
from server.migrations.cli import on_database
from server.store import Store, events_table, metadata, requests_table, tickets_table
from tests.server.databases import ON_BOTH_DATABASES
from tests.server.processes import REPO, ServerProcess, run_antrean
from tests.server.servers import Servers
from tests.server.wire import RawClient, health
from tests.support import FakeClock

FIXTURES = Path(__file__).parent / "fixtures"
# The first release's database was made at 03:18 office time on this day.
FIXTURE_DAY = "2026-12-02"
FIXTURE_LAST_SEQ = 14
Connect = Callable[..., RawClient]
_R = TypeVar("_R")


def _on(url: str, work: Callable[[Connection], _R]) -> _R:
    async def run() -> _R:
        store = Store(url)

        def in_schema(conn: Connection) -> _R:
            if store.schema:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store.schema}"')
            return work(conn)

        try:
            return await store.run(in_schema, transaction=True)
        finally:
            await store.close()

    return asyncio.run(run())


def load_first_release(url: str) -> None:
    """The first release's database, as its own server left it."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        assert path
        connection = sqlite3.connect(path)
        connection.executescript((FIXTURES / "first_release.sqlite.sql").read_text())
        connection.close()
        return
    script = "\n".join(line for line in (FIXTURES / "first_release.postgresql.sql")
                       .read_text().splitlines() if not line.startswith("--"))
    statements = [s for s in (script + "\n").split(";\n") if s.strip()]

    def load(conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    _on(url, load)


def _differences(url: str) -> list[Any]:
    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    return _on(url, compare)


LATER_COLUMNS = {"hash", "step", "steps", "booking", "slot_at"}


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    def read(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
        # The columns every build had (0003 adds events.hash, 0005 a ticket's step
        # and booking).
        return {table.name: [tuple(row) for row in conn.execute(
            select(*(c for c in table.columns if c.name not in LATER_COLUMNS))
            .order_by(*table.primary_key.columns))]
            for table in (events_table, tickets_table, requests_table)}

    return _on(url, read)


def _upgrade(url: str) -> tuple[Any, Any]:
    """As `antrean db upgrade` runs it (on SQLite, DDL inside the transaction)."""
    return asyncio.run(on_database(url, lambda conn: migrations.upgrade(conn, metadata)))


def _state(url: str) -> migrations.SchemaState:
    return _on(url, lambda conn: schema_state(conn, metadata))


def _open(url: str) -> None:
    async def run() -> None:
        store = Store(url)
        try:
            await store.open()
        finally:
            await store.close()

    asyncio.run(run())


def test_head_is_the_one_newest_revision() -> None:
    with alembic_config() as config:
        scripts = ScriptDirectory.from_config(config)
        assert scripts.get_heads() == [HEAD], "set HEAD in server/migrations/__init__.py"
        assert [s.revision for s in scripts.walk_revisions()][-1] == "0001"
        # Found in the package's folder, whatever the working directory.
        assert Path(scripts.dir) == Path(migrations.__file__).parent


@ON_BOTH_DATABASES
def test_the_revisions_build_exactly_the_stores_tables(db_url: str) -> None:
    before, after = _upgrade(db_url)
    assert (before.kind, after.kind, after.revision) == ("empty", "head", HEAD)
    assert _differences(db_url) == []
    assert _upgrade(db_url)[0] == after  # a second upgrade changes nothing


@ON_BOTH_DATABASES
def test_a_new_database_is_created_at_head_by_the_server_itself(db_url: str) -> None:
    _open(db_url)
    assert _state(db_url) == migrations.SchemaState("head", HEAD)
    assert _differences(db_url) == []
    _open(db_url)  # and opened again as it is


@ON_BOTH_DATABASES
def test_a_first_release_database_is_refused_upgraded_then_served_with_nothing_lost(
    db_url: str, servers: Servers, connect: Connect
) -> None:
    load_first_release(db_url)
    before = _rows(db_url)
    assert len(before["events"]) == FIXTURE_LAST_SEQ
    with pytest.raises(SchemaOutdated):
        _open(db_url)
    assert _rows(db_url) == before and _state(db_url).kind == "unversioned"

    old, new = _upgrade(db_url)
    assert (old.kind, new.kind) == ("unversioned", "head")
    assert _differences(db_url) == []  # VARCHAR device columns now TEXT on PostgreSQL
    assert _rows(db_url) == before
    chained = _on(db_url, audit.verify)  # the old events are chained from their first on
    assert chained.ok and chained.count == FIXTURE_LAST_SEQ

    # Served on the fixture's own office day: the day goes on where it stopped.
    clock = FakeClock(datetime.fromisoformat(f"{FIXTURE_DAY}T03:30:00+07:00").astimezone(UTC))
    server = servers.start(clock=clock)
    assert health(server.port)["seq"] == FIXTURE_LAST_SEQ
    snapshot = connect(server, "supervisor", "supervisor-1").welcome["snapshot"]
    tickets = {t["number"]: t for t in snapshot["tickets"]}
    assert sorted(tickets) == ["A002", "A003", "B001", "B002", "C001", "D001"]
    assert tickets["A002"]["service"] == "D"  # transferred, kept its number
    assert tickets["B001"]["status"] == "called"
    counter_one = next(c for c in snapshot["counters"] if c["id"] == "1")
    assert counter_one["state"] == "open" and counter_one["ticket"]["number"] == "B001"
    kiosk = connect(server, "kiosk", "kiosk-2")
    issued = kiosk.ok("ticket.issue", service="A")["ticket"]
    assert issued["number"] == "A004"
    assert health(server.port)["seq"] == FIXTURE_LAST_SEQ + 1
    assert kiosk.ok("ticket.get", ticket="A001")["ticket"]["status"] == "done"
    after = _rows(db_url)
    assert after["events"][:FIXTURE_LAST_SEQ] == before["events"]


def test_the_commands_on_a_first_release_database(tmp_path: Path) -> None:
    """What an operator sees: the server refuses with the command to run
    (exit 2), `db current` and `db upgrade` say where the database is, then
    the server starts."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    load_first_release(url)
    refused = run_antrean("server", "--demo", "--port", "0", "--db", url)
    assert refused.returncode == 2, refused.stderr
    assert f"antrean db upgrade --db '{url}'" in refused.stderr
    assert "before schema versions" in refused.stderr and "Traceback" not in refused.stderr

    current = run_antrean("db", "current", "--db", url)
    assert current.returncode == 0 and "before schema versions" in current.stdout
    old_rows = _rows(url)
    upgraded = run_antrean("db", "upgrade", "--db", url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded to revision {HEAD}" in upgraded.stdout
    # A copy of the file as it was, kept first.
    copy = tmp_path / f"office.db.before-{HEAD}.bak"
    assert f"kept a copy of the database as it was: {copy}" in upgraded.stdout
    assert _state(f"sqlite:///{copy}").kind == "unversioned"
    assert _rows(f"sqlite:///{copy}") == old_rows == _rows(url)
    again = run_antrean("db", "upgrade", "--db", url)
    assert again.returncode == 0 and "already at revision" in again.stdout
    current = run_antrean("db", "current", "--db", url)
    assert f"at revision {HEAD} (head, up to date)" in current.stdout

    server = ServerProcess("--demo", "--db", url, log_file=tmp_path / "server.log")
    try:
        assert health(server.port)["seq"] >= FIXTURE_LAST_SEQ
    finally:
        assert server.terminate() == 0


def test_a_bad_url_for_the_db_command_is_explained(tmp_path: Path) -> None:
    result = run_antrean("db", "upgrade", "--db", "mysql://root@db/antrean")
    assert result.returncode == 2 and "unsupported database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_asking_about_a_missing_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    result = run_antrean("db", "current", "--db", f"sqlite:///{tmp_path / 'new' / 'x.db'}")
    assert result.returncode == 0 and "no database file yet" in result.stdout
    assert not (tmp_path / "new").exists()
    made = run_antrean("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'new' / 'x.db'}")
    assert made.returncode == 0 and "kept a copy" not in made.stdout
    assert f"upgraded to revision {HEAD} (it was empty" in made.stdout


def test_a_database_behind_head_is_refused(db_url: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """As a later build sees a database at this build's head (its HEAD moved on)."""
    _open(db_url)
    made_at = migrations.HEAD
    monkeypatch.setattr(migrations, "HEAD", f"{int(made_at) + 1:04d}")
    with pytest.raises(SchemaOutdated) as refused:
        _open(db_url)
    assert refused.value.state == migrations.SchemaState("behind", made_at)


def test_a_database_from_a_newer_build_is_refused_and_not_upgraded(db_url: str) -> None:
    _open(db_url)
    _on(db_url, lambda conn: conn.exec_driver_sql(
        "UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(SchemaError, match="newer Antrean"):
        _open(db_url)
    with pytest.raises(SchemaError, match="not upgrading"):
        _upgrade(db_url)


def test_a_database_of_the_builds_just_before_migrations_is_upgraded(db_url: str) -> None:
    """Made by the store's create_all with no version (6587164 .. this build)."""
    _on(db_url, lambda conn: metadata.create_all(conn))
    assert _state(db_url).kind == "unversioned"
    assert _upgrade(db_url)[1].kind == "head"
    assert _differences(db_url) == []


def test_adding_a_revision_takes_one_command(tmp_path: Path) -> None:
    """In a copy of the packages: a new table and a new nullable column in the
    store, `python -m server.migrations revision`, and the revisions again
    build exactly the store's tables (from empty and from the first release)."""
    for package in ("antrean", "server"):
        shutil.copytree(REPO / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    store = tmp_path / "server" / "store.py"
    last_ticket_column = '''    Column("slot_at", String(40)),
)'''
    source = store.read_text()
    assert last_ticket_column in source  # the tickets table's end, as the test edits it
    store.write_text(source.replace(last_ticket_column, '''    Column("slot_at", String(40)),
    Column("visit_note", String(40)),
)

notices_table = Table("notices", metadata, Column("code", String(40), primary_key=True),
                      Column("day", String(10), nullable=False, index=True))'''))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    made = subprocess.run([sys.executable, "-m", "server.migrations", "revision",
                           "notices and a ticket's note"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    following = f"{int(migrations.HEAD) + 1:04d}"
    [written] = (tmp_path / "server" / "migrations" / "versions").glob(f"{following}_*.py")
    assert written.name == f"{following}_notices_and_a_ticket_s_note.py"
    assert f'HEAD = "{following}"' in (
        tmp_path / "server" / "migrations" / "__init__.py").read_text()
    assert "batch_op.add_column(sa.Column('visit_note'" in written.read_text()

    check = f'''
import asyncio, sqlite3, sys
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
import server.migrations as migrations
from server.migrations.cli import on_database
from server.store import metadata
assert migrations.__file__.startswith({str(tmp_path)!r}), migrations.__file__
for name, fixture in (("empty", None), ("first", {str(FIXTURES / "first_release.sqlite.sql")!r})):
    path = {str(tmp_path)!r} + "/" + name + ".db"
    if fixture:
        sqlite3.connect(path).executescript(open(fixture).read())
    url = "sqlite:///" + path
    before, after = asyncio.run(on_database(url, lambda c: migrations.upgrade(c, metadata)))
    assert after.revision == {following!r}, after
    diff = asyncio.run(on_database(url, lambda c: compare_metadata(
        MigrationContext.configure(c, opts={{"compare_type": True}}), metadata)))
    assert diff == [], diff
print("ok")
'''
    checked = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert checked.stdout.strip() == "ok", checked.stderr
