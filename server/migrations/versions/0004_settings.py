"""settings: server-wide values that must survive restarts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

One row per setting, e.g. `visitor_key_secret`: the secret behind every ticket's
page key (server/web.py), so a printed QR still opens its page after a restart.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by create_all before it was versioned may have it already.
    if "settings" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("settings")
