"""The Celery backend's watcher side without a broker: what it publishes, and when again;
and the `watch --backend` / `worker` command lines."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from analyzer.scheduler.celery_backend import (
    DEFAULT_BROKER_URL,
    QUEUE,
    TASK,
    CeleryBackend,
    resolve_broker_url,
)
from analyzer.scheduler.commands import (
    add_watch_parser,
    add_worker_parser,
    watch_config,
    worker_command,
    worker_settings,
)
from analyzer.scheduler.queue import JobQueue, QueueSettings
from analyzer.store.database import Database
from tests.scheduler.test_queue import _enqueue


class _Control:
    def ping(self, timeout: float) -> list[dict[str, Any]]:
        return [{"a@host": {"ok": "pong"}}, {"b@host": {"ok": "pong"}}]


class RecordingApp:
    """Stands in for the Celery app: records what would reach the broker."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.control = _Control()
        self.closed = False

    def send_task(self, name: str, args: list[int], queue: str, **_options: Any) -> None:
        assert (name, queue) == (TASK, QUEUE)
        self.sent.extend(args)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'celery.db'}"
    Database.open(url).close()
    return url


def _backend(url: str, **options: Any) -> tuple[CeleryBackend, RecordingApp]:
    app = RecordingApp()
    backend = CeleryBackend("redis://unused", url, publish_every_s=0.0,
                            app=app, **options)
    backend.start()
    return backend, app


def test_each_queued_job_is_published_once_by_priority(db_path: str) -> None:
    db = Database.open(db_path)
    _enqueue(db, "low", "high", "mid", priorities={"high": 5, "mid": 2})
    backend, app = _backend(db_path)
    assert backend.supervise() == []
    assert app.sent == [2, 3, 1] and backend.alive() == 2
    backend.supervise()
    assert app.sent == [2, 3, 1]  # still queued, already published
    backend.stop(0)
    assert app.closed
    db.close()


def test_a_requeued_job_is_published_again_and_a_claimed_one_not(db_path: str) -> None:
    db = Database.open(db_path)
    _enqueue(db, "a", "b")
    backend, app = _backend(db_path)
    backend.supervise()
    queue = JobQueue(db, QueueSettings(retry_backoff_s=3600.0))
    first = queue.claim("host:1", 1)
    assert first is not None
    assert queue.claim("host:2", 1) is None  # a duplicate delivery of job 1 gets nothing
    backend.supervise()
    assert app.sent == [1, 2]
    assert queue.release(first, "shut down")  # queued again, available now
    backend.supervise()
    assert app.sent == [1, 2, 1]
    again = queue.claim("host:1", 1)
    assert again is not None and queue.fail(again, "boom") is not None  # backing off
    backend.supervise()
    assert app.sent == [1, 2, 1]  # not before its retry is due
    backend.stop(0)
    db.close()


def test_at_most_max_in_flight_jobs_wait_in_the_broker(db_path: str) -> None:
    db = Database.open(db_path)
    _enqueue(db, "a", "b", "c")
    backend, app = _backend(db_path, max_in_flight=2)
    backend.supervise()
    assert app.sent == [1, 2]
    queue = JobQueue(db)
    assert queue.claim("host:1", 1) is not None
    backend.supervise()
    assert app.sent == [1, 2, 3]
    backend.stop(0)
    db.close()


def test_an_unclaimed_job_is_published_again_after_republish_s(db_path: str) -> None:
    db = Database.open(db_path)
    _enqueue(db, "a")
    backend, app = _backend(db_path, republish_s=0.0)
    backend.supervise()
    backend.supervise()
    assert app.sent == [1, 1]  # as if the broker lost the first message
    backend.stop(0)
    db.close()


def test_the_broker_url_comes_from_the_flag_the_environment_or_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PKGSANDBOX_BROKER_URL", raising=False)
    assert resolve_broker_url() == DEFAULT_BROKER_URL == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("PKGSANDBOX_BROKER_URL", "redis://broker:6379/1")
    assert resolve_broker_url() == "redis://broker:6379/1"
    assert resolve_broker_url("redis://flag/2") == "redis://flag/2"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def _parse(*argv: str) -> argparse.Namespace:
    parser = _Parser(prog="pkgsandbox")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_watch_parser(commands)
    add_worker_parser(commands)
    return parser.parse_args(argv)


def test_watch_takes_a_backend_and_a_broker() -> None:
    config = watch_config(_parse("watch", "--backend", "celery", "--broker-url", "redis://b/0"))
    assert (config.backend, config.broker_url) == ("celery", "redis://b/0")
    assert watch_config(_parse("watch")).backend == "local"
    with pytest.raises(ValueError, match="invalid choice"):
        _parse("watch", "--backend", "kafka")


def test_worker_options_become_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PKGSANDBOX_DB", raising=False)
    args = _parse("worker", "--db", "postgresql+psycopg://u@db/pkg", "--broker-url",
                  "redis://b/0", "--concurrency", "3", "--job-timeout", "600")
    assert args.handler is worker_command and args.concurrency == 3
    settings = worker_settings(args)
    assert settings.db_url == "postgresql+psycopg://u@db/pkg"
    assert settings.job_timeout_s == 600.0 and settings.queue.lease_s == 120.0
    with pytest.raises(ValueError, match="expected 1 to 10000"):
        _parse("worker", "--concurrency", "0")
