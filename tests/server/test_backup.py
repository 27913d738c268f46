"""server/backup.py: `antrean backup` while the server issues tickets, then
`antrean restore` and a server on the restored database: a consistent
snapshot (every ticket acknowledged before the backup began, the event log a
gap-free prefix of the live one), served on with numbering continued."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Connection
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed

import server.backup as backup
from server.backup import Database, pg_dump_command, run_backup, run_restore
from server.store import Store, events_table, tickets_table
from tests.server.databases import fresh_postgres_url
from tests.server.processes import REPO, ServerProcess, antrean_command, run_antrean
from tests.server.wire import RawClient, health, hello_frame

Connect = Callable[..., RawClient]
KIOSKS = 4


class Load:
    """Kiosks issuing tickets one after another as fast as they are answered."""

    def __init__(self) -> None:
        self.acked: dict[str, dict[str, Any]] = {}  # ticket id -> the answer's ticket
        self.stop = asyncio.Event()

    async def kiosk(self, url: str, device: str) -> None:
        try:
            async with async_connect(url, max_queue=None, close_timeout=1) as ws:
                await ws.send(hello_frame("kiosk", device))
                await ws.recv()
                n = 0
                while not self.stop.is_set():
                    n += 1
                    request_id = f"{device}-{n}"
                    await ws.send(json.dumps({"type": "ticket.issue", "id": request_id,
                                              "service": "ABCDE"[n % 5]}))
                    while True:
                        message = json.loads(await ws.recv())
                        if message.get("id") == request_id:
                            ticket = message["result"]["ticket"]
                            self.acked[ticket["id"]] = ticket
                            break
        except ConnectionClosed:
            return


async def _backup_under_load(url: str, db: str, out: Path) -> tuple[set[str], Load]:
    """Start the load, wait for some tickets, back up; the tickets acknowledged
    before the backup began."""
    load = Load()
    kiosks = [asyncio.create_task(load.kiosk(url, f"kiosk-{k}")) for k in range(KIOSKS)]
    async with asyncio.timeout(60):
        while len(load.acked) < 40:
            await asyncio.sleep(0.01)
    before = set(load.acked)
    process = await asyncio.create_subprocess_exec(
        *antrean_command("backup", "--db", db, "--out", str(out)), cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert f"to {out}" in stdout.decode()
    during = len(load.acked)
    async with asyncio.timeout(60):  # the server kept serving while it was copied
        while len(load.acked) < during + 20:
            await asyncio.sleep(0.01)
    load.stop.set()
    await asyncio.gather(*kiosks)
    return before, load


def _read(url: str) -> tuple[list[tuple[Any, ...]], set[str]]:
    """Every event row, and every ticket id."""
    async def run() -> tuple[list[tuple[Any, ...]], set[str]]:
        store = Store(url)
        try:
            def read(conn: Connection) -> tuple[list[tuple[Any, ...]], set[str]]:
                events = [tuple(r) for r in conn.execute(
                    select(events_table).order_by(events_table.c.seq))]
                return events, {r[0] for r in conn.execute(select(tickets_table.c.id))}
            return await store.run(read)
        finally:
            await store.close()

    return asyncio.run(run())


def _check_snapshot(backed_up: list[tuple[Any, ...]], ids: set[str],
                    live: list[tuple[Any, ...]], acked_before: set[str]) -> None:
    assert [row[0] for row in backed_up] == list(range(1, len(backed_up) + 1))
    assert backed_up == live[:len(backed_up)]  # a prefix of the live log, row for row
    assert len(backed_up) < len(live)  # taken in the middle of the load
    assert acked_before <= ids


def _serve_restored(db: str, tmp_path: Path, backed_up: list[tuple[Any, ...]],
                    ids: set[str]) -> None:
    server = ServerProcess("--demo", "--db", db, log_file=tmp_path / "restored.log")
    try:
        assert health(server.port)["seq"] == len(backed_up)
        kiosk = RawClient(server.url, "kiosk", "kiosk-after")
        issued = kiosk.ok("ticket.issue", service="A")["ticket"]
        numbers_a = sorted(i.rsplit("-", 1)[1] for i in ids if i.rsplit("-", 1)[1][0] == "A")
        assert issued["number"] == f"A{int(numbers_a[-1][1:]) + 1:03d}"
        assert health(server.port)["seq"] == len(backed_up) + 1
        kiosk.close()
    finally:
        assert server.terminate() == 0


@pytest.mark.slow
def test_sqlite_backup_while_issuing_then_restore_and_serve(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'office.db'}"
    out = tmp_path / "backup.db"
    server = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        acked_before, load = asyncio.run(_backup_under_load(server.url, db, out))
    finally:
        assert server.terminate() == 0
    live, _ = _read(db)
    backed_up, ids = _read(f"sqlite:///{out}")
    _check_snapshot(backed_up, ids, live, acked_before)
    assert set(load.acked) <= _read(db)[1]
    # One self-contained file that passes SQLite's own check.
    assert not Path(f"{out}-wal").exists()
    assert sqlite3.connect(out).execute("PRAGMA integrity_check").fetchone() == ("ok",)

    restored = f"sqlite:///{tmp_path / 'restored' / 'office.db'}"
    result = run_antrean("restore", "--from", str(out), "--db", restored)
    assert result.returncode == 0, result.stderr
    assert "(head, up to date)" in result.stdout
    assert _read(restored) == (backed_up, ids)
    _serve_restored(restored, tmp_path, backed_up, ids)

    # Restoring over a database in use needs --replace (and the server stopped).
    refused = run_antrean("restore", "--from", str(out), "--db", db)
    assert refused.returncode == 2 and "--replace" in refused.stderr
    assert _read(db)[0] == live
    replaced = run_antrean("restore", "--from", str(out), "--db", db, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert _read(db) == (backed_up, ids)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_backup_while_issuing_then_restore_and_serve(tmp_path: Path) -> None:
    db = fresh_postgres_url()
    out = tmp_path / "office.pgdump"
    server = ServerProcess("--demo", "--db", db, log_file=tmp_path / "server.log")
    try:
        acked_before, _ = asyncio.run(_backup_under_load(server.url, db, out))
    finally:
        assert server.terminate() == 0
    live, _ = _read(db)
    result = run_antrean("restore", "--from", str(out), "--db", db, "--replace")
    assert result.returncode == 0, result.stderr
    assert "(head, up to date)" in result.stdout
    backed_up, ids = _read(db)
    _check_snapshot(backed_up, ids, live, acked_before)
    _serve_restored(db, tmp_path, backed_up, ids)


def test_bad_backups_and_restores_are_refused_with_the_reason(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'office.db'}"
    missing = run_antrean("backup", "--db", db, "--out", str(tmp_path / "b.db"))
    assert missing.returncode == 2 and "no database at" in missing.stderr
    assert not (tmp_path / "office.db").exists()  # not created by asking

    (tmp_path / "notes.txt").write_text("not a database")
    for source, complaint in ((tmp_path / "notes.txt", "not an Antrean SQLite backup"),
                              (tmp_path / "nowhere.db", "no backup file")):
        result = run_antrean("restore", "--from", str(source), "--db", db)
        assert result.returncode == 2 and complaint in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    unsupported = run_antrean("backup", "--db", "mysql://x@y/z", "--out", "b")
    assert unsupported.returncode == 2 and "unsupported database URL" in unsupported.stderr


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "office.db").execute("CREATE TABLE events (seq INTEGER)")
    (tmp_path / "b.db").write_text("yesterday's backup")
    result = run_antrean("backup", "--db", f"sqlite:///{tmp_path / 'office.db'}",
                         "--out", str(tmp_path / "b.db"))
    assert result.returncode == 2 and "exists" in result.stderr
    assert (tmp_path / "b.db").read_text() == "yesterday's backup"


def test_pg_dump_gets_the_password_through_the_environment() -> None:
    db = Database.of("postgresql+asyncpg://antrean:s3cret@db.kanim:5433/antrean?schema=lampung")
    command, env = pg_dump_command(db, Path("/backups/x.pgdump"))
    assert command == ["pg_dump", "--format=custom", "--no-owner", "--file=/backups/x.pgdump",
                       "--dbname=postgresql://antrean@db.kanim:5433/antrean",
                       "--schema=lampung"]
    assert env["PGPASSWORD"] == "s3cret"
    assert not any("s3cret" in part for part in command)


def test_without_pg_dump_the_command_to_run_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    args = argparse.Namespace(db="postgresql://antrean@db/antrean?schema=lampung",
                              out=str(tmp_path / "x.pgdump"))
    assert run_backup(args) == 2
    error = capsys.readouterr().err
    assert "pg_dump is not installed" in error and "postgresql-client" in error
    assert ("pg_dump --format=custom --no-owner --file=" in error
            and "--dbname=postgresql://antrean@db/antrean --schema=lampung" in error)
    restore = argparse.Namespace(db="postgresql://antrean@db/antrean", replace=True,
                                 source=str(tmp_path / "x.pgdump"))
    (tmp_path / "x.pgdump").write_bytes(b"PGDMP")
    assert run_restore(restore) == 2
    assert "pg_restore --clean --if-exists" in capsys.readouterr().err


def test_a_backup_of_a_file_that_is_no_database_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "office.db").write_text("not a database at all, " * 100)
    result = run_antrean("backup", "--db", f"sqlite:///{tmp_path / 'office.db'}",
                         "--out", str(tmp_path / "b.db"))
    assert result.returncode == 1 and "not a database" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.db"]
