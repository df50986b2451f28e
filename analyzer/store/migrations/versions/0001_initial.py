"""Initial schema: packages, versions, artifacts, jobs, results, findings, cursors, reviews.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ecosystem", sa.String(16), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("first_seen_at", sa.Float, nullable=False),
        sa.UniqueConstraint("ecosystem", "key"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("package_id", sa.Integer, sa.ForeignKey("packages.id"), nullable=False),
        sa.Column("version", sa.String(256), nullable=False),
        sa.Column("feed", sa.String(16), nullable=False),
        sa.Column("published_at", sa.Float),
        sa.Column("discovered_at", sa.Float, nullable=False),
        sa.Column("signals", sa.JSON, nullable=False),
        sa.UniqueConstraint("package_id", "version"),
    )
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("filename", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("size", sa.Integer),
        sa.Column("sha256", sa.String(64)),
        sa.UniqueConstraint("version_id", "filename"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("available_at", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("lease_token", sa.String(64)),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires_at", sa.Float),
        sa.Column("heartbeat_at", sa.Float),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_jobs_version_id", "jobs", ["version_id"])
    op.create_index("ix_jobs_claim", "jobs", ["state", "priority", "available_at"])
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id"), nullable=False, unique=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("verdict", sa.String(16)),
        sa.Column("score", sa.Float),
        sa.Column("sha256", sa.String(64)),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_results_version_id", "results", ["version_id"])
    op.create_index("ix_results_verdict", "results", ["verdict"])
    op.create_index("ix_results_created_at", "results", ["created_at"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id"), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(16)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_findings_result_id", "findings", ["result_id"])
    op.create_index("ix_findings_rule", "findings", ["rule"])
    op.create_table(
        "feed_cursors",
        sa.Column("feed", sa.String(16), primary_key=True),
        sa.Column("position", sa.Text, nullable=False),
        sa.Column("origin_time", sa.Float),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("gaps", sa.Integer, nullable=False),
        sa.Column("releases", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("last_ok_at", sa.Float),
    )
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("results.id"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("decided_at", sa.Float, nullable=False),
    )
    op.create_index("ix_review_decisions_result_id", "review_decisions", ["result_id"])


def downgrade() -> None:
    for table in ("review_decisions", "feed_cursors", "findings", "results", "jobs",
                  "artifacts", "versions", "packages"):
        op.drop_table(table)
