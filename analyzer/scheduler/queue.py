"""The durable job queue: claim with a lease, heartbeat, complete exactly once, retry, dead-letter.

A claim gives the job a fresh lease token. Completion is one transaction that marks the
job done only while that token is still on the row, and stores the result with it: a
worker whose job was re-claimed by another after its lease expired cannot record a
second result. Claiming is one `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)
... RETURNING`; SQLite has no row locks and serialises the statement under its write lock.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analyzer.fetch.interface import Target
from analyzer.models import AnalysisResult, Ecosystem
from analyzer.store.columns import JobState
from analyzer.store.database import Database
from analyzer.store.releases import package_key
from analyzer.store.results import save_result
from analyzer.store.schema import Job, Package, Version

log = logging.getLogger(__name__)
LEASE_LOST = "lease expired: the worker was lost or stopped answering"


@dataclass(frozen=True)
class QueueSettings:
    lease_s: float = 60.0
    max_attempts: int = 3
    retry_backoff_s: float = 30.0
    max_retry_backoff_s: float = 3600.0

    @classmethod
    def for_jobs_of(cls, job_timeout_s: float, **changes: Any) -> QueueSettings:
        """Leases a fifth of the job timeout, from 1 to 5 minutes: a dead worker's job goes
        back soon, and a live one renews its lease long before it ends."""
        return cls(lease_s=max(60.0, min(300.0, job_timeout_s / 5)), **changes)

    def backoff(self, attempts: int) -> float:
        """Exponential in the attempts used so far, with jitter so that retries spread."""
        ceiling = min(self.max_retry_backoff_s, self.retry_backoff_s * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    version_id: int
    token: str
    attempts: int
    max_attempts: int
    target: Target


class JobQueue:
    """The jobs table as a queue; every method is one short transaction."""

    def __init__(self, db: Database, settings: QueueSettings | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.settings = settings or QueueSettings()
        self.clock = clock

    def claim(self, owner: str, job_id: int | None = None) -> ClaimedJob | None:
        """The most urgent runnable job (or job `job_id`), leased to `owner`; None if none."""
        now, token = self.clock(), secrets.token_hex(16)
        pick = (select(Job.id).where(Job.state == JobState.QUEUED.value, Job.available_at <= now)
                .order_by(Job.priority.desc(), Job.id).limit(1)
                .with_for_update(skip_locked=True))
        if job_id is not None:
            pick = pick.where(Job.id == job_id)
        with self.db.transaction() as session:
            row = session.execute(
                update(Job).where(Job.id == pick.scalar_subquery(),
                                  Job.state == JobState.QUEUED.value)
                .values(state=JobState.RUNNING.value, lease_token=token, lease_owner=owner[:128],
                        lease_expires_at=now + self.settings.lease_s, heartbeat_at=now,
                        started_at=now, attempts=Job.attempts + 1)
                .returning(Job.id, Job.version_id, Job.attempts, Job.max_attempts)
                .execution_options(synchronize_session=False)).first()
            if row is None:
                return None
            return ClaimedJob(row.id, row.version_id, token, row.attempts, row.max_attempts,
                              _target(session, row.version_id))

    def heartbeat(self, job: ClaimedJob) -> bool:
        """Extend the lease; False when the job is no longer ours."""
        now = self.clock()
        with self.db.transaction() as session:
            return _changed(session, job, [JobState.RUNNING],
                            lease_expires_at=now + self.settings.lease_s, heartbeat_at=now)

    def complete(self, job: ClaimedJob, result: AnalysisResult) -> bool:
        """Mark done and store the result, atomically; False (nothing stored) if not ours."""
        now = self.clock()
        with self.db.transaction() as session:
            # Any state but done: a job reaped while we finished is still ours until claimed.
            if not _changed(session, job, [JobState.RUNNING, JobState.QUEUED, JobState.DEAD],
                            state=JobState.DONE.value, finished_at=now, lease_expires_at=None,
                            last_error=None):
                return False
            save_result(session, job.id, job.version_id, result, now)
            return True

    def fail(self, job: ClaimedJob, error: str) -> JobState | None:
        """Count a failed attempt: queued again after a backoff, or dead after the last one."""
        now, dead = self.clock(), job.attempts >= job.max_attempts
        state = JobState.DEAD if dead else JobState.QUEUED
        with self.db.transaction() as session:
            changed = _changed(
                session, job, [JobState.RUNNING, JobState.QUEUED], state=state.value,
                last_error=error[:2000], lease_token=None, lease_expires_at=None,
                finished_at=now if dead else None,
                available_at=now + (0 if dead else self.settings.backoff(job.attempts)))
        return state if changed else None

    def release(self, job: ClaimedJob, reason: str) -> bool:
        """Give the job back untried (shutdown, broken sandbox): the attempt does not count."""
        with self.db.transaction() as session:
            return _changed(session, job, [JobState.RUNNING], state=JobState.QUEUED.value,
                            attempts=job.attempts - 1, lease_token=None, lease_expires_at=None,
                            available_at=self.clock(), last_error=reason[:2000])

    def reap_expired(self) -> int:
        """Re-queue (or dead-letter) running jobs whose lease ran out; how many.

        The lease token stays: the lost worker may yet complete, until another claims it.
        """
        now = self.clock()
        with self.db.transaction() as session:
            expired = session.execute(
                select(Job.id, Job.attempts, Job.max_attempts)
                .where(Job.state == JobState.RUNNING.value, Job.lease_expires_at < now)
                .with_for_update(skip_locked=True)).all()
            for row in expired:
                dead = row.attempts >= row.max_attempts
                log.warning("job %d: %s; %s", row.id, LEASE_LOST,
                            "dead-lettered" if dead else "re-queued")
                session.execute(update(Job).where(
                    Job.id == row.id, Job.state == JobState.RUNNING.value).values(
                    state=(JobState.DEAD if dead else JobState.QUEUED).value,
                    last_error=LEASE_LOST, lease_expires_at=None,
                    finished_at=now if dead else None,
                    available_at=now + (0 if dead else self.settings.backoff(row.attempts))))
            return len(expired)

    def has_work(self) -> bool:
        """Whether any job is still to be finished: queued (retries included) or running."""
        with self.db.reading() as session:
            return session.scalar(select(Job.id).where(Job.state.in_(
                [JobState.QUEUED.value, JobState.RUNNING.value])).limit(1)) is not None


def request_rerun(db: Database, ecosystem: Ecosystem, name: str, version: str,
                  priority: int = 0, max_attempts: int = 3) -> int | None:
    """Queue one more analysis of a recorded release; its job id, or None if unknown."""
    now = time.time()
    with db.transaction() as session:
        version_id = session.scalar(
            select(Version.id).join(Package, Package.id == Version.package_id).where(
                Package.ecosystem == ecosystem.value,
                Package.key == package_key(ecosystem, name), Version.version == version))
        if version_id is None:
            return None
        job = Job(version_id=version_id, reason="rerun", state=JobState.QUEUED.value,
                  priority=priority, attempts=0, max_attempts=max_attempts,
                  available_at=now, created_at=now)
        session.add(job)
        session.flush()
        return job.id


def _changed(session: Session, job: ClaimedJob, states: list[JobState], **values: object) -> bool:
    result = session.execute(
        update(Job).where(Job.id == job.id, Job.lease_token == job.token,
                          Job.state.in_([s.value for s in states]))
        .values(**values).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0) == 1)


def _target(session: Session, version_id: int) -> Target:
    row = session.execute(
        select(Package.ecosystem, Package.name, Version.version)
        .join(Version, Version.package_id == Package.id).where(Version.id == version_id)).one()
    return Target(ecosystem=Ecosystem(row.ecosystem), name=row.name, version=row.version)
