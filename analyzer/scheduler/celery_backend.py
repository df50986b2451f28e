"""Many machines: the watcher publishes job ids to a Celery broker; `pkgsandbox worker`
hosts claim each job by id, analyse it and record it in the shared database.

The database stays the queue of record. A message carries only a job id, and a worker
runs the job only if `JobQueue.claim(owner, job_id)` leases it: a duplicate delivery (a
broker redelivering after a worker died, a republish) finds the job done, leased by
someone else or backing off, and is dropped. Messages are acknowledged late and
prefetched one at a time, so a lost worker host at worst leaves an unacknowledged
message that is skipped when it comes back. What a lost host was running is recovered
as on one machine: its lease expires, the watcher's reaper re-queues the job, and the
watcher publishes it again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from celery import Celery
from kombu.exceptions import KombuError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from analyzer.scheduler.interface import Analyser, AnalyserFactory, WorkerBackend
from analyzer.scheduler.queue import JobQueue
from analyzer.scheduler.worker import EXIT_ABANDONED, Outcome, WorkerSettings, run_job
from analyzer.store.columns import JobState
from analyzer.store.database import Database, StoreError
from analyzer.store.schema import Job

log = logging.getLogger(__name__)
BROKER_ENV = "PKGSANDBOX_BROKER_URL"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
TASK = "pkgsandbox.analyse"
QUEUE = "pkgsandbox"
PUBLISH_EVERY_S = 0.5
PING_EVERY_S = 30.0


def resolve_broker_url(url: str | None = None) -> str:
    """`--broker-url` first, then $PKGSANDBOX_BROKER_URL, then a Redis on this host."""
    return url or os.environ.get(BROKER_ENV) or DEFAULT_BROKER_URL


def celery_app(broker_url: str) -> Celery:
    """The Celery application both sides use: late acknowledgement, one message at a time."""
    app = Celery("pkgsandbox", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # a worker that dies mid-analysis leaves the message unacked
        task_reject_on_worker_lost=True,  # ...and a lost pool child hands it back at once
        worker_prefetch_multiplier=1,  # no host hoards jobs another host could start now
        task_default_queue=QUEUE,
        task_ignore_result=True,  # results go to the database, not to a result backend
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    return app


class CeleryBackend(WorkerBackend):
    """Publishes every runnable queued job's id once; the workers run elsewhere.

    About `max_in_flight` jobs at most are published and not yet claimed, taken in priority
    order, so the broker's FIFO queue does not undo the database's priorities. A job is
    published again when it is re-queued (its `available_at` changes: a retry, a reaped
    lease, a release) or when it stayed unclaimed for `republish_s` (a message lost by
    the broker); duplicates cost a worker one skipped claim.
    """

    def __init__(self, broker_url: str, db_url: str, max_in_flight: int = 1000,
                 republish_s: float = 600.0, publish_every_s: float = PUBLISH_EVERY_S,
                 app: Celery | None = None) -> None:
        self.broker_url = broker_url
        self.db_url = db_url
        self.max_in_flight = max_in_flight
        self.republish_s = republish_s
        self.publish_every_s = publish_every_s
        self._app = app  # None: built by start() (tests pass one that records)
        self._db: Database | None = None
        # job id -> (its available_at when published, when published)
        self._published: dict[int, tuple[float, float]] = {}
        self._next_publish = 0.0
        self._next_ping = 0.0
        self._alive = 0

    def start(self) -> None:
        self._app = self._app or celery_app(self.broker_url)
        self._db = Database.open(self.db_url, migrate=False)

    def supervise(self) -> list[str]:
        now = time.monotonic()
        if self._app is None or self._db is None or now < self._next_publish:
            return []
        self._next_publish = now + self.publish_every_s
        events: list[str] = []
        try:
            self._publish(now)
        except (StoreError, SQLAlchemyError) as exc:
            events.append(f"cannot read the queue to publish jobs: {exc}")
        except (KombuError, OSError) as exc:
            events.append(f"broker {self.broker_url} unavailable: {exc}; retrying")
        if now >= self._next_ping:
            self._next_ping = now + PING_EVERY_S
            self._alive = self._ping()
        return events

    def _publish(self, now: float) -> None:
        assert self._app is not None and self._db is not None
        with self._db.reading() as session:
            rows = session.execute(
                select(Job.id, Job.available_at)
                .where(Job.state == JobState.QUEUED.value, Job.available_at <= time.time())
                .order_by(Job.priority.desc(), Job.id).limit(self.max_in_flight)).all()
        # Claimed jobs drop out; a re-queued job (new available_at) or a stale message
        # does not count as published.
        self._published = {
            row.id: seen for row in rows if (seen := self._published.get(row.id)) is not None
            and seen[0] == row.available_at and now - seen[1] < self.republish_s}
        for row in rows:
            if row.id not in self._published:
                self._app.send_task(TASK, args=[row.id], queue=QUEUE,
                                    retry=True, retry_policy={"max_retries": 1})
                self._published[row.id] = (row.available_at, now)

    def _ping(self) -> int:
        assert self._app is not None
        try:
            return len(self._app.control.ping(timeout=0.5) or [])
        except (KombuError, OSError):
            return 0

    def alive(self) -> int:
        """Celery workers that answered the last ping (every 30 s)."""
        return self._alive

    def stop(self, grace_s: float) -> None:
        # The workers belong to their hosts: they keep running for the next watcher.
        if self._app is not None:
            self._app.close()
        if self._db is not None:
            self._db.close()


@dataclass(frozen=True)
class _Runtime:
    settings: WorkerSettings
    factory: AnalyserFactory


_runtime: _Runtime | None = None
# Per process (a prefork pool forks after `run_worker` set `_runtime`): pid -> state.
_process: dict[int, tuple[JobQueue, Analyser, str]] = {}


def _for_this_process() -> tuple[JobQueue, Analyser, str]:
    pid = os.getpid()
    if pid not in _process:
        assert _runtime is not None, "run_worker() configures the worker first"
        db = Database.open(_runtime.settings.db_url, migrate=False)
        queue = JobQueue(db, _runtime.settings.queue)
        _process.clear()  # what a forked child inherited belongs to its parent
        _process[pid] = (queue, _runtime.factory(), f"{socket.gethostname()}:{pid}")
    return _process[pid]


def analyse_job(job_id: int) -> str:
    """The Celery task: run job `job_id` if it can be claimed; what happened to it."""
    assert _runtime is not None
    queue, analyser, owner = _for_this_process()
    try:
        job = queue.claim(owner, job_id)
    except (StoreError, SQLAlchemyError) as exc:
        # Acknowledged anyway: the job is still queued, and the watcher publishes it again.
        log.error("job %d: database unavailable: %s", job_id, exc)
        return "database unavailable"
    if job is None:
        log.info("job %d: done, leased by another worker or backing off; skipped", job_id)
        return "skipped"
    outcome = run_job(queue, job, analyser, _runtime.settings, threading.Event())
    if outcome is Outcome.ABANDONED:
        # The analysis thread cannot be stopped: this pool process goes, Celery starts
        # another. The job's fate is already recorded, so the redelivery is skipped.
        logging.shutdown()
        os._exit(EXIT_ABANDONED)
    return str(outcome.value)


def run_worker(broker_url: str, settings: WorkerSettings, factory: AnalyserFactory,
               concurrency: int = 1, pool: str = "prefork",
               hostname: str | None = None) -> None:
    """Run a Celery worker in this process until it is stopped (SIGTERM: warm shutdown)."""
    global _runtime
    _runtime = _Runtime(settings, factory)
    # Fail here, with one clear message, rather than in every task.
    Database.open(settings.db_url, migrate=False).close()
    app = celery_app(broker_url)
    app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)(analyse_job)
    argv: list[str] = [
        "worker", f"--pool={pool}", f"--concurrency={concurrency}", f"--queues={QUEUE}",
        f"--loglevel={logging.getLevelName(settings.log_level)}",
        "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)

