"""The crash-safety scenario both scheduler backends go through: four waves of 200
releases, a watcher stopped and killed, a worker (or a whole host) killed mid-analysis,
and the checks that every release was analysed exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from analyzer.store.database import Database
from analyzer.store.schema import FeedCursor, FindingRow, Job, Package, Result, Version
from tests.feeds.fake_registry import FakeRegistry

REPO = Path(__file__).resolve().parents[2]
Release = tuple[str, str, str]  # ecosystem, name, version


def releases() -> list[list[Release]]:
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


def publish(registry: FakeRegistry, wave: list[Release]) -> None:
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


def wait_for(what: str, condition: Callable[[], object], timeout: float = 40.0) -> object:
    """`condition()` once it is truthy, polled every 20 ms."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return value


def count_results(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Result)) or 0


def first_run(registry: FakeRegistry, options: dict[str, object], log: Path,
              waves: list[list[Release]], db: Database) -> None:
    """Run 1: two waves through a watcher, feed errors on the way, stopped with SIGTERM
    (workers finish or release their jobs)."""
    publish(registry, waves[0])
    watcher = Watcher(options, log)
    wait_for("first results", lambda: count_results(db) >= 10)
    publish(registry, waves[1])
    registry.fail("xmlrpc", "500")
    registry.fail("changes", "timeout", "malformed")
    wait_for("results of the second wave", lambda: count_results(db) >= 60)
    watcher.process.send_signal(signal.SIGTERM)
    assert watcher.wait(30) == 0


def slow_job_running(db: Database) -> tuple[int, int] | None:
    """The running slow job's id and the pid holding its lease, once there is one."""
    with db.reading() as session:
        row = session.execute(
            select(Job.id, Job.lease_owner).join(Version, Version.id == Job.version_id)
            .join(Package, Package.id == Version.package_id)
            .where(Job.state == "running", Package.name.like("%slow%"))).first()
    return None if row is None else (row.id, int(row.lease_owner.rsplit(":", 1)[1]))


def job_done(db: Database, job_id: int) -> bool:
    with db.reading() as session:
        return session.scalar(select(Job.state).where(Job.id == job_id)) == "done"


@dataclass(frozen=True)
class Journal:
    """The fake analyser's journal: `start|finish ECOSYSTEM NAME VERSION PID` lines."""

    events: list[tuple[str, tuple[str, ...], str]]

    @classmethod
    def read(cls, path: Path) -> Journal:
        words = path.read_text().split()
        return cls([(words[i], tuple(words[i + 1:i + 4]), words[i + 4])
                    for i in range(0, len(words), 5)])

    def killed_mid_analysis(self, pid: int) -> list[tuple[str, ...]]:
        """Releases `pid` started and never finished."""
        return [release for event, release, by in self.events
                if event == "start" and by == str(pid)
                and ("finish", release, by) not in self.events]


def assert_each_release_analysed_once(db: Database, registry: FakeRegistry,
                                      waves: list[list[Release]], victim_job: int) -> None:
    """Nothing lost, nothing extra, no job queued or dead, one result a release, the
    killed job done on its second attempt, both feed cursors at the end and healthy."""
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
    assert sorted(tuple(r) for r in recorded) == sorted(published)
    assert len(jobs) == 200 and {j.state for j in jobs} == {"done"}
    assert len({j.version_id for j in jobs}) == 200
    assert len(per_version) == 200 and set(per_version.values()) == {1}
    assert findings == 20  # the evil ones: 10 packages x 2 versions
    assert next(j.attempts for j in jobs if j.id == victim_job) == 2
    assert cursors["pypi"].position == str(len(registry.journal))
    assert cursors["npm"].position == str(registry.seq)
    assert all(c.status == "ok" for c in cursors.values())
