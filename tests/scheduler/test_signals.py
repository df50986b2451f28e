"""SIGTERM and Ctrl-C stop a real `pkgsandbox watch` within seconds, even mid-request.

The feed drips its answer a byte at a time, well inside the per-read timeout, so the
watcher is blocked in that request when the signal arrives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analyzer.errors import FeedError
from analyzer.httpclient import RetryPolicy
from analyzer.scheduler.watch import run_watch
from analyzer.store.database import Database
from analyzer.store.schema import FeedCursor, Job
from tests.feeds.slow_server import SlowServer
from tests.scheduler.watcher_process import config_for_tests

STOPPED_WITHIN_S = 8.0  # the request is abandoned at once; idle workers go at once


@pytest.fixture
def dripping() -> Iterator[SlowServer]:
    server = SlowServer("drip-body", interval_s=0.2, max_s=60.0).start()
    yield server
    server.close()


def _command() -> list[str]:
    script = Path(sys.executable).with_name("pkgsandbox")
    return [str(script)] if script.exists() else [sys.executable, "-m", "analyzer.cli"]


def _watch(server: SlowServer, tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*_command(), "watch", "--once", "--feeds", "npm", "--start", "beginning",
         "--workers", "1", "--db", f"sqlite:///{tmp_path / 'watch.db'}",
         "--npm-changes-url", f"{server.url}/npm-changes",
         "--npm-registry-url", f"{server.url}/npm",
         "--osv-dir", str(tmp_path / "osv"), "--html-dir", str(tmp_path / "html")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.parametrize(("signum", "whole_group"), [
    (signal.SIGTERM, False),  # what systemd, `timeout` and CI send to the watcher
    (signal.SIGINT, True),  # Ctrl-C: the terminal signals the watcher and its workers
], ids=["sigterm", "ctrl-c"])
def test_a_signal_stops_watch_promptly_in_the_middle_of_a_slow_feed_request(
        dripping: SlowServer, tmp_path: Path, signum: signal.Signals, whole_group: bool) -> None:
    process = _watch(dripping, tmp_path)
    try:
        assert dripping.asked.wait(30), "the watcher never asked the feed"
        time.sleep(0.5)  # well inside the request, and the worker is up
        sent = time.monotonic()
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=STOPPED_WITHIN_S + 5)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()  # reaps it and closes the pipes
    assert "Traceback" not in stderr, stderr
    assert process.returncode == 0, stderr
    assert took < STOPPED_WITHIN_S, stderr
    assert stderr.strip().splitlines()[-1].endswith("| stopped"), stderr
    _assert_store_intact(tmp_path / "watch.db")


def _assert_store_intact(path: Path) -> None:
    """The cursor is where it was before the abandoned read; no job half-made."""
    db = Database.open(f"sqlite:///{path}", migrate=False, create=False)
    try:
        with db.reading() as session:
            cursor = session.get(FeedCursor, "npm")
            assert cursor is not None
            assert (cursor.position, cursor.status, cursor.failures) == ("0", "ok", 0)
            assert session.scalar(select(func.count()).select_from(Job)) == 0
    finally:
        db.close()


def test_once_on_a_dripping_feed_ends_at_the_deadline_with_one_line_naming_it(
        dripping: SlowServer, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    config = replace(config_for_tests({"db": db_url, "registry": dripping.url,
                                       "feeds": ["npm"], "workers": 1}),
                     feed_retry=RetryPolicy(timeout_s=1.0, deadline_s=1.5, backoff_s=0.01))
    started = time.monotonic()
    with pytest.raises(FeedError, match=r"^npm: npm _changes since 0: no complete answer within"
                                        r" 1.5 s$"):
        run_watch(config, once=True)
    assert time.monotonic() - started < 8.0
    assert dripping.requests == 1  # a request that ran out its deadline is not repeated
