"""The issue's "done when": 200 releases, two watcher restarts, a worker killed with -9.

Every release must end up analysed exactly once, and the database must show no job lost.
The watcher runs as a separate process, stopped once with SIGTERM and once with SIGKILL
(its orphaned workers must then exit by themselves); one worker is SIGKILLed in the
middle of an analysis.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from analyzer.store.database import Database
from analyzer.store.schema import FeedCursor, FindingRow, Job, Package, Result, Version
from tests.feeds.fake_registry import FakeRegistry

REPO = Path(__file__).resolve().parents[2]
Release = tuple[str, str, str]  # ecosystem, name, version


def _releases() -> list[list[Release]]:
    """Four waves of 50: 25 PyPI and 25 npm each; every package gets two versions."""
    waves: list[list[Release]] = [[] for _ in range(4)]
    for index in range(50):
        # One slow package, published in waves 2 and 3: the worker killed in run 2 has it.
        kind = "slow" if index == 28 else "evil" if index % 10 == 7 else "pkg"
        wave = (index // 25) * 2  # versions 1.0 in waves 0/2, their 2.0 in waves 1/3
        for offset, version in ((0, "1.0.0"), (1, "2.0.0")):
            waves[wave + offset].append(("pypi", f"py-{kind}-{index}", version))
            waves[wave + offset].append(("npm", f"js-{kind}-{index}", version))
    return waves


def _publish(registry: FakeRegistry, wave: list[Release]) -> None:
    for ecosystem, name, version in wave:
        if ecosystem == "pypi":
            registry.publish_pypi(name, version, new_project=version == "1.0.0")
        else:
            registry.publish_npm(name, version)


class Watcher:
    """`python -m tests.scheduler.watcher_process` in its own process group."""

    def __init__(self, options: dict[str, object], log: Path) -> None:
        self.log = log
        with log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.scheduler.watcher_process", json.dumps(options)],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            tail = self.log.read_text()[-3000:]
            raise AssertionError(f"watcher still running; its log:\n{tail}") from None


def _wait_for(what: str, condition: Callable[[], object], timeout: float = 40.0) -> object:
    """`condition()` once it is truthy, polled every 20 ms."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return value


def test_every_release_is_analysed_exactly_once_through_restarts_and_kills(
        registry: FakeRegistry, tmp_path: Path, journal: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'watch.db'}"
    log = tmp_path / "watcher.log"
    options = {"db": db_url, "registry": registry.url, "journal": str(journal),
               "sleep_s": 0.02, "slow_s": 1.5, "workers": 2, "lease_s": 1.5,
               "typosquat": False}
    waves = _releases()
    db = Database.open(db_url)

    def results() -> int:
        with db.reading() as session:
            return session.scalar(select(func.count()).select_from(Result)) or 0

    # Run 1: stopped with SIGTERM (workers finish or release their jobs).
    _publish(registry, waves[0])
    watcher = Watcher(options, log)
    _wait_for("first results", lambda: results() >= 10)
    _publish(registry, waves[1])
    registry.fail("xmlrpc", "500")
    registry.fail("changes", "timeout", "malformed")
    _wait_for("results of the second wave", lambda: results() >= 60)
    watcher.process.send_signal(signal.SIGTERM)
    assert watcher.wait(30) == 0

    # Run 2: a worker is killed mid-analysis, then the whole watcher with kill -9.
    _publish(registry, waves[2])
    watcher = Watcher(options, log)

    def slow_job_running() -> tuple[int, int] | None:
        with db.reading() as session:
            row = session.execute(
                select(Job.id, Job.lease_owner).join(Version, Version.id == Job.version_id)
                .join(Package, Package.id == Version.package_id)
                .where(Job.state == "running", Package.name.like("%slow%"))).first()
        return None if row is None else (row.id, int(row.lease_owner.rsplit(":", 1)[1]))

    victim = _wait_for("a slow job to start", slow_job_running)
    assert isinstance(victim, tuple)
    victim_job, victim_pid = victim
    time.sleep(0.2)  # well inside its 1.5 s analysis
    os.kill(victim_pid, signal.SIGKILL)

    def victim_done() -> bool:
        with db.reading() as session:
            state: str | None = session.scalar(select(Job.state).where(Job.id == victim_job))
            return state == "done"

    _wait_for("the killed worker's job to be redone", victim_done)
    os.kill(watcher.process.pid, signal.SIGKILL)
    watcher.wait(10)

    def group_gone() -> bool:
        try:
            os.killpg(watcher.process.pid, 0)
        except ProcessLookupError:
            return True
        return False

    # Orphaned workers see their lifeline close, finish the job in hand and exit.
    _wait_for("the orphaned workers to exit", group_gone, timeout=20)

    # Run 3: --once takes the last wave and whatever the kill left running.
    _publish(registry, waves[3])
    assert Watcher({**options, "once": True}, log).wait(60) == 0

    published = {r for wave in waves for r in wave}
    assert len(published) == 200
    with db.reading() as session:
        recorded = session.execute(
            select(Package.ecosystem, Package.name, Version.version)
            .join(Version, Version.package_id == Package.id)).all()
        jobs = session.execute(select(Job.version_id, Job.state, Job.attempts, Job.id)).all()
        per_version = Counter(session.scalars(select(Result.version_id)).all())
        findings = session.scalar(select(func.count()).select_from(FindingRow))
        cursors = {c.feed: c for c in session.scalars(select(FeedCursor))}
    db.close()
    assert sorted(tuple(r) for r in recorded) == sorted(published)  # nothing lost, no extra
    assert len(jobs) == 200 and {j.state for j in jobs} == {"done"}  # none queued/dead
    assert len({j.version_id for j in jobs}) == 200
    assert len(per_version) == 200 and set(per_version.values()) == {1}  # exactly once
    assert findings == 20  # the evil ones: 10 packages x 2 versions
    assert next(j.attempts for j in jobs if j.id == victim_job) == 2
    assert cursors["pypi"].position == str(len(registry.journal))
    assert cursors["npm"].position == str(registry.seq)
    assert all(c.status == "ok" for c in cursors.values())
    lines = journal.read_text().split()
    starts = Counter(tuple(lines[i + 1:i + 4]) for i in range(0, len(lines), 5)
                     if lines[i] == "start" and lines[i + 4] == str(victim_pid))
    finishes = {tuple(lines[i + 1:i + 4]) for i in range(0, len(lines), 5)
                if lines[i] == "finish" and lines[i + 4] == str(victim_pid)}
    killed_mid_analysis = [r for r in starts if r not in finishes]
    assert len(killed_mid_analysis) == 1 and "slow" in killed_mid_analysis[0][1]
