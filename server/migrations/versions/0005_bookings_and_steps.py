"""bookings, and a ticket's step and booking

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Appointments (server/bookings.py: imported, added or cancelled by a
supervisor, checked in at the kiosk) get their own table; a ticket row gains
its step of a multi-step visit (`step` of `steps`), the booking it checked in
with and its slot's start. All new ticket columns are nullable: a row written
by an earlier build is a one-step walk-in.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TICKET_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("step", sa.Integer()),
    ("steps", sa.Integer()),
    ("booking", sa.String(length=40)),
    ("slot_at", sa.String(length=40)),
)


def upgrade() -> None:
    # A database made by create_all before it was versioned may have them already.
    inspector = sa.inspect(op.get_bind())
    if "bookings" not in inspector.get_table_names():
        op.create_table(
            "bookings",
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("service", sa.String(length=40), nullable=False),
            sa.Column("day", sa.String(length=10), nullable=False),
            sa.Column("start", sa.String(length=5), nullable=False),
            sa.Column("end", sa.String(length=5), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=True),
            sa.Column("cancelled", sa.Integer(), nullable=False),
            sa.Column("updated_at", sa.String(length=40), nullable=False),
            sa.Column("added_by", sa.String(length=200), nullable=True),
            sa.Column("cancelled_by", sa.String(length=200), nullable=True),
            sa.PrimaryKeyConstraint("code"),
        )
        op.create_index("ix_bookings_day", "bookings", ["day"], unique=False)
    present = {column["name"] for column in inspector.get_columns("tickets")}
    missing = [(name, kind) for name, kind in _TICKET_COLUMNS if name not in present]
    if missing:
        with op.batch_alter_table("tickets", schema=None) as batch_op:
            for name, kind in missing:
                batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name, _kind in reversed(_TICKET_COLUMNS):
            batch_op.drop_column(name)
    op.drop_index("ix_bookings_day", table_name="bookings")
    op.drop_table("bookings")
