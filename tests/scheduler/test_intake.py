"""From a feed into the queue: where a new feed starts, batch by batch commits, paging."""

from __future__ import annotations

import threading
import time

import pytest

from analyzer.feeds.interface import Batch, Cursor, KnownVersions
from analyzer.feeds.npm import NpmFeed
from analyzer.feeds.pypi import PypiFeed
from analyzer.httpclient import HttpClient
from analyzer.scheduler.intake import ORIGIN_SLACK_S, Start, poll_feed
from analyzer.store.database import Database
from analyzer.store.releases import known_versions, load_cursor
from tests.feeds.conftest import FAST
from tests.feeds.fake_registry import FakeRegistry


def test_a_new_feed_starting_now_skips_history(registry: FakeRegistry,
                                                sqlite_db: Database) -> None:
    registry.publish_pypi("old", "1.0")
    feed = PypiFeed(registry.url, HttpClient(FAST))
    assert poll_feed(sqlite_db, feed, Start.NOW, 3, threading.Event()).created == 0
    cursor = load_cursor(sqlite_db, "pypi")
    assert cursor is not None and cursor.position == "2"
    assert cursor.origin_time == pytest.approx(time.time() - ORIGIN_SLACK_S, abs=60)
    registry.publish_pypi("new", "1.0")
    assert poll_feed(sqlite_db, feed, Start.NOW, 3, threading.Event()).created == 1


def test_each_batch_is_committed_before_the_next_is_read(registry: FakeRegistry,
                                                          sqlite_db: Database) -> None:
    for index in range(5):
        registry.publish_npm(f"p{index}", "1.0.0")

    class Crashing(NpmFeed):
        def read(self, cursor: Cursor, known: KnownVersions) -> Batch:
            if cursor.position == "2":
                raise RuntimeError("kill -9")
            return super().read(cursor, known)

    feed = Crashing(registry.npm_registry_url, registry.npm_changes_url, HttpClient(FAST), 2)
    with pytest.raises(RuntimeError):
        poll_feed(sqlite_db, feed, Start.BEGINNING, 3, threading.Event())
    assert load_cursor(sqlite_db, "npm") == Cursor("2", None)
    assert known_versions(sqlite_db)(feed.ecosystem, "p1") == {"1.0.0"}
    plain = NpmFeed(registry.npm_registry_url, registry.npm_changes_url, HttpClient(FAST), 2)
    first = poll_feed(sqlite_db, plain, Start.BEGINNING, 3, threading.Event(), max_batches=1)
    assert (first.created, first.caught_up) == (2, False)  # the watcher polls again at once
    rest = poll_feed(sqlite_db, plain, Start.BEGINNING, 3, threading.Event())
    assert (rest.created, rest.caught_up) == (1, True)
