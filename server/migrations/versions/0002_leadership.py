"""leadership: who leads an office on PostgreSQL (hot standby)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

The table the hot standby's fencing checks (server/standby.py): one row, whose
`term` rises at every take-over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by create_all before it was versioned may have it already.
    if "leadership" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table('leadership',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('term', sa.BigInteger(), nullable=False),
    sa.Column('node', sa.Text(), nullable=True),
    sa.Column('since', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table("leadership")
