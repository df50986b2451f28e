"""The job queue on SQLite and PostgreSQL: leases, exactly-once completion, dead letters."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from analyzer.feeds.interface import Batch
from analyzer.models import Ecosystem
from analyzer.scheduler.queue import LEASE_LOST, JobQueue, QueueSettings, request_rerun
from analyzer.store.columns import JobState
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.schema import Job, Result
from tests.store.builders import analysis_result, planned

SETTINGS = QueueSettings(lease_s=10.0, max_attempts=2, retry_backoff_s=5.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _enqueue(db: Database, *names: str, priorities: dict[str, int] | None = None) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    items = [planned(n, priority=(priorities or {}).get(n, 0)) for n in names]
    record_batch(db, "pypi", cursor, Batch((), "1", True), items, SETTINGS.max_attempts, 1.0)


def _results(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Result)) or 0


def _job(db: Database, job_id: int) -> Job:
    with db.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _result_for(name: str):  # type: ignore[no-untyped-def]
    return analysis_result(Ecosystem.PYPI, name, "1.0.0")


def test_claims_come_by_priority_then_age(db: Database) -> None:
    _enqueue(db, "low", "typosquat", "hooks", "low2", priorities={"typosquat": 100, "hooks": 40})
    queue = JobQueue(db, SETTINGS)
    order = [queue.claim("w") for _ in range(5)]
    assert [j.target.name if j else None for j in order] == [
        "typosquat", "hooks", "low", "low2", None]
    assert order[0] is not None and order[0].target.ecosystem is Ecosystem.PYPI
    assert order[0].attempts == 1 and order[0].target.version == "1.0.0"


def test_completion_is_exactly_once(db: Database) -> None:
    _enqueue(db, "pkg")
    queue = JobQueue(db, SETTINGS)
    job = queue.claim("w")
    assert job is not None
    assert queue.complete(job, _result_for("pkg")) is True
    assert queue.complete(job, _result_for("pkg")) is False
    assert _results(db) == 1 and _job(db, job.id).state == "done"
    assert not queue.has_work()


def test_an_expired_lease_is_requeued_and_the_lost_worker_cannot_complete(db: Database) -> None:
    _enqueue(db, "pkg")
    clock = Clock()
    queue = JobQueue(db, SETTINGS, clock)
    lost = queue.claim("killed-worker")
    assert lost is not None
    clock.now += 5
    assert queue.heartbeat(lost) and queue.reap_expired() == 0  # heartbeats keep it alive
    clock.now += 11
    assert queue.reap_expired() == 1
    job = _job(db, lost.id)
    assert (job.state, job.last_error) == ("queued", LEASE_LOST)
    clock.now += SETTINGS.retry_backoff_s  # the backoff after a lost attempt
    second = queue.claim("healthy-worker")
    assert second is not None and second.attempts == 2 and second.token != lost.token
    assert queue.complete(lost, _result_for("pkg")) is False
    assert queue.heartbeat(lost) is False
    assert queue.complete(second, _result_for("pkg")) is True
    assert _results(db) == 1


def test_a_slow_worker_whose_job_was_not_reclaimed_still_completes(db: Database) -> None:
    _enqueue(db, "pkg")
    clock = Clock()
    queue = JobQueue(db, SETTINGS, clock)
    job = queue.claim("slow")
    assert job is not None
    clock.now += 11
    queue.reap_expired()
    assert queue.complete(job, _result_for("pkg")) is True
    assert _results(db) == 1 and queue.claim("other") is None


def test_failures_back_off_then_dead_letter(db: Database) -> None:
    _enqueue(db, "broken")
    clock = Clock()
    queue = JobQueue(db, SETTINGS, clock)
    first = queue.claim("w")
    assert first is not None
    assert queue.fail(first, "FetchError: no wheel") is JobState.QUEUED
    assert queue.claim("w") is None  # waiting out the backoff (2.5-5 s)
    clock.now += SETTINGS.retry_backoff_s
    second = queue.claim("w")
    assert second is not None and second.attempts == 2
    assert queue.fail(second, "FetchError: no wheel") is JobState.DEAD
    job = _job(db, second.id)
    assert (job.state, job.attempts, job.last_error) == ("dead", 2, "FetchError: no wheel")
    clock.now += 3600
    assert queue.claim("w") is None and not queue.has_work()


def test_a_released_job_does_not_use_up_an_attempt(db: Database) -> None:
    _enqueue(db, "pkg")
    queue = JobQueue(db, SETTINGS)
    job = queue.claim("w")
    assert job is not None and queue.release(job, "shutdown")
    again = queue.claim("w")
    assert again is not None and again.attempts == 1


def test_concurrent_claims_never_hand_out_a_job_twice(db: Database) -> None:
    names = [f"p{i}" for i in range(40)]
    _enqueue(db, *names)
    queue = JobQueue(db, SETTINGS)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        while (job := queue.claim(f"w{index}")) is not None:
            with lock:
                claimed.append(job.id)
            queue.complete(job, _result_for(job.target.name or ""))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == list(range(1, 41)) and _results(db) == 40


def test_a_rerun_is_the_only_way_to_analyse_a_release_again(db: Database) -> None:
    _enqueue(db, "Foo_Bar")
    queue = JobQueue(db, SETTINGS)
    job = queue.claim("w")
    assert job is not None and queue.complete(job, _result_for("Foo_Bar"))
    rerun = request_rerun(db, Ecosystem.PYPI, "foo-bar", "1.0.0", priority=10)
    assert rerun is not None and rerun != job.id
    assert request_rerun(db, Ecosystem.PYPI, "foo-bar", "9.9") is None
    again = queue.claim("w")
    assert again is not None and again.id == rerun
    assert queue.complete(again, _result_for("Foo_Bar")) and _results(db) == 2


@pytest.mark.parametrize("attempts", [1, 3])
def test_backoff_grows_with_attempts(attempts: int) -> None:
    settings = QueueSettings(retry_backoff_s=10.0, max_retry_backoff_s=25.0)
    ceiling = min(25.0, 10.0 * 2 ** (attempts - 1))
    assert all(ceiling / 2 <= settings.backoff(attempts) <= ceiling for _ in range(20))
