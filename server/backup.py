"""`antrean backup` and `antrean restore`: a copy of the office's database
taken while the server runs, and put back with the server stopped.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`): one
consistent snapshot of the file, taken in a read transaction that, in WAL
mode, does not hold up the server's commits. PostgreSQL: `pg_dump`
(custom format; only the office's schema when the URL has `?schema=`) and
`pg_restore`, run when they are installed, or the exact commands printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from server.store import SCHEMA_NAME, normalise_url, split_schema


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Database:
    """A --db URL taken apart: SQLite's file, or PostgreSQL's URL and schema."""

    dialect: str
    path: Path | None = None
    url: URL | None = None
    schema: str | None = None

    @classmethod
    def of(cls, text: str) -> Database:
        rest, schema = split_schema(text)
        normalised, dialect = normalise_url(rest)
        url = make_url(normalised)
        if dialect == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("give the SQLite database as a file: sqlite:///PATH")
            return cls("sqlite", path=Path(url.database).expanduser())
        return cls("postgresql", url=url, schema=schema)

    def libpq(self) -> tuple[str, dict[str, str]]:
        """The URL pg_dump and psql understand, and the environment carrying
        the password (kept off the command line, where `ps` would show it)."""
        assert self.url is not None
        env = dict(os.environ)
        if self.url.password is not None:
            env["PGPASSWORD"] = str(self.url.password)
        plain = URL.create("postgresql", username=self.url.username, host=self.url.host,
                           port=self.url.port, database=self.url.database)
        return plain.render_as_string(hide_password=False), env


# ------------------------------------------------------------------ SQLite
def backup_sqlite(source: Path, out: Path) -> int:
    """Snapshot `source` into `out` (a new file, written beside and renamed
    into place, so `out` is never half-written); returns its last seq."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=15)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check(dst, partial)
            seq = _last_seq(dst)
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, out)
    return seq


def restore_sqlite(backup: Path, target: Path, replace: bool) -> int:
    """Copy the backup into `target` page by page (the backup API again), so
    the file keeps its name and WAL mode; returns the restored last seq."""
    src = _open_backup(backup)
    try:
        if target.exists() and _has_tables(target) and not replace:
            raise BackupError(f"{target} already holds a database: stop its server, then "
                              "add --replace to overwrite it with the backup")
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=15)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            return _last_seq(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _open_backup(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    try:
        connection = sqlite3.connect(path)
        _check(connection, path)
        connection.execute("SELECT seq FROM events LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an Antrean SQLite backup ({exc})") from None
    return connection


def _check(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


def _has_tables(path: Path) -> bool:
    connection = sqlite3.connect(path)
    try:
        tables: int = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        return tables > 0
    except sqlite3.DatabaseError:
        return True  # something that is not an empty database: never overwritten silently
    finally:
        connection.close()


def _last_seq(connection: sqlite3.Connection) -> int:
    try:
        row = connection.execute("SELECT max(seq) FROM events").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0] or 0)


# ------------------------------------------------------------------ PostgreSQL
def pg_dump_command(db: Database, out: Path) -> tuple[list[str], dict[str, str]]:
    url, env = db.libpq()
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={out}", f"--dbname={url}"]
    if db.schema:
        command.append(f"--schema={db.schema}")
    return command, env


def pg_restore_command(db: Database, backup: Path) -> tuple[list[str], dict[str, str]]:
    url, env = db.libpq()
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
               f"--dbname={url}", str(backup)]
    if not db.schema:
        command[1:1] = ["--clean", "--if-exists"]
    return command, env


def _drop_schema_command(db: Database) -> tuple[list[str], dict[str, str]]:
    assert db.schema is not None and SCHEMA_NAME.fullmatch(db.schema)
    url, env = db.libpq()
    return ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={url}",
            f"--command=DROP SCHEMA IF EXISTS \"{db.schema}\" CASCADE"], env


def _dumped_schemas(backup: Path) -> set[str]:
    listing = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True,
                             text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(f"{backup} is not a pg_dump archive: {listing.stderr.strip()}")
    schemas = set()
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[3] == "SCHEMA":
            schemas.add(parts[5])
    return schemas


def _shown(command: list[str]) -> str:
    return " ".join(f"'{part}'" if " " in part or "?" in part else part for part in command)


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed here (Debian: apt install "
                          f"postgresql-client, the same major version as the server or newer)."
                          f" On a machine that has it, run:\n  {_shown(command)}")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({command[0]} exit {done.returncode}): "
                          f"{done.stderr.strip()}")


def backup_postgresql(db: Database, out: Path) -> None:
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    command, env = pg_dump_command(db, partial)
    try:
        _run(command, env, "pg_dump")
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)


def restore_postgresql(db: Database, backup: Path, replace: bool) -> None:
    if not backup.is_file():
        raise BackupError(f"no backup file at {backup}")
    if shutil.which("pg_restore") is not None:
        schemas = _dumped_schemas(backup)
        if db.schema and schemas and db.schema not in schemas:
            raise BackupError(f"the backup holds schema {', '.join(sorted(schemas))}, not "
                              f"{db.schema}: restore it with ?schema={sorted(schemas)[0]}")
    if not replace:
        raise BackupError("restoring replaces the office's tables: stop its servers, then "
                          "add --replace")
    if db.schema:  # the schema as the backup has it, nothing more
        _run(*_drop_schema_command(db), "dropping the schema before the restore")
    _run(*pg_restore_command(db, backup), "pg_restore")


# ------------------------------------------------------------------ commands
def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, help="the server's database URL")
    parser.add_argument("--out", required=True, help="the backup file to write (must not "
                        "exist yet)")


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", metavar="FILE", required=True,
                        help="the backup file")
    parser.add_argument("--db", required=True, help="the database URL to restore into")
    parser.add_argument("--replace", action="store_true",
                        help="overwrite a database that already holds tables (stop its "
                             "server first)")


def run_backup(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    try:
        db = Database.of(args.db)
        if out.exists():
            raise BackupError(f"{out} exists: give a new file name (backups are never "
                              "overwritten)")
        if not out.parent.is_dir():
            raise BackupError(f"no folder {out.parent} for the backup")
        if db.dialect == "sqlite":
            assert db.path is not None
            seq = backup_sqlite(db.path, out)
            print(f"backed up {db.path} to {out} (events up to seq {seq})")
        else:
            backup_postgresql(db, out)
            print(f"backed up {_where(db)} to {out} with pg_dump (custom format; "
                  f"restore with: antrean restore --from {out} --db URL --replace)")
    except (BackupError, ValueError) as exc:
        print(f"antrean backup: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:
        print(f"antrean backup: {exc}", file=sys.stderr)
        return 1
    return 0


def run_restore(args: argparse.Namespace) -> int:
    source = Path(args.source).expanduser()
    try:
        db = Database.of(args.db)
        if db.dialect == "sqlite":
            assert db.path is not None
            seq = restore_sqlite(source, db.path, args.replace)
            print(f"restored {source} into {db.path} (events up to seq {seq})")
        else:
            restore_postgresql(db, source, args.replace)
            print(f"restored {source} into {_where(db)}")
        print(_schema_note(args.db))
    except (BackupError, ValueError) as exc:
        print(f"antrean restore: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:
        print(f"antrean restore: {exc}", file=sys.stderr)
        return 1
    return 0


def _schema_note(url: str) -> str:
    """Where the restored database's schema stands, and what to run if it is old."""
    from server.migrations import SchemaState, schema_state
    from server.migrations.cli import on_database, shown
    from server.store import metadata

    state: SchemaState = asyncio.run(on_database(url, lambda c: schema_state(c, metadata)))
    note = f"the database is {state.describe()}"
    if state.kind in ("unversioned", "behind"):
        note += f": before serving it, run: antrean db upgrade --db '{shown(url)}'"
    return note


def _where(db: Database) -> str:
    assert db.url is not None
    place = db.url.render_as_string(hide_password=True)
    return f"{place} schema {db.schema}" if db.schema else place
