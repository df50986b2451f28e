"""The issue's "done when": 200 releases, two watcher restarts, a worker killed with -9.

Every release must end up analysed exactly once, and the database must show no job lost.
The watcher runs as a separate process, stopped once with SIGTERM and once with SIGKILL
(its orphaned workers must then exit by themselves); one worker is SIGKILLed in the
middle of an analysis.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from analyzer.store.database import Database
from tests.feeds.fake_registry import FakeRegistry
from tests.scheduler.scenario import (
    Journal,
    Watcher,
    assert_each_release_analysed_once,
    first_run,
    job_done,
    publish,
    releases,
    slow_job_running,
    wait_for,
)


def test_every_release_is_analysed_exactly_once_through_restarts_and_kills(
        registry: FakeRegistry, tmp_path: Path, journal: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'watch.db'}"
    log = tmp_path / "watcher.log"
    options = {"db": db_url, "registry": registry.url, "journal": str(journal),
               "sleep_s": 0.02, "slow_s": 1.5, "workers": 2, "lease_s": 1.5,
               "typosquat": False}
    waves = releases()
    db = Database.open(db_url)
    first_run(registry, options, log, waves, db)

    # Run 2: a worker is killed mid-analysis, then the whole watcher with kill -9.
    publish(registry, waves[2])
    watcher = Watcher(options, log)
    victim = wait_for("a slow job to start", lambda: slow_job_running(db))
    assert isinstance(victim, tuple)
    victim_job, victim_pid = victim
    time.sleep(0.2)  # well inside its 1.5 s analysis
    os.kill(victim_pid, signal.SIGKILL)
    wait_for("the killed worker's job to be redone", lambda: job_done(db, victim_job))
    os.kill(watcher.process.pid, signal.SIGKILL)
    watcher.wait(10)

    def group_gone() -> bool:
        try:
            os.killpg(watcher.process.pid, 0)
        except ProcessLookupError:
            return True
        return False

    # Orphaned workers see their lifeline close, finish the job in hand and exit.
    wait_for("the orphaned workers to exit", group_gone, timeout=20)

    # Run 3: --once takes the last wave and whatever the kill left running.
    publish(registry, waves[3])
    assert Watcher({**options, "once": True}, log).wait(60) == 0

    assert_each_release_analysed_once(db, registry, waves, victim_job)
    db.close()
    killed = Journal.read(journal).killed_mid_analysis(victim_pid)
    assert len(killed) == 1 and "slow" in killed[0][1]
