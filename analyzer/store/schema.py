"""The tables, as typed SQLAlchemy models; migrations/ creates them, this module reads them.

Times are Unix seconds (float) so that lease arithmetic is the same plain comparison on
SQLite and PostgreSQL. Names and versions are whatever a registry said: never trusted,
always bound as parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (UniqueConstraint("ecosystem", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ecosystem: Mapped[str] = mapped_column(String(16))
    # PyPI folds case and runs of -_. (PEP 503); `key` is that form, `name` as published.
    key: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(256))
    first_seen_at: Mapped[float] = mapped_column(Float)


class Version(Base):
    __tablename__ = "versions"
    # The (ecosystem, name, version) uniqueness: one row per release, ever.
    __table_args__ = (UniqueConstraint("package_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    version: Mapped[str] = mapped_column(String(256))
    feed: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[float | None] = mapped_column(Float)
    discovered_at: Mapped[float] = mapped_column(Float)
    # Risk signals seen at discovery (install hooks, first release, typosquat target).
    signals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Artifact(Base):
    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("version_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    filename: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    # npm publishes sha1/sha512 only: sha256 is filled in once the artifact was analysed.
    sha256: Mapped[str | None] = mapped_column(String(64))


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "state", "priority", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # "feed" | "rerun"
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    available_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
    # A fresh token per claim: completion succeeds only while the token is still ours.
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[float | None] = mapped_column(Float)
    heartbeat_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)


class Result(Base):
    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)
    rule: Mapped[str] = mapped_column(String(128), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)


class FeedCursor(Base):
    __tablename__ = "feed_cursors"

    feed: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[str] = mapped_column(Text)
    # Releases published before this are history, not news (None: take everything).
    origin_time: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # "ok" | "down"
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    gaps: Mapped[int] = mapped_column(Integer, default=0)
    releases: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[float] = mapped_column(Float)
    last_ok_at: Mapped[float | None] = mapped_column(Float)


class ReviewDecision(Base):
    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # "confirmed" | "dismissed"
    reviewer: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[float] = mapped_column(Float)


class AllowListEntry(Base):
    """A rule a reviewer dismissed as a false positive for one package: it no longer counts.

    One row per rule that fired on the dismissed result; `result_id` is that result, so
    that a later confirmation of it can take its entries back.
    """

    __tablename__ = "allow_list"
    __table_args__ = (Index("ix_allow_list_package", "ecosystem", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ecosystem: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(256))  # `Package.key`: the normalised name
    rule: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)


class OsvRecordRow(Base):
    """An OSV malicious-package record imported from ossf/malicious-packages (one per id)."""

    __tablename__ = "osv_records"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    modified: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[float] = mapped_column(Float)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
