"""Recording feed batches: releases once each, jobs with them, the cursor in the same commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analyzer.feeds.interface import Batch, Cursor
from analyzer.models import Ecosystem
from analyzer.store.database import Database, StoreError
from analyzer.store.releases import (
    GONE_ERROR,
    CursorConflict,
    known_versions,
    load_cursor,
    package_key,
    record_batch,
    record_feed_error,
    start_cursor,
)
from analyzer.store.schema import Artifact, FeedCursor, Job, Package, Version
from tests.store.builders import planned


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_batch_enqueues_each_release_once_and_moves_the_cursor(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "10", None, now=1.0)
    items = [planned("Foo.Bar", priority=5), planned("foo-bar"),  # one project, PEP 503
             planned("foo_bar", "2.0"), planned("left-pad", ecosystem=Ecosystem.NPM)]
    created = record_batch(db, "pypi", cursor, Batch((), "20", True), items, 3, now=2.0)
    assert created == 3
    assert load_cursor(db, "pypi") == Cursor("20", None)
    again = record_batch(db, "pypi", Cursor("20", None), Batch((), "30", True), items, 3, 3.0)
    assert again == 0 and _count(db, Job) == 3 and _count(db, Package) == 2
    with db.reading() as session:
        jobs = session.execute(select(Job.priority, Job.state, Job.max_attempts)
                               .order_by(Job.id)).all()
        row = session.get(FeedCursor, "pypi")
        assert row is not None and (row.releases, row.status) == (3, "ok")
    assert [tuple(j) for j in jobs] == [(5, "queued", 3), (0, "queued", 3), (0, "queued", 3)]
    lookup = known_versions(db)
    assert lookup(Ecosystem.PYPI, "FOO_bar") == {"1.0.0", "2.0"}
    assert lookup(Ecosystem.NPM, "Left-Pad") == frozenset()  # npm names are exact


def test_a_failed_transaction_records_nothing_and_keeps_the_cursor(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    cursor = start_cursor(db, "npm", "5", None, now=1.0)
    from analyzer.store import releases

    real = releases._enqueue
    calls = []

    def crash_on_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(releases, "_enqueue", crash_on_second)
    with pytest.raises(RuntimeError):
        record_batch(db, "npm", cursor, Batch((), "9", True),
                     [planned("a", ecosystem=Ecosystem.NPM), planned("b", ecosystem=Ecosystem.NPM)],
                     3, now=2.0)
    assert load_cursor(db, "npm") == Cursor("5", None)
    assert _count(db, Version) == 0 and _count(db, Job) == 0


def test_a_release_gone_before_we_looked_is_recorded_as_dead(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True), [planned("x", gone=True)], 3, 2.0)
    with db.reading() as session:
        job = session.scalars(select(Job)).one()
        assert (job.state, job.last_error) == ("dead", GONE_ERROR)
        assert session.scalars(select(Artifact.filename)).all() == ["x-1.0.0.tar.gz"]


def test_a_second_watcher_moving_the_cursor_is_refused(db: Database) -> None:
    start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", Cursor("0", None), Batch((), "7", True), [], 3, 2.0)
    with pytest.raises(CursorConflict, match="another watcher"):
        record_batch(db, "pypi", Cursor("0", None), Batch((), "8", True), [], 3, 3.0)
    assert issubclass(CursorConflict, StoreError)


def test_feed_errors_mark_the_feed_down_until_a_batch_succeeds(db: Database) -> None:
    assert record_feed_error(db, "npm", "npm _changes: HTTP 500", now=1.0) == 1
    assert load_cursor(db, "npm") is None  # never read: the first read still decides
    cursor = start_cursor(db, "npm", "42", 0.5, now=2.0)
    assert cursor == Cursor("42", 0.5)
    assert record_feed_error(db, "npm", "timed out", now=3.0) == 2
    record_batch(db, "npm", cursor, Batch((), "43", True, gap="reset"), [], 3, 4.0)
    with db.reading() as session:
        row = session.get(FeedCursor, "npm")
        assert row is not None
        assert (row.status, row.failures, row.last_error, row.gaps) == ("ok", 0, None, 1)


def test_attacker_chosen_names_are_stored_verbatim(db: Database) -> None:
    hostile = "x'); DROP TABLE jobs; --"
    cursor = start_cursor(db, "npm", "0", None, now=1.0)
    record_batch(db, "npm", cursor, Batch((), "1", True),
                 [planned(hostile, "1.0.0-'\"", ecosystem=Ecosystem.NPM)], 3, 2.0)
    assert known_versions(db)(Ecosystem.NPM, hostile) == {"1.0.0-'\""}
    assert _count(db, Job) == 1


def test_package_keys_follow_each_registry() -> None:
    assert package_key(Ecosystem.PYPI, "Foo__Bar.baz") == "foo-bar-baz"
    assert package_key("npm", "@Scope/Foo_Bar") == "@Scope/Foo_Bar"
