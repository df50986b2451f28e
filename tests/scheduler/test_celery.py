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
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from analyzer.scheduler.celery_backend import QUEUE, TASK, celery_app
from analyzer.store.database import Database
from analyzer.store.schema import Job
from tests.feeds.fake_registry import FakeRegistry
from tests.scheduler.scenario import (
    REPO,
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

        wait_for("redis-server to answer", answers, timeout=10)
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
    waves = releases()
    # Run 1: the watcher publishes to the broker; stopped with SIGTERM.
    first_run(registry, options, log, waves, db)

    # Run 2: a whole worker host dies with kill -9 mid-analysis, then the watcher too.
    for host in hosts:
        wait_for(f"Celery host {host.log.stem} to be ready", host.ready, timeout=30)
    publish(registry, waves[2])
    watcher = Watcher(options, log)
    victim = wait_for("a slow job to start", lambda: slow_job_running(db))
    assert isinstance(victim, tuple)
    victim_job, victim_pid = victim
    doomed = next(h for h in hosts if h.process.pid == os.getpgid(victim_pid))
    time.sleep(0.2)  # well inside its 1.5 s analysis
    doomed.kill()
    # Its lease expires, the watcher re-queues the job and publishes it to the other host.
    wait_for("the killed host's job to be redone", lambda: job_done(db, victim_job))
    os.kill(watcher.process.pid, signal.SIGKILL)
    watcher.wait(10)

    # Run 3: --once takes the last wave and whatever the kill left queued.
    publish(registry, waves[3])
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
    wait_for("the duplicates to be skipped",
             lambda: survivor.log.read_text().count("; skipped") >= len(job_ids), timeout=30)

    assert_each_release_analysed_once(db, registry, waves, victim_job)
    assert journal.read_text() == analyses_before  # the duplicates started nothing
    events = Journal.read(journal).events
    assert len({release for event, release, _pid in events if event == "finish"}) == 200
    killed = Journal.read(journal).killed_mid_analysis(victim_pid)
    assert len(killed) == 1 and "slow" in killed[0][1]
