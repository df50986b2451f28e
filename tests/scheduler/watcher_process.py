"""`python -m tests.scheduler.watcher_process CONFIG_JSON`: a watcher on the fake registry.

The crash tests run the watcher as a separate process so that they can SIGTERM it,
kill -9 it and its workers, and start it again, as an operator (or the OOM killer) would.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from analyzer.fetch.interface import RegistryUrls
from analyzer.httpclient import RetryPolicy
from analyzer.scheduler import priority
from analyzer.scheduler.intake import Start
from analyzer.scheduler.queue import QueueSettings
from analyzer.scheduler.watch import WatchConfig, run_watch
from analyzer.settings import SandboxSettings
from tests.scheduler.fakes import FakeAnalyser

FAST_FEED = RetryPolicy(timeout_s=0.5, attempts=3, backoff_s=0.05, max_backoff_s=0.2)


def config_for_tests(options: dict[str, Any]) -> WatchConfig:
    """A watcher that polls, leases and retries on a test's time scale."""
    registry = options["registry"]
    return WatchConfig(
        db_url=options["db"], feeds=tuple(options.get("feeds", ("pypi", "npm"))),
        sandbox=SandboxSettings(urls=RegistryUrls(pypi=registry, npm=f"{registry}/npm")),
        npm_changes_url=f"{registry}/npm-changes", start=Start.BEGINNING,
        poll_interval_s=options.get("poll_s", 0.2), feed_retry=FAST_FEED, npm_batch_size=20,
        backend=options.get("backend", "local"), broker_url=options.get("broker_url"),
        workers=options.get("workers", 2), worker_poll_s=0.05,
        queue=QueueSettings(lease_s=options.get("lease_s", 1.5),
                            max_attempts=options.get("max_attempts", 3),
                            retry_backoff_s=0.1, max_retry_backoff_s=0.5),
        job_timeout_s=options.get("job_timeout_s", 30.0), shutdown_grace_s=5.0,
        progress_interval_s=options.get("progress_s", 0.5),
        metrics_port=options.get("metrics_port"),
        analyser=FakeAnalyser(options.get("sleep_s", 0.0), options.get("journal"),
                              options.get("slow_s")),
        log_level=logging.INFO)


def _no_typosquat(_name: str, _ecosystem: object) -> None:
    return None


def main() -> None:
    options = json.loads(sys.argv[1])
    if not options.get("typosquat", True):
        # Loading the popular-name lists costs each watcher start a second; the crash
        # tests restart it three times and do not test priorities.
        priority.typosquat_of = _no_typosquat  # type: ignore[assignment]
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)6d watcher: %(message)s")
    run_watch(config_for_tests(options), once=options.get("once", False),
              progress_callback=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
