"""One worker process: claim a job, analyse it under a heartbeat and a timeout, record it.

The analysis runs in a thread of the worker so that the main thread can keep the lease
alive and enforce the job timeout. A thread cannot be killed: after a timeout, or a
shutdown whose grace ran out, the worker records the job's fate and exits, and the pool
starts a fresh process.
"""

from __future__ import annotations

import enum
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from analyzer.defaults import JOB_TIMEOUT_S
from analyzer.detect.rules.allowlist import apply_allowlist
from analyzer.detect.rules.ruleset import RuleSet
from analyzer.errors import Error, SandboxError
from analyzer.models import AnalysisResult
from analyzer.report.publish import Outputs, publish
from analyzer.scheduler.interface import Analyser, AnalyserFactory
from analyzer.scheduler.queue import ClaimedJob, JobQueue, QueueSettings
from analyzer.settings import SandboxSettings
from analyzer.store.allow_list import allow_list
from analyzer.store.database import Database, StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
EXIT_ABANDONED = 3  # the analysis thread is still running: the process must go
TICK_S = 0.1


@dataclass(frozen=True)
class WorkerSettings:
    db_url: str
    queue: QueueSettings = field(default_factory=QueueSettings)
    job_timeout_s: float = JOB_TIMEOUT_S
    poll_s: float = 1.0
    shutdown_grace_s: float = 5.0  # after SIGTERM, what the analysis in hand gets to end
    sandbox_backoff_s: float = 30.0
    log_level: int = logging.INFO
    osv_dir: Path | None = None  # malicious results get their OSV record here at once
    html_dir: Path | None = None  # flagged results get their HTML report here at once


class Outcome(enum.Enum):
    RECORDED = "recorded"
    RELEASED = "released"
    ABANDONED = "abandoned"


def worker_main(index: int, settings: WorkerSettings, factory: AnalyserFactory,
                lifeline: Connection | None = None) -> None:
    """Entry point of a worker process: loop until told to stop or orphaned.

    `lifeline` is the read end of a pipe nobody writes to: it reads EOF once the
    supervisor is gone, even when it was killed with -9.
    """
    logging.basicConfig(level=settings.log_level, format=f"pkgsandbox worker {index}: %(message)s")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    db = Database.open(settings.db_url, migrate=False)
    queue = JobQueue(db, settings.queue)
    analyser = factory()
    owner = f"{socket.gethostname()}:{os.getpid()}"
    code = 0
    try:
        # An orphan (the watcher was killed) finishes its job and goes, rather than linger.
        while not stop.is_set() and not (lifeline is not None and lifeline.poll()):
            try:
                job = queue.claim(owner)
            except (StoreError, SQLAlchemyError) as exc:
                log.error("database unavailable: %s", exc)
                stop.wait(settings.poll_s * 5)
                continue
            if job is None:
                stop.wait(settings.poll_s)
                continue
            if run_job(queue, job, analyser, settings, stop) is Outcome.ABANDONED:
                code = EXIT_ABANDONED
                break
    finally:
        db.close()
        logging.shutdown()
    if code:
        os._exit(code)  # skip joining the analysis thread that is still running


def run_job(queue: JobQueue, job: ClaimedJob, analyser: Analyser, settings: WorkerSettings,
            stop: threading.Event) -> Outcome:
    """Analyse one claimed job and record what happened to it."""
    label = f"job {job.id} ({job.target.ecosystem.value if job.target.ecosystem else '?'}:" \
            f"{job.target.name} {job.target.version}, attempt {job.attempts})"
    log.info("%s: started", label)
    done = threading.Event()
    box: dict[str, AnalysisResult | BaseException] = {}

    def work() -> None:
        try:
            box["result"] = analyser.analyse(job.target)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, never lost
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name=f"analyse-{job.id}", daemon=True).start()
    started = time.monotonic()
    heartbeat_s = queue.settings.lease_s / 3  # two missed beats still leave the lease alive
    next_beat = started + heartbeat_s
    grace_ends: float | None = None
    while not done.wait(TICK_S):
        now = time.monotonic()
        if stop.is_set() and grace_ends is None:
            grace_ends = now + settings.shutdown_grace_s
        if grace_ends is not None and now >= grace_ends:
            _db(queue.release, job, "worker shut down before the analysis ended")
            log.warning("%s: released unfinished at shutdown", label)
            return Outcome.ABANDONED
        if now - started >= settings.job_timeout_s:
            state = _db(queue.fail, job, f"timed out after {settings.job_timeout_s:g} s")
            log.error("%s: timed out after %g s; %s", label, settings.job_timeout_s,
                      state.value if state else "no longer ours")
            return Outcome.ABANDONED
        if now >= next_beat:
            next_beat = now + heartbeat_s
            if not _db(queue.heartbeat, job, attempts=1):
                log.warning("%s: lease lost; its result will only count if still ours", label)
    return _record(queue, job, box, analyser, label, settings, stop)


def _record(queue: JobQueue, job: ClaimedJob, box: dict[str, AnalysisResult | BaseException],
            analyser: Analyser, label: str, settings: WorkerSettings,
            stop: threading.Event) -> Outcome:
    outcome = box.get("result")
    if isinstance(outcome, AnalysisResult):
        outcome = _allow_listed(queue.db, outcome, analyser.rules, label)
        recorded = _db(queue.complete, job, outcome)
        if recorded:
            log.info("%s: %s", label, outcome.verdict.value if outcome.verdict else "analysed")
            published = publish(outcome, Outputs(report_dir=settings.html_dir,
                                                 osv_dir=settings.osv_dir))
            for path in published.files:
                log.info("%s: wrote %s", label, path)
        elif recorded is False:
            log.warning("%s: another worker took it over meanwhile; this result dropped", label)
        return Outcome.RECORDED
    error = box.get("error")
    if isinstance(error, SandboxError):
        # The environment is broken, not the package: no attempt is used up.
        _db(queue.release, job, f"sandbox unavailable: {error.diagnostics()}")
        log.error("%s: sandbox unavailable (%s); pausing %g s", label, error.diagnostics(),
                  settings.sandbox_backoff_s)
        stop.wait(settings.sandbox_backoff_s)
        return Outcome.RELEASED
    if isinstance(error, Error):
        message = error.diagnostics()
    else:
        log.error("%s: analyser crashed", label,
                  exc_info=error if isinstance(error, BaseException) else None)
        message = f"{type(error).__name__}: {error}"
    state = _db(queue.fail, job, message)
    log.warning("%s: failed (%s); %s", label, message, state.value if state else "not ours")
    return Outcome.RECORDED


def _allow_listed(db: Database, result: AnalysisResult, rules: RuleSet,
                  label: str) -> AnalysisResult:
    """Without the findings of rules a reviewer allow-listed for this package, re-scored
    with the rules it was judged by.

    Kept whole when the allow-list cannot be read: a false positive seen twice costs a
    reviewer a minute, a package waved through unseen costs more.
    """
    try:
        reasons = allow_list(db, result.package.ecosystem, result.package.name)
        if not reasons:
            return result
        return apply_allowlist(result, frozenset(reasons), rules, reasons)
    except (Error, SQLAlchemyError) as exc:
        log.warning("%s: allow-list not applied: %s", label, exc)
        return result


def _db(call: Callable[..., T], *args: object, attempts: int = 3) -> T | None:
    """A queue call that survives a database hiccup; None if it failed every time, and
    then the job's lease runs out and it is re-queued."""
    for attempt in range(attempts):
        try:
            return call(*args)
        except (StoreError, SQLAlchemyError) as exc:
            log.error("database error (attempt %d/%d): %s", attempt + 1, attempts, exc)
            time.sleep(0.5 * 2 ** attempt)
    return None


@dataclass(frozen=True)
class SandboxAnalyser:
    """The production `AnalyserFactory`: an `Analyzer` of these settings, built in the
    worker process (the settings are plain data; the sandbox and the rules are not)."""

    settings: SandboxSettings

    def __call__(self) -> Analyser:
        # Imported here: the Docker SDK and the sandbox stack load only in workers.
        from analyzer.analysis import Analyzer
        from analyzer.sandbox.daemon import connect
        from analyzer.sandbox.docker_runner import DockerSandbox
        from analyzer.sandbox.sweep import sweep

        analyzer = Analyzer(sandbox=DockerSandbox(self.settings.limits()), urls=self.settings.urls,
                            rules=self.settings.rules(), deps=self.settings.dependency_prep())
        # What a killed predecessor left: its containers (owner gone) and run folders.
        try:
            swept = sweep(connect())
        except SandboxError as exc:  # the first analysis says it again, per job
            log.warning("no sweep of abandoned sandboxes: %s", exc.diagnostics())
        else:
            if swept.containers or swept.folders:
                log.info("removed %d abandoned sandbox container(s) and %d stale run"
                         " folder(s)", len(swept.containers), len(swept.folders))
        return Analyser(analyzer.analyze, analyzer.rules)
