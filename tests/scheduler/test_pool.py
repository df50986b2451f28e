"""Local worker processes: replaced when killed, and a clear error when they cannot start."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from analyzer.scheduler.interface import SchedulerError
from analyzer.scheduler.pool import LocalPool
from analyzer.scheduler.worker import WorkerSettings
from analyzer.store.database import Database
from tests.scheduler.fakes import BrokenAnalyser, FakeAnalyser


def _wait(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    Database.open(url).close()
    pool = LocalPool(1, WorkerSettings(db_url=url, poll_s=0.05), FakeAnalyser(),
                     restart_delay_s=0.0)
    pool.start()
    try:
        _wait(lambda: pool.alive() == 1)
        (victim,) = pool.pids()
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: not pool.pids() or pool.pids() != [victim])
        events: list[str] = []

        def replaced() -> bool:
            events.extend(pool.supervise())
            return bool(pool.pids())

        _wait(replaced)
        assert events == [f"worker 0 (pid {victim}) was killed by SIGKILL; starting a new one"]
        assert pool.pids() != [victim]
    finally:
        pool.stop(grace_s=2.0)
    assert pool.alive() == 0


def test_workers_that_cannot_start_stop_the_watcher(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    Database.open(url).close()
    pool = LocalPool(2, WorkerSettings(db_url=url), BrokenAnalyser(), restart_delay_s=0.0,
                     early_deaths_max=2)
    pool.start()
    try:
        with pytest.raises(SchedulerError, match="exit as soon as they start .*exited with"
                                                 " status 1"):
            _wait(lambda: bool(pool.supervise()) and False, timeout=60.0)
    finally:
        pool.stop(grace_s=1.0)
