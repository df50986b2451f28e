"""`pkgsandbox watch`: poll the feeds into the queue, keep the workers up, report progress."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.defaults import BACKEND_NAMES, FEED_NAMES, JOB_TIMEOUT_S, NPM_CHANGES_URL
from analyzer.errors import FeedError, RegistryError
from analyzer.feeds.interface import Feed
from analyzer.feeds.npm import NpmFeed
from analyzer.feeds.pypi import PypiFeed
from analyzer.httpclient import HttpClient, RetryPolicy
from analyzer.scheduler.intake import Start, poll_feed
from analyzer.scheduler.interface import AnalyserFactory, SchedulerError, WorkerBackend
from analyzer.scheduler.metrics import MetricsServer
from analyzer.scheduler.pool import LocalPool
from analyzer.scheduler.progress import FeedState, Progress
from analyzer.scheduler.queue import JobQueue, QueueSettings
from analyzer.scheduler.worker import SandboxAnalyser, WorkerSettings
from analyzer.settings import SandboxSettings
from analyzer.store.database import Database, StoreError
from analyzer.store.location import resolve_url
from analyzer.store.releases import CursorConflict, record_feed_error
from analyzer.store.stats import status

log = logging.getLogger(__name__)
TICK_S = 0.2


@dataclass(frozen=True)
class WatchConfig:
    """Everything `pkgsandbox watch` can be told; the defaults suit one server."""

    db_url: str | None = None
    feeds: tuple[str, ...] = ("pypi", "npm")
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)  # its URLs: the feeds'
    npm_changes_url: str = NPM_CHANGES_URL
    start: Start = Start.NOW
    poll_interval_s: float = 60.0
    feed_retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_feed_backoff_s: float = 600.0  # between polls of a feed that is down
    gap_patience_s: float = 120.0
    npm_batch_size: int = 100
    backend: str = "local"
    broker_url: str | None = None  # celery: None means $PKGSANDBOX_BROKER_URL or local Redis
    workers: int = 2
    queue: QueueSettings = field(default_factory=QueueSettings)
    job_timeout_s: float = JOB_TIMEOUT_S
    worker_poll_s: float = 1.0
    shutdown_grace_s: float = 5.0  # what a worker's analysis gets to end after SIGTERM
    progress_interval_s: float = 10.0
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None  # None: no /metrics endpoint
    osv_dir: Path | None = None  # the CLI defaults it to reports/osv
    html_dir: Path | None = None  # the CLI defaults it to reports/html
    analyser: AnalyserFactory | None = None  # None: the gVisor sandbox
    log_level: int = logging.INFO


def _pypi(config: WatchConfig, client: HttpClient) -> Feed:
    return PypiFeed(config.sandbox.urls.pypi, client, config.gap_patience_s)


def _npm(config: WatchConfig, client: HttpClient) -> Feed:
    return NpmFeed(config.sandbox.urls.npm, config.npm_changes_url, client,
                   config.npm_batch_size)


def _local(config: WatchConfig, settings: WorkerSettings,
           factory: AnalyserFactory) -> WorkerBackend:
    return LocalPool(config.workers, settings, factory)


def _celery(config: WatchConfig, settings: WorkerSettings,
            _factory: AnalyserFactory) -> WorkerBackend:
    # Imported here: Celery loads only when asked for; the workers build their analyser.
    from analyzer.scheduler.celery_backend import CeleryBackend, resolve_broker_url

    return CeleryBackend(resolve_broker_url(config.broker_url), settings.db_url)


FEEDS: dict[str, Callable[[WatchConfig, HttpClient], Feed]] = {"pypi": _pypi, "npm": _npm}
BACKENDS: dict[str, Callable[[WatchConfig, WorkerSettings, AnalyserFactory], WorkerBackend]] = {
    "local": _local, "celery": _celery}
# The CLI offers the names from analyzer.defaults without importing this module.
assert tuple(FEEDS) == FEED_NAMES and tuple(BACKENDS) == BACKEND_NAMES


def run_watch(config: WatchConfig, once: bool = False,
              progress_callback: Callable[[str], None] | None = None,
              stop: threading.Event | None = None) -> dict[str, Any]:
    """Watch until SIGTERM/SIGINT (or `stop` is set), or with `once` until what is new now
    is analysed.

    Returns the final `status()` report. With `once`, a feed that stayed down raises
    `FeedError` after the rest was processed.
    """
    unknown = [name for name in config.feeds if name not in FEEDS]
    if unknown:
        raise FeedError(f"unknown feed {unknown[0]!r}: choose from {', '.join(FEEDS)}")
    if config.backend not in BACKENDS:
        raise SchedulerError(f"unknown worker backend {config.backend!r}: choose from"
                             f" {', '.join(BACKENDS)}")
    db = Database.open(config.db_url)
    stop = stop or threading.Event()
    restore = _handle_signals(stop)
    client = HttpClient(config.feed_retry, stop)
    feeds = [FeedState(FEEDS[name](config, client)) for name in config.feeds]
    settings = WorkerSettings(
        db_url=resolve_url(config.db_url), queue=config.queue, job_timeout_s=config.job_timeout_s,
        poll_s=config.worker_poll_s, shutdown_grace_s=config.shutdown_grace_s,
        log_level=config.log_level, osv_dir=config.osv_dir, html_dir=config.html_dir)
    factory = config.analyser or SandboxAnalyser(config.sandbox)
    backend = BACKENDS[config.backend](config, settings, factory)
    queue = JobQueue(db, config.queue)
    progress = Progress(db, feeds, backend, progress_callback, config.progress_interval_s)
    metrics = None
    try:
        if config.metrics_port is not None:
            metrics = MetricsServer(db, config.metrics_host, config.metrics_port)
            log.info("metrics on http://%s:%d/metrics", config.metrics_host, metrics.port)
        backend.start()
        next_reap = 0.0
        while not stop.is_set():
            for state in feeds:
                if time.monotonic() >= state.next_poll and not (once and state.drained):
                    _poll(db, state, config, stop, once)
            for event in backend.supervise():
                log.warning("%s", event)
            if time.monotonic() >= next_reap:
                # The watcher alone re-queues jobs of lost workers: one reaper, not N.
                _reap(queue)
                next_reap = time.monotonic() + config.queue.lease_s / 4
            progress.tick()
            if once and all(s.drained for s in feeds) and not queue.has_work():
                break
            stop.wait(TICK_S)
    finally:
        backend.stop(config.shutdown_grace_s)
        if metrics is not None:
            metrics.close()
        restore()
    report = status(db)
    progress.finish(report)
    db.close()
    failed = [s for s in feeds if s.error is not None]
    if once and failed:
        raise FeedError("; ".join(f"{s.feed.name}: {s.error}" for s in failed))
    return report


def _poll(db: Database, state: FeedState, config: WatchConfig, stop: threading.Event,
          once: bool) -> None:
    """One poll of one feed; a failure marks it down and schedules a retry with backoff."""
    try:
        result = poll_feed(db, state.feed, config.start, config.queue.max_attempts, stop)
    except CursorConflict:
        raise
    except (FeedError, RegistryError, StoreError) as exc:
        if stop.is_set():  # abandoned because we are stopping: the feed is not down
            log.info("%s: poll abandoned (%s)", state.feed.name, exc.diagnostics())
            return
        state.failures += 1
        state.error = exc.diagnostics()
        # Each request was already retried; between polls of a feed that stays down the
        # wait doubles from the poll interval up to the cap, with jitter.
        backoff = RetryPolicy(backoff_s=config.poll_interval_s,
                              max_backoff_s=config.max_feed_backoff_s)
        delay = 0.0 if once else backoff.delay(state.failures - 1)
        state.next_poll = time.monotonic() + delay
        # In --once a feed gets its retries inside the HTTP client, then the run moves on.
        state.drained = once
        log.error("%s feed down: %s; next try in %.0f s", state.feed.name, state.error, delay)
        try:
            record_feed_error(db, state.feed.name, state.error, time.time())
        except StoreError as store_exc:
            log.error("cannot record the feed error: %s", store_exc.diagnostics())
        return
    if state.error is not None:
        log.info("%s feed is back", state.feed.name)
    state.failures, state.error = 0, None
    state.drained = state.drained or (result.caught_up and not stop.is_set())
    state.next_poll = time.monotonic() + (config.poll_interval_s if result.caught_up else 0)
    if result.created:
        log.info("%s: %d new releases queued", state.feed.name, result.created)


def _reap(queue: JobQueue) -> None:
    try:
        queue.reap_expired()
    except StoreError as exc:
        log.error("cannot re-queue expired jobs: %s", exc.diagnostics())


def _handle_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT stop the watcher cleanly; returns how to undo that."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_signal(signum: int, _frame: object) -> None:
        log.info("%s: stopping (workers finish or release their jobs)",
                 signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore
