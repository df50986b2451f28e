"""The issue's "done when" on many machines: the crash-safety run with two Celery worker
hosts on a real Redis broker and a real PostgreSQL.

Each host is a `celery worker` process group (prefork, one pool process); one host is
killed whole with SIGKILL in the middle of an analysis, as a machine that loses power.
Then every job id is delivered once more, as a broker redelivers: none is analysed twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analyzer.scheduler.celery_backend import QUEUE, TASK, celery_app
from analyzer.store.database import Database
from analyzer.store.schema import FeedCursor, FindingRow, Job, Package, Result, Version
from tests.feeds.fake_registry import FakeRegistry
from tests.scheduler.test_crash_safety import REPO, Watcher, _publish, _releases, _wait_for
from tests.store import postgres

NO_REDIS = "redis-server is not installed (apt-get install redis-server)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def broker_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1 and a free port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("PKGSANDBOX_REQUIRE_REDIS"):
            pytest.fail(f"Redis required but missing: {NO_REDIS}")
        pytest.skip(NO_REDIS)
    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as link:
                    link.sendall(b"PING\r\n")
                    return link.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        _wait_for("redis-server to answer", answers, timeout=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    with postgres.fresh_database(pg_server) as url:
        yield url


class CeleryHost:
    """`python -m tests.scheduler.celery_worker_process` in its own process group."""

    def __init__(self, options: dict[str, object], log: Path) -> None:
        self.log = log
        with log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.scheduler.celery_worker_process",
                 json.dumps(options)],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def ready(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()[-3000:]
        return " ready." in self.log.read_text()


def test_two_celery_hosts_analyse_every_release_exactly_once(
        registry: FakeRegistry, tmp_path: Path, journal: Path, broker_url: str,
        pg_url: str) -> None:
    db = Database.open(pg_url)  # migrated here: hosts and watchers never migrate
    hosts = [CeleryHost({"name": name, "db": pg_url, "broker_url": broker_url,
                         "journal": str(journal), "sleep_s": 0.02, "slow_s": 1.5,
                         "lease_s": 1.5}, tmp_path / f"{name}.log") for name in ("a", "b")]
    try:
        _run(registry, tmp_path, journal, broker_url, pg_url, db, hosts)
    finally:
        for host in hosts:
            host.kill()
        db.close()


def _run(registry: FakeRegistry, tmp_path: Path, journal: Path, broker_url: str, pg_url: str,
         db: Database, hosts: list[CeleryHost]) -> None:
    log = tmp_path / "watcher.log"
    options = {"db": pg_url, "registry": registry.url, "journal": str(journal),
               "lease_s": 1.5, "typosquat": False, "backend": "celery",
               "broker_url": broker_url}
    waves = _releases()

    def results() -> int:
        with db.reading() as session:
            return session.scalar(select(func.count()).select_from(Result)) or 0

    # Run 1: the watcher publishes to the broker; stopped with SIGTERM.
    _publish(registry, waves[0])
    watcher = Watcher(options, log)
    _wait_for("first results", lambda: results() >= 10)
    _publish(registry, waves[1])
    registry.fail("xmlrpc", "500")
    registry.fail("changes", "timeout", "malformed")
    _wait_for("results of the second wave", lambda: results() >= 60)
    watcher.process.send_signal(signal.SIGTERM)
    assert watcher.wait(30) == 0

    # Run 2: a whole worker host dies with kill -9 mid-analysis, then the watcher too.
    for host in hosts:
        _wait_for(f"Celery host {host.log.stem} to be ready", host.ready, timeout=30)
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
    doomed = next(h for h in hosts if h.process.pid == os.getpgid(victim_pid))
    time.sleep(0.2)  # well inside its 1.5 s analysis
    doomed.kill()

    def victim_done() -> bool:
        with db.reading() as session:
            state: str | None = session.scalar(select(Job.state).where(Job.id == victim_job))
            return state == "done"

    # Its lease expires, the watcher re-queues the job and publishes it to the other host.
    _wait_for("the killed host's job to be redone", victim_done)
    os.kill(watcher.process.pid, signal.SIGKILL)
    watcher.wait(10)

    # Run 3: --once takes the last wave and whatever the kill left queued.
    _publish(registry, waves[3])
    assert Watcher({**options, "once": True}, log).wait(60) == 0

    # Every job delivered once more, as a broker redelivers: each is skipped.
    survivor = next(h for h in hosts if h is not doomed)
    with db.reading() as session:
        job_ids = session.scalars(select(Job.id)).all()
    analyses_before = journal.read_text()
    app = celery_app(broker_url)
    try:
        for job_id in job_ids:
            app.send_task(TASK, args=[job_id], queue=QUEUE)
    finally:
        app.close()
    _wait_for("the duplicates to be skipped",
              lambda: survivor.log.read_text().count("; skipped") >= len(job_ids), timeout=30)

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
    assert sorted(tuple(r) for r in recorded) == sorted(published)  # nothing lost, no extra
    assert len(jobs) == 200 and {j.state for j in jobs} == {"done"}  # none queued/dead
    assert len(per_version) == 200 and set(per_version.values()) == {1}  # exactly once
    assert findings == 20  # the evil ones: 10 packages x 2 versions
    assert next(j.attempts for j in jobs if j.id == victim_job) == 2
    assert cursors["pypi"].position == str(len(registry.journal))
    assert cursors["npm"].position == str(registry.seq)
    assert all(c.status == "ok" for c in cursors.values())
    lines = journal.read_text().split()
    events = [(lines[i], tuple(lines[i + 1:i + 4]), lines[i + 4])
              for i in range(0, len(lines), 5)]
    assert journal.read_text() == analyses_before  # the duplicates started nothing
    assert len({release for event, release, _pid in events if event == "finish"}) == 200
    killed = [release for event, release, pid in events
              if event == "start" and pid == str(victim_pid)
              and ("finish", release, pid) not in events]
    assert len(killed) == 1 and "slow" in killed[0][1]
