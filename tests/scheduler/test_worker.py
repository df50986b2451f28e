"""One job through `run_job` in this process: success, timeout, errors, shutdown, heartbeat."""

from __future__ import annotations

import logging
import threading

import pytest

from analyzer.feeds.interface import Batch
from analyzer.scheduler.queue import ClaimedJob, JobQueue, QueueSettings
from analyzer.scheduler.worker import Outcome, WorkerSettings, run_job
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.schema import Job, Result
from tests.scheduler.fakes import FakeAnalyser
from tests.store.builders import planned


def _claim(db: Database, name: str, lease_s: float = 30.0) -> tuple[JobQueue, ClaimedJob]:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True), [planned(name)], 2, 1.0)
    queue = JobQueue(db, QueueSettings(lease_s=lease_s, max_attempts=2, retry_backoff_s=0.0))
    job = queue.claim("test")
    assert job is not None
    return queue, job


def _settings(db: Database, **changes: float) -> WorkerSettings:
    values = {"job_timeout_s": 10.0, "shutdown_grace_s": 5.0, "sandbox_backoff_s": 0.0}
    values.update(changes)
    return WorkerSettings(db_url=db.url, **values)  # type: ignore[arg-type]


def _job(db: Database, job_id: int) -> Job:
    with db.reading() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _run(db: Database, name: str, stop: threading.Event | None = None, sleep_s: float = 0.0,
         lease_s: float = 30.0, **settings: float) -> tuple[Outcome, Job]:
    queue, job = _claim(db, name, lease_s)
    outcome = run_job(queue, job, FakeAnalyser(sleep_s)(), _settings(db, **settings),
                      stop or threading.Event())
    return outcome, _job(db, job.id)


def test_a_result_is_recorded(sqlite_db: Database) -> None:
    outcome, job = _run(sqlite_db, "evil-one")
    assert outcome is Outcome.RECORDED and job.state == "done"
    with sqlite_db.reading() as session:
        result = session.query(Result).one()
        assert result.verdict == "malicious" and result.document["package"]["name"] == "evil-one"


def test_a_hung_analysis_times_out_and_the_worker_must_go(sqlite_db: Database) -> None:
    outcome, job = _run(sqlite_db, "hang-forever", job_timeout_s=0.3)
    assert outcome is Outcome.ABANDONED
    assert (job.state, job.last_error) == ("queued", "timed out after 0.3 s")


@pytest.mark.parametrize(("name", "error"), [
    ("unfetchable", "PyPI unfetchable: no sdist and no wheel"),
    ("crash", "RuntimeError: analyser bug"),
])
def test_errors_use_up_an_attempt(sqlite_db: Database, caplog: pytest.LogCaptureFixture,
                                  name: str, error: str) -> None:
    outcome, job = _run(sqlite_db, name)
    assert outcome is Outcome.RECORDED
    assert (job.state, job.attempts, job.last_error) == ("queued", 1, error)
    if name == "crash":  # a bug in the analyser is logged with its traceback
        assert "analyser crashed" in caplog.text and "Traceback" in caplog.text


def test_a_broken_sandbox_gives_the_job_back_untried(sqlite_db: Database) -> None:
    outcome, job = _run(sqlite_db, "nosandbox")
    assert outcome is Outcome.RELEASED
    assert (job.state, job.attempts) == ("queued", 0)
    assert job.last_error == "sandbox unavailable: the Docker daemon is not running"


def test_shutdown_finishes_a_job_within_the_grace(sqlite_db: Database) -> None:
    stop = threading.Event()
    stop.set()
    outcome, job = _run(sqlite_db, "slow", stop, sleep_s=0.02, shutdown_grace_s=5.0)
    assert outcome is Outcome.RECORDED and job.state == "done"


def test_shutdown_releases_a_job_that_outlasts_the_grace(sqlite_db: Database,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()
    stop.set()
    with caplog.at_level(logging.WARNING):
        outcome, job = _run(sqlite_db, "slow", stop, sleep_s=0.5, shutdown_grace_s=0.2)
    assert outcome is Outcome.ABANDONED
    assert (job.state, job.attempts) == ("queued", 0)
    assert "released unfinished at shutdown" in caplog.text


def test_heartbeats_keep_a_long_job_leased(sqlite_db: Database) -> None:
    queue, job = _claim(sqlite_db, "slow", lease_s=0.6)  # heartbeat every 0.2 s
    reaped: list[int] = []
    done = threading.Event()

    def reaper() -> None:
        while not done.wait(0.05):
            reaped.append(queue.reap_expired())

    thread = threading.Thread(target=reaper)
    thread.start()
    try:
        outcome = run_job(queue, job, FakeAnalyser(0.12)(), _settings(sqlite_db),
                          threading.Event())  # "slow": 1.2 s, twice the lease
    finally:
        done.set()
        thread.join()
    assert outcome is Outcome.RECORDED and sum(reaped) == 0
    assert _job(sqlite_db, job.id).state == "done"
