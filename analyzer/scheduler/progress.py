"""The live progress line of `pkgsandbox watch`: feeds, queue, throughput, failures, flags."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.feeds.interface import Feed
from analyzer.scheduler.interface import WorkerBackend
from analyzer.store.database import Database, StoreError
from analyzer.store.stats import status
from analyzer.terminal import printable


@dataclass
class FeedState:
    """The watcher's view of one feed during this run."""

    feed: Feed
    next_poll: float = 0.0
    failures: int = 0
    drained: bool = False  # caught up at least once in this run
    error: str | None = None


class Progress:
    """Calls `callback` with one line every `interval_s` (never, if callback is None)."""

    def __init__(self, db: Database, feeds: list[FeedState], backend: WorkerBackend,
                 callback: Callable[[str], None] | None, interval_s: float) -> None:
        self.db = db
        self.feeds = feeds
        self.backend = backend
        self.callback = callback
        self.interval_s = interval_s
        self._started = time.monotonic()
        self._next = 0.0
        self._analysed_at_start: int | None = None

    def tick(self) -> None:
        if self.callback is None or time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.interval_s
        try:
            report = status(self.db)
        except StoreError as exc:
            self.callback(f"{_clock()} status unavailable: {exc.diagnostics()}")
            return
        self.callback(self.line(report))

    def finish(self, report: dict[str, Any]) -> None:
        if self.callback is not None:
            self.callback(self.line(report) + " | stopped")

    def line(self, report: dict[str, Any]) -> str:
        """`12:00:01 pypi 123 ok | npm 45 DOWN (...) | queue 3 (+2 running) | ...`"""
        if self._analysed_at_start is None:
            self._analysed_at_start = report["analysed"]
        parts = [f"{_clock()} {self._feed(state, report)}" if index == 0
                 else self._feed(state, report) for index, state in enumerate(self.feeds)]
        if not parts:
            parts.append(_clock())
        parts.append(f"queue {report['queued']} (+{report['running']} running,"
                     f" {self.backend.alive()} workers)")
        parts.append(f"{self._per_hour(report)} analyses/h")
        parts.append(f"{report['failed']} failed, {report['retrying']} retrying")
        recent = report.get("recent") or []
        if recent:
            parts.append("last " + ", ".join(
                printable(f"{r['name']} {r['version']}", limit=60) + f" {r['verdict']}"
                for r in recent))
        flagged = report["last_flagged"]
        if flagged:
            package = printable(f"{flagged['ecosystem']}:{flagged['name']}"
                                f" {flagged['version']}")
            parts.append(f"last flagged {package} ({flagged['verdict']})")
        return " | ".join(parts)

    def _feed(self, state: FeedState, report: dict[str, Any]) -> str:
        stored = report["feeds"].get(state.feed.name, {})
        position = stored.get("position") or "-"
        if state.error is None:
            lag = stored.get("lag_s")
            behind = "" if lag is None else f", lag {_duration(lag)}"
            return f"{state.feed.name} {position} ok{behind}"
        wait = max(0.0, state.next_poll - time.monotonic())
        error = printable(state.error[:120])
        return (f"{state.feed.name} {position} DOWN ({error}; {state.failures}"
                f" failures, retry in {wait:.0f} s)")

    def _per_hour(self, report: dict[str, Any]) -> int:
        """The last hour's count, or this run's rate while it is younger than an hour."""
        elapsed = time.monotonic() - self._started
        if elapsed >= 3600 or elapsed < 1:
            return int(report["analyses_last_hour"])
        done = report["analysed"] - (self._analysed_at_start or 0)
        return int(done / elapsed * 3600)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S")
