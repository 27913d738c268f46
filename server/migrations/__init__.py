"""The database schema's versions (Alembic), shipped inside the package.

- `antrean db upgrade --db URL` brings any database made by an Antrean build
  to this build's schema (`upgrade`); `antrean db current` says where it is.
- The server checks on start (`ensure_schema`, plain SQL, without importing
  Alembic: a restart stays fast): a brand-new empty database is created at
  HEAD; one at HEAD is used; one behind HEAD (or made before migrations
  existed) is refused with the command to run.

Revisions live in `versions/` (this package's folder, found through
importlib.resources, never through the source tree). To add one, see
docs/deployment.md ("Schema migrations"): `python -m server.migrations
revision "what changes"` writes the next numbered file from the store's
metadata and moves HEAD.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in versions/ (a test checks that Alembic agrees).
HEAD = "0005"
VERSION_TABLE = "alembic_version"
# The transaction-scoped PostgreSQL advisory lock that keeps two servers (or a
# server and `antrean db upgrade`) from creating or changing the schema at once.
SCHEMA_LOCK = 0x616E_7472_0001


class SchemaError(Exception):
    """The database's schema cannot be used by this build; says what to do."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands: `empty` (no Antrean table), `unversioned`
    (made by a build before migrations), `behind`, `head`, or `unknown` (a
    revision this build does not have: made by a newer build)."""

    kind: str
    revision: str | None

    def describe(self) -> str:
        return {
            "empty": "empty (no Antrean tables yet)",
            "unversioned": "made by a build before schema versions (no revision)",
            "behind": f"at revision {self.revision}, behind this build's {HEAD}",
            "head": f"at revision {self.revision} (head, up to date)",
            "unknown": f"at revision {self.revision}, which this build does not know "
                       f"(a newer Antrean made it; this build's head is {HEAD})",
        }[self.kind]


class SchemaOutdated(SchemaError):
    """The schema is older than this build needs: `antrean db upgrade` first."""

    def __init__(self, state: SchemaState) -> None:
        super().__init__(f"the database is {state.describe()}")
        self.state = state


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")


def schema_state(conn: Connection, metadata: MetaData) -> SchemaState:
    tables = set(inspect(conn).get_table_names())
    if VERSION_TABLE in tables:
        versions = [row[0] for row in conn.exec_driver_sql(
            f"SELECT version_num FROM {VERSION_TABLE}")]
        if versions == [HEAD]:
            return SchemaState("head", HEAD)
        if len(versions) == 1 and versions[0] in _revisions():
            return SchemaState("behind", versions[0])
        if versions:
            return SchemaState("unknown", ", ".join(versions))
    if tables & set(metadata.tables):
        return SchemaState("unversioned", None)
    return SchemaState("empty", None)


def ensure_schema(conn: Connection, metadata: MetaData) -> SchemaState:
    """On start: create a brand-new database at HEAD, accept one at HEAD,
    refuse anything else (SchemaOutdated, or SchemaError for a newer one)."""
    _lock(conn)
    state = schema_state(conn, metadata)
    if state.kind == "head":
        return state
    if state.kind == "empty":
        metadata.create_all(conn)
        conn.exec_driver_sql(
            f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
            f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))")
        conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES ('{HEAD}')")
        return SchemaState("head", HEAD)
    if state.kind == "unknown":
        raise SchemaError(f"the database is {state.describe()}: run the newer build, or "
                          "restore a backup made for this one")
    raise SchemaOutdated(state)


def upgrade(conn: Connection, metadata: MetaData) -> tuple[SchemaState, SchemaState]:
    """Run every revision the database lacks, in the caller's transaction;
    (state before, state after)."""
    from alembic import command

    _lock(conn)
    before = schema_state(conn, metadata)
    if before.kind == "unknown":
        raise SchemaError(f"the database is {before.describe()}: not upgrading it")
    if before.kind != "head":
        with alembic_config(conn) as config:
            command.upgrade(config, "head")
    return before, schema_state(conn, metadata)


@contextmanager
def alembic_config(conn: Connection | None = None) -> Iterator[Config]:
    """Alembic's configuration, pointing at this package's folder as the
    installed package has it, with the caller's connection for env.py."""
    from alembic.config import Config

    with resources.as_file(resources.files(__package__)) as folder:
        config = Config()
        config.set_main_option("script_location", str(folder))
        config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
        if conn is not None:
            config.attributes["connection"] = conn
        yield config


def _revisions() -> set[str]:
    """Every revision id in versions/ (read only when a database is behind)."""
    from alembic.script import ScriptDirectory

    with alembic_config() as config:
        return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def versions_folder() -> Path:
    with resources.as_file(resources.files(__package__) / "versions") as folder:
        return Path(folder)
