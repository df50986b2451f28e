"""`python -m tests.scheduler.celery_worker_process CONFIG_JSON`: a Celery worker host
running the fake analyser on a test's time scale, as `pkgsandbox worker` would."""

from __future__ import annotations

import json
import logging
import sys

from analyzer.scheduler.celery_backend import run_worker
from analyzer.scheduler.queue import QueueSettings
from analyzer.scheduler.worker import WorkerSettings
from tests.scheduler.fakes import FakeAnalyser


def main() -> None:
    options = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.INFO,
                        format=f"%(relativeCreated)6d {options['name']}: %(message)s")
    settings = WorkerSettings(
        db_url=options["db"], job_timeout_s=30.0, shutdown_grace_s=5.0,
        queue=QueueSettings(lease_s=options.get("lease_s", 1.5), retry_backoff_s=0.1,
                            max_retry_backoff_s=0.5))
    run_worker(options["broker_url"], settings,
               FakeAnalyser(options.get("sleep_s", 0.0), options.get("journal"),
                            options.get("slow_s")),
               concurrency=1, pool="prefork", hostname=f"{options['name']}@%h")


if __name__ == "__main__":
    main()
