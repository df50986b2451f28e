"""From a feed into the queue: read past the cursor, plan each release, record atomically."""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass

from analyzer.defaults import START_CHOICES
from analyzer.feeds.interface import Cursor, Feed
from analyzer.scheduler.priority import plan
from analyzer.store.database import Database
from analyzer.store.releases import known_versions, load_cursor, record_batch, start_cursor

log = logging.getLogger(__name__)
# Replication lags: a watcher starting "now" still takes what was published shortly
# before, so that nothing falls between the clock and the feed position it starts at.
ORIGIN_SLACK_S = 24 * 3600.0


class Start(enum.StrEnum):
    """Where a feed without a cursor starts."""

    NOW = "now"  # its current position; earlier releases are history
    BEGINNING = "beginning"  # position 0, everything (test registries, mirrors)


@dataclass(frozen=True)
class Poll:
    created: int  # new jobs
    caught_up: bool  # False: more is waiting, poll again at once


def poll_feed(db: Database, feed: Feed, start: Start, max_attempts: int,
              stop: threading.Event, max_batches: int = 20) -> Poll:
    """Read `feed` until it is caught up, for at most `max_batches` batches (so that a
    long catch-up leaves the watcher time to supervise its workers), enqueueing as it goes.

    Every batch is recorded with its cursor in one transaction before the next is read,
    so an interruption anywhere resumes from the last recorded batch. Raises `FeedError`
    or `RegistryError` (the registry) or `StoreError` (the database).
    """
    cursor = load_cursor(db, feed.name)
    if cursor is None:
        cursor = _first_cursor(db, feed, start)
    known = known_versions(db)
    created = 0
    for _ in range(max_batches):
        if stop.is_set():
            break
        batch = feed.read(cursor, known)
        planned = [plan(release) for release in batch.releases]
        new = record_batch(db, feed.name, cursor, batch, planned, max_attempts, time.time())
        created += new
        if new or batch.position != cursor.position:
            log.debug("%s: %d new releases, now at %s", feed.name, new, batch.position)
        cursor = Cursor(batch.position, cursor.origin_time)
        if batch.caught_up:
            return Poll(created, caught_up=True)
    return Poll(created, caught_up=False)


def _first_cursor(db: Database, feed: Feed, start: Start) -> Cursor:
    if start is Start.BEGINNING:
        position, origin = "0", None
    else:
        origin = time.time() - ORIGIN_SLACK_S
        position = feed.current_position()
    cursor = start_cursor(db, feed.name, position, origin, time.time())
    log.info("%s: first run, starting at position %s", feed.name, cursor.position)
    return cursor


# The CLI offers these names from analyzer.defaults without importing this module.
assert tuple(s.value for s in Start) == START_CHOICES
