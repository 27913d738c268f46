"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Runs on SQLite and PostgreSQL alike: use `op.batch_alter_table` to change a
table (SQLite rebuilds it, PostgreSQL alters it), new columns on existing
tables nullable. Then set HEAD in server/migrations/__init__.py to this
revision (`python -m server.migrations revision` does both).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
