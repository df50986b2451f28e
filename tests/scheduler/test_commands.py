"""`pkgsandbox watch` and `status` as the CLI will register them: options and output."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from analyzer.errors import UsageError
from analyzer.feeds.interface import Batch
from analyzer.models import Phase
from analyzer.scheduler.commands import (
    add_status_parser,
    add_watch_parser,
    add_worker_parser,
    status_command,
    watch_config,
    worker_command,
    worker_settings,
)
from analyzer.scheduler.intake import Start
from analyzer.store.database import Database, StoreError
from analyzer.store.releases import record_batch, start_cursor
from tests.store.builders import planned


class _Parser(argparse.ArgumentParser):
    """As cli.py's: a bad option raises instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pkgsandbox")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_watch_parser(commands)
    add_worker_parser(commands)
    add_status_parser(commands)
    return parser


def test_watch_options_become_the_config() -> None:
    args = _parser().parse_args([
        "watch", "--once", "--workers", "3", "--db", "sqlite:///x.db", "--feeds", "npm,pypi,npm",
        "--pypi-url", "http://127.0.0.1:1/", "--npm-registry-url", "http://127.0.0.1:2",
        "--npm-changes-url", "http://127.0.0.1:3/registry/", "--start", "beginning",
        "--job-timeout", "600", "--max-attempts", "5", "--metrics-port", "9464"])
    config = watch_config(args)
    assert args.once and config.workers == 3 and config.db_url == "sqlite:///x.db"
    assert config.feeds == ("npm", "pypi")
    assert (config.sandbox.urls.pypi, config.sandbox.urls.npm, config.npm_changes_url) == (
        "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3/registry")
    assert config.start is Start.BEGINNING and config.job_timeout_s == 600.0
    assert config.queue.max_attempts == 5 and config.queue.lease_s == 120.0
    assert (config.metrics_host, config.metrics_port) == ("127.0.0.1", 9464)
    defaults = watch_config(_parser().parse_args(["watch"]))
    assert defaults.feeds == ("pypi", "npm") and defaults.start is Start.NOW
    assert defaults.db_url is None and defaults.metrics_port is None
    assert defaults.npm_changes_url == "https://replicate.npmjs.com/registry"


@pytest.mark.parametrize(("argv", "message"), [
    (["watch", "--feeds", "pypi,rubygems"], "unknown feed 'rubygems' .choose from pypi,npm"),
    (["watch", "--workers", "0"], "expected 1 to 10000, not '0'"),
    (["watch", "--job-timeout", "soon"], "not a number of seconds: 'soon'"),
    (["watch", "--pypi-url", "ftp://mirror.example"], "not an http.s. URL with a host"),
    (["watch", "--npm-changes-url", "replicate.npmjs.com"], "not an http.s. URL with a host"),
    (["watch", "--memory", "64"], "expected 256 to 262144 MB, not '64'"),
])
def test_bad_watch_options_are_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _parser().parse_args(argv)


def test_watch_and_worker_take_the_sandbox_options_of_analyze(tmp_path: Path) -> None:
    # One settings object from the same flags: memory, phase timeouts, rules, registries.
    (tmp_path / "extra.yaml").write_text("rules: []\n")
    sandbox = ["--memory", "4096", "--import-timeout", "30", "--persona-timeout", "15",
               "--rules", str(tmp_path), "--pypi-url", "http://127.0.0.1:1/"]
    config = watch_config(_parser().parse_args(["watch", *sandbox]))
    settings = worker_settings(_parser().parse_args(["worker", *sandbox, "--job-timeout", "700"]))
    assert config.sandbox.memory_mb == 4096 and config.sandbox.rules_dirs == (tmp_path,)
    assert dict(config.sandbox.timeouts_s) == {Phase.INSTALL: 300.0, Phase.IMPORT: 30.0,
                                               Phase.EXECUTE: 60.0, Phase.PERSONA: 15.0}
    assert config.sandbox.limits().timeout(Phase.IMPORT) == 30.0
    assert config.sandbox.urls.pypi == "http://127.0.0.1:1"
    assert settings.job_timeout_s == 700.0 and settings.queue.lease_s == 140.0


@pytest.mark.parametrize("command", ["watch", "worker"])
def test_a_job_timeout_shorter_than_the_phases_is_refused(command: str) -> None:
    # 300 + 60 + 60 + 60 s of phases cannot fit in a 400 s job: it would always be cut off.
    args = _parser().parse_args([command, "--job-timeout", "400"])
    with pytest.raises(UsageError, match=r"--job-timeout 400 is shorter than the sandbox's own"
                                         r" budget, 480 s"):
        (watch_config if command == "watch" else worker_command)(args)
    shorter = _parser().parse_args(["watch", "--job-timeout", "400", "--install-timeout", "200"])
    assert watch_config(shorter).job_timeout_s == 400.0


def test_status_prints_json_or_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    db = Database.open(url)
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "3", True), [planned("a"), planned("b")], 3, 1.0)
    db.close()
    assert status_command(_parser().parse_args(["status", "--db", url, "--json"])) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("analysed", "queued", "failed", "by_verdict")} == {
        "analysed": 0, "queued": 2, "failed": 0, "by_verdict": {}}
    assert status_command(_parser().parse_args(["status", "--db", url])) == 0
    text = capsys.readouterr().out
    assert "queue     2 queued (0 retrying), 0 running, 0 failed" in text
    assert "feed      pypi at 3: ok" in text


def test_status_of_a_missing_database_is_a_one_line_error(tmp_path: Path) -> None:
    args = _parser().parse_args(["status", "--db", f"sqlite:///{tmp_path / 'nope.db'}"])
    with pytest.raises(StoreError, match="no database at"):
        status_command(args)
