"""`antrean db upgrade|current`: the schema's version, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from server.backup import BackupError
from server.migrations import HEAD, SchemaError, SchemaOutdated, SchemaState, schema_state, upgrade
from server.store import Store, metadata, normalise_url, split_schema

_R = TypeVar("_R")


def add_db_arguments(parser: argparse.ArgumentParser, default_db: Callable[[], str]) -> None:
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    for name, text in (("upgrade", "bring the database to this build's schema (keeps every "
                                   "row; back it up first: antrean backup)"),
                       ("current", "say which schema revision the database is at")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--db", default=None,
                            help=f"the server's database URL (default: {default_db()})")
        if name == "upgrade":
            action.add_argument("--no-backup", action="store_true",
                                help="SQLite: do not keep a copy of the file as it was "
                                     "(FILE.before-REVISION.bak) before changing it")


def shown(url: str) -> str:
    """The URL as the user may see it: no password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # shown as written when it does not parse
        return url


def refusal(error: SchemaError, url: str) -> str:
    """Why the server will not start on this database, and what to run."""
    if isinstance(error, SchemaOutdated):
        db = shown(url)
        return (f"{error}; this build needs schema revision {HEAD}.\n"
                f"  Back it up:  antrean backup --db '{db}' --out antrean-backup.db\n"
                f"  then run:    antrean db upgrade --db '{db}'")
    return str(error)


async def on_database(url: str, work: Callable[[Connection], _R]) -> _R:
    """Run `work` in one transaction on the database; on SQLite one that
    also covers DDL (BEGIN IMMEDIATE: an upgrade is all or nothing, and waits
    for a server writing the same file)."""
    store = Store(url)
    if store.dialect == "sqlite":
        await store.close()
        return _on_sqlite(store.url, work)
    try:
        def in_schema(conn: Connection) -> _R:
            if store.schema:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store.schema}"')
            return work(conn)

        return await store.run(in_schema, transaction=True)
    finally:
        await store.close()


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL); ValueError for a bad URL."""
    rest, _ = split_schema(url)
    normalised, dialect = normalise_url(rest)
    database = make_url(normalised).database
    if dialect != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).expanduser()


def _keep_a_copy(path: Path) -> Path:
    """SQLite, before an upgrade changes the file: a copy of it as it was."""
    from server.backup import backup_sqlite

    copy = path.with_name(f"{path.name}.before-{HEAD}.bak")
    if copy.exists():
        copy = path.with_name(f"{path.name}.before-{HEAD}-{int(time.time())}.bak")
    backup_sqlite(path, copy)
    return copy


def run(args: argparse.Namespace, default_db: str) -> int:
    url = args.db or default_db
    try:
        path = sqlite_file(url)
        if path is not None and not path.exists() and args.db_command == "current":
            print(f"{shown(url)}: no database file yet (the server creates it at head on "
                  "its first start)")
            return 0
        state: SchemaState = asyncio.run(on_database(url, lambda c: schema_state(c, metadata)))
        if args.db_command == "current":
            print(f"{shown(url)}: {state.describe()}")
            return 0
        if (path is not None and state.kind in ("unversioned", "behind")
                and not args.no_backup):
            print(f"kept a copy of the database as it was: {_keep_a_copy(path)}")
        before, after = asyncio.run(on_database(url, lambda c: upgrade(c, metadata)))
    except ValueError as exc:  # a database URL that cannot be used
        print(f"antrean db: --db: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"antrean db: {exc}", file=sys.stderr)
        return 2
    except BackupError as exc:
        print(f"antrean db: could not keep a copy before upgrading ({exc}); nothing was "
              "changed (--no-backup upgrades without one)", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as exc:
        print(f"antrean db: cannot use the database {shown(url)}: {exc}", file=sys.stderr)
        return 1
    if before == after:
        print(f"{shown(url)}: already {after.describe()}")
    else:
        print(f"{shown(url)}: upgraded to revision {after.revision} (it was "
              f"{before.describe()})")
    return 0


def _on_sqlite(url: str, work: Callable[[Connection], _R]) -> _R:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver starts none of its own
        dbapi_connection.execute("PRAGMA busy_timeout=15000")

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as conn:
            return work(conn)
    finally:
        engine.dispose()
