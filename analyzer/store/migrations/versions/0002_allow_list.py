"""Allow-list: rules a reviewer dismissed as false positives, per package.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allow_list",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ecosystem", sa.String(16), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id"), nullable=False),
    )
    op.create_index("ix_allow_list_package", "allow_list", ["ecosystem", "key"])
    op.create_index("ix_allow_list_result_id", "allow_list", ["result_id"])


def downgrade() -> None:
    op.drop_table("allow_list")
