"""A rule dismissed for a package no longer counts when the worker records its next release."""

from __future__ import annotations

import threading

from sqlalchemy import select

from analyzer.feeds.interface import Batch
from analyzer.scheduler.queue import JobQueue, QueueSettings
from analyzer.scheduler.worker import Outcome, WorkerSettings, run_job
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.schema import Result
from analyzer.web.review_store import DecisionKind, record_decision
from tests.scheduler.fakes import FakeAnalyser
from tests.store.builders import planned


def _run_next(db: Database, queue: JobQueue) -> Result:
    job = queue.claim("test")
    assert job is not None
    settings = WorkerSettings(db_url=db.url, job_timeout_s=10.0)
    assert run_job(queue, job, FakeAnalyser()(), settings, threading.Event()) is Outcome.RECORDED
    with db.reading() as session:
        return session.scalars(select(Result).where(Result.job_id == job.id)).one()


def test_the_next_release_is_recorded_without_the_dismissed_rule(sqlite_db: Database) -> None:
    cursor = start_cursor(sqlite_db, "pypi", "0", None, now=1.0)
    record_batch(sqlite_db, "pypi", cursor, Batch((), "1", True),
                 [planned("evil-ish", "1.0.0"), planned("evil-ish", "1.0.1")], 2, 1.0)
    queue = JobQueue(sqlite_db, QueueSettings(max_attempts=2))
    first = _run_next(sqlite_db, queue)
    assert first.verdict == "malicious"
    record_decision(sqlite_db, first.id, DecisionKind.DISMISSED, "alice", "a test fixture")
    second = _run_next(sqlite_db, queue)
    assert second.verdict == "benign" and second.score == 0.0
    assert second.document["findings"] == []
    assert "suppressed by allow-list: exfiltrates-secrets (a test fixture)" in \
        second.document["notes"]
