"""Baseline: the schema as the builds before migrations made it, brought to
what this build's store needs.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Three shapes of database exist from earlier builds (none versioned):
- the first release (54bf4a4): `events`, `tickets`, `counters`, `requests`,
  with VARCHAR(200) device columns and a VARCHAR(260) request id;
- from 1accfeb: also `checkpoints`;
- from 6587164: the device columns and the request id are TEXT.
This revision creates every table that is missing (all of them in an empty
database) and makes the VARCHAR columns TEXT (PostgreSQL alters them; SQLite
copies the table, rows and index included, in the upgrade's one
transaction). Rows are kept as they are. Running it on a database already in
today's shape changes nothing.

The tables are written out here as they are at this revision (not taken from
the store's metadata, which later revisions change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# (table, column, nullable) that earlier builds made VARCHAR and are TEXT now.
_WIDENED = (
    ("events", "device", True),
    ("counters", "device", True),
    ("requests", "device", False),
    ("requests", "request_id", False),
)


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    if "events" not in existing:
        op.create_table(
            "events",
            sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("at", sa.String(40), nullable=False),
            sa.Column("name", sa.String(40), nullable=False),
            sa.Column("data", sa.Text(), nullable=False),
            sa.Column("device", sa.Text(), nullable=True),
            sa.Column("staff", sa.String(200), nullable=True),
            sa.PrimaryKeyConstraint("seq"),
        )
        op.create_index("ix_events_day", "events", ["day"])
    if "tickets" not in existing:
        op.create_table(
            "tickets",
            sa.Column("id", sa.String(40), nullable=False),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("number", sa.String(20), nullable=False),
            sa.Column("service", sa.String(40), nullable=False),
            sa.Column("priority", sa.String(10), nullable=False),
            sa.Column("status", sa.String(10), nullable=False),
            sa.Column("issued_at", sa.String(40), nullable=False),
            sa.Column("called_at", sa.String(40), nullable=True),
            sa.Column("started_at", sa.String(40), nullable=True),
            sa.Column("finished_at", sa.String(40), nullable=True),
            sa.Column("counter", sa.String(40), nullable=True),
            sa.Column("calls", sa.Integer(), nullable=False),
            sa.Column("lang", sa.String(5), nullable=True),
            sa.Column("origin_service", sa.String(40), nullable=True),
            sa.Column("closed_reason", sa.String(200), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_tickets_day", "tickets", ["day"])
    if "counters" not in existing:
        op.create_table(
            "counters",
            sa.Column("id", sa.String(40), nullable=False),
            sa.Column("state", sa.String(10), nullable=False),
            sa.Column("services", sa.Text(), nullable=False),
            sa.Column("ticket", sa.String(40), nullable=True),
            sa.Column("device", sa.Text(), nullable=True),
            sa.Column("staff", sa.String(200), nullable=True),
            sa.Column("since", sa.String(40), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
    if "checkpoints" not in existing:
        op.create_table(
            "checkpoints",
            sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("data", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )
        op.create_index("ix_checkpoints_day", "checkpoints", ["day"])
    if "requests" not in existing:
        op.create_table(
            "requests",
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("device", sa.Text(), nullable=False),
            sa.Column("request_id", sa.Text(), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("day", "device", "request_id"),
        )
    if "login_failures" not in existing:
        op.create_table(
            "login_failures",
            sa.Column("username", sa.String(200), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("locked_until", sa.Float(), nullable=True),
            sa.Column("updated_at", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("username"),
        )
    inspector = sa.inspect(bind)
    for table in ("events", "counters", "requests"):
        found = {c["name"]: c["type"] for c in inspector.get_columns(table)}
        narrow = [(column, nullable) for name, column, nullable in _WIDENED
                  if name == table and not isinstance(found[column], sa.Text)]
        if narrow:
            # PostgreSQL alters the columns; SQLite copies the table into a new one.
            with op.batch_alter_table(table) as batch:
                for column, nullable in narrow:
                    batch.alter_column(column, type_=sa.Text(), existing_type=found[column],
                                       existing_nullable=nullable)


def downgrade() -> None:
    raise NotImplementedError("the baseline cannot be undone: restore a backup "
                              "(antrean restore --from FILE --db URL)")
