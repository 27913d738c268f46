"""`antrean db upgrade|current`: the schema's version, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from server.migrations import HEAD, SchemaError, SchemaOutdated, SchemaState, schema_state, upgrade
from server.store import Store, metadata

_R = TypeVar("_R")


def add_db_arguments(parser: argparse.ArgumentParser, default_db: Callable[[], str]) -> None:
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    for name, text in (("upgrade", "bring the database to this build's schema (keeps every "
                                   "row; back it up first: antrean backup)"),
                       ("current", "say which schema revision the database is at")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--db", default=None,
                            help=f"the server's database URL (default: {default_db()})")


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


def run(args: argparse.Namespace, default_db: str) -> int:
    url = args.db or default_db
    try:
        if args.db_command == "current":
            state: SchemaState = asyncio.run(on_database(url, lambda c: schema_state(c, metadata)))
            print(f"{shown(url)}: {state.describe()}")
            return 0
        before, after = asyncio.run(on_database(url, lambda c: upgrade(c, metadata)))
    except ValueError as exc:  # a database URL that cannot be used
        print(f"antrean db: --db: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:
        print(f"antrean db: {exc}", file=sys.stderr)
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
