"""OSV records imported by `pkgsandbox osv import`.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "osv_records",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("modified", sa.String(64), nullable=True),
        sa.Column("imported_at", sa.Float, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("osv_records")
