"""events.hash: the tamper-evident audit chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Every event row carries SHA-256(previous hash || the event's canonical bytes)
(server/audit.py). This adds the nullable column and chains the events that an
earlier build wrote, from their first event on, in the upgrade's transaction.
PostgreSQL's append-only triggers are (re)installed by the server on every
start (server/audit.py: prepare).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server import audit

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    columns = {column["name"] for column in sa.inspect(bind).get_columns("events")}
    if "hash" not in columns:
        with op.batch_alter_table("events", schema=None) as batch_op:
            batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    audit.backfill_chain(bind)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("hash")
