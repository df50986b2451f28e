"""Recording what the feeds found: releases, their jobs and the cursor, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from analyzer.feeds.interface import Batch, Cursor, KnownVersions, Release
from analyzer.models import Ecosystem
from analyzer.store.columns import JobState
from analyzer.store.database import Database, StoreError
from analyzer.store.schema import Artifact, FeedCursor, Job, Package, Version

GONE_ERROR = "removed from the registry before it could be fetched"


class CursorConflict(StoreError):
    """The feed cursor moved under us: another watcher reads the same feed into this DB."""


@dataclass(frozen=True)
class PlannedRelease:
    """A release with the priority and risk signals the scheduler gave it."""

    release: Release
    priority: int
    signals: dict[str, Any]


def package_key(ecosystem: Ecosystem | str, name: str) -> str:
    """The name as the registry compares it: PEP 503 for PyPI, exact for npm."""
    if Ecosystem(ecosystem) is Ecosystem.PYPI:
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def known_versions(db: Database) -> KnownVersions:
    """A lookup of the versions already recorded for one package."""

    def lookup(ecosystem: Ecosystem, name: str) -> frozenset[str]:
        with db.reading() as session:
            rows = session.scalars(
                select(Version.version).join(Package, Package.id == Version.package_id)
                .where(Package.ecosystem == ecosystem.value,
                       Package.key == package_key(ecosystem, name)))
            return frozenset(rows)

    return lookup


def load_cursor(db: Database, feed: str) -> Cursor | None:
    """The persisted cursor; None before the feed was ever read (even if it was down)."""
    with db.reading() as session:
        row = session.get(FeedCursor, feed)
        if row is None or not row.position:
            return None
        return Cursor(row.position, row.origin_time)


def start_cursor(db: Database, feed: str, position: str, origin_time: float | None,
                 now: float) -> Cursor:
    """The feed's cursor, created at `position` if it has none yet (an existing one wins)."""
    with db.transaction() as session:
        row = session.get(FeedCursor, feed)
        if row is None:
            row = FeedCursor(feed=feed, position=position, origin_time=origin_time, status="ok",
                             failures=0, gaps=0, releases=0, updated_at=now, last_ok_at=now)
            session.add(row)
        elif not row.position:  # the feed was down at its very first read
            row.position, row.origin_time = position, origin_time
        return Cursor(row.position, row.origin_time)


def record_batch(db: Database, feed: str, read_from: Cursor, batch: Batch,
                 planned: Sequence[PlannedRelease], max_attempts: int, now: float) -> int:
    """Enqueue the new releases and move the cursor, atomically; the number of new jobs.

    The cursor must still be where this batch was read from: if it moved, another
    watcher is reading the same feed into this database, which is refused.
    """
    with db.transaction() as session:
        cursor = session.get(FeedCursor, feed, with_for_update=True)
        if cursor is None or cursor.position != read_from.position:
            raise CursorConflict(f"the {feed} cursor moved under us: is another watcher"
                                 " running against this database?")
        created = sum(_enqueue(session, item, feed, max_attempts, now) for item in planned)
        cursor.position = batch.position
        cursor.status, cursor.last_error, cursor.failures = "ok", None, 0
        cursor.gaps += 1 if batch.gap else 0
        cursor.releases += created
        cursor.updated_at = cursor.last_ok_at = now
        return created


def record_feed_error(db: Database, feed: str, message: str, now: float) -> int:
    """Mark the feed down with its error; the number of failed polls in a row."""
    with db.transaction() as session:
        cursor = session.get(FeedCursor, feed, with_for_update=True)
        if cursor is None:  # down before it ever had a position
            cursor = FeedCursor(feed=feed, position="", origin_time=None, status="down",
                                failures=0, gaps=0, releases=0, updated_at=now)
            session.add(cursor)
        cursor.status, cursor.last_error, cursor.updated_at = "down", message[:2000], now
        cursor.failures += 1
        return cursor.failures


def _enqueue(session: Session, item: PlannedRelease, feed: str, max_attempts: int,
             now: float) -> int:
    release = item.release
    package_id = _insert_ignore(session, Package, ["ecosystem", "key"], {
        "ecosystem": release.ecosystem.value, "key": package_key(release.ecosystem, release.name),
        "name": release.name, "first_seen_at": now})
    if package_id is None:
        package_id = session.scalars(select(Package.id).where(
            Package.ecosystem == release.ecosystem.value,
            Package.key == package_key(release.ecosystem, release.name))).one()
    version_id = _insert_ignore(session, Version, ["package_id", "version"], {
        "package_id": package_id, "version": release.version, "feed": feed,
        "published_at": release.published_at, "discovered_at": now, "signals": item.signals})
    if version_id is None:
        return 0  # seen before: a release is analysed once, unless a re-run is asked for
    for file in {f.filename: f for f in release.files}.values():
        session.add(Artifact(version_id=version_id, filename=file.filename[:512], kind=file.kind,
                             url=file.url, size=file.size, sha256=file.sha256))
    session.add(Job(
        version_id=version_id, reason="feed", priority=item.priority, attempts=0,
        max_attempts=max_attempts, available_at=now, created_at=now,
        state=JobState.DEAD.value if release.gone else JobState.QUEUED.value,
        finished_at=now if release.gone else None,
        last_error=GONE_ERROR if release.gone else None))
    return 1


def _insert_ignore(session: Session, model: type[Package] | type[Version],
                   unique: list[str], values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None if it existed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(model).values(**values).on_conflict_do_nothing(index_elements=unique)
                 .returning(model.id))
    new_id: int | None = session.execute(statement).scalar_one_or_none()
    return new_id
