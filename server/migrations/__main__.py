"""For developers: `python -m server.migrations revision "what changes"`.

Upgrades a scratch SQLite database to HEAD, lets Alembic compare it with the
store's metadata (server/store.py, after your change), writes the next
numbered revision into versions/ (batch operations, so it runs on SQLite and
PostgreSQL) and moves HEAD to it. Read the file it wrote before committing:
autogenerate sees tables, columns, types, nullability and indexes, not data
changes or renames (write those by hand)."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from server.migrations import HEAD, alembic_config


def new_revision(message: str) -> Path:
    revision = f"{int(HEAD) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        with engine.begin() as conn, alembic_config(conn) as config:
            command.upgrade(config, "head")
            script = command.revision(config, message=message, autogenerate=True,
                                      rev_id=revision)
        engine.dispose()
    package = Path(__file__).with_name("__init__.py")
    text = package.read_text(encoding="utf-8")
    package.write_text(re.sub(r'^HEAD = "\d+"$', f'HEAD = "{revision}"', text, count=1,
                              flags=re.MULTILINE), encoding="utf-8")
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "revision" or not argv[1].strip():
        print('usage: python -m server.migrations revision "what changes"', file=sys.stderr)
        return 2
    path = new_revision(argv[1])
    print(f"wrote {path}; HEAD is now {path.name.split('_', 1)[0]}: read it, then run "
          "the migration tests (tests/server/test_migrations.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
