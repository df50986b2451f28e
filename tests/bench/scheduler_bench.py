"""The scheduler's own cost per job: claim, lease, store the result, with an instant analyser.

Run: `.venv/bin/python tests/bench/scheduler_bench.py [--jobs N] [--db URL]`. Prints jobs/s
and milliseconds of overhead per job for 1 and 2 local worker processes. Not collected by
pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select  # noqa: E402

from analyzer.feeds.interface import Batch  # noqa: E402
from analyzer.models import Ecosystem  # noqa: E402
from analyzer.scheduler.pool import LocalPool  # noqa: E402
from analyzer.scheduler.queue import QueueSettings  # noqa: E402
from analyzer.scheduler.worker import WorkerSettings  # noqa: E402
from analyzer.store.database import Database  # noqa: E402
from analyzer.store.releases import record_batch, start_cursor  # noqa: E402
from analyzer.store.schema import Job  # noqa: E402
from tests.scheduler.conftest import FakeAnalyser  # noqa: E402
from tests.store.builders import planned  # noqa: E402


def measure_overhead(workers: int, jobs: int = 300, db_url: str | None = None) -> dict[str, float]:
    """Jobs per second through `workers` processes, and the scheduler's time per job.

    Timed from the first claim to the last completion, as the database recorded them,
    so that process start-up is not counted.
    """
    scratch = None if db_url else tempfile.mkdtemp(prefix="pkgsandbox-bench-")
    url = db_url or f"sqlite:///{scratch}/bench.db"
    db = Database.open(url)
    cursor = start_cursor(db, "npm", "0", None, time.time())
    record_batch(db, "npm", cursor, Batch((), "1", True),
                 [planned(f"bench-{workers}-{i}", ecosystem=Ecosystem.NPM) for i in range(jobs)],
                 3, time.time())
    # Workers log a line per job at INFO: 2 x `jobs` lines that would bury the figures.
    settings = WorkerSettings(db_url=url, queue=QueueSettings(lease_s=60.0), poll_s=0.01,
                              log_level=logging.WARNING)
    pool = LocalPool(workers, settings, FakeAnalyser(0.0))
    pool.start()
    try:
        while True:
            with db.reading() as session:
                left = session.scalar(select(func.count()).select_from(Job).where(
                    Job.state != "done")) or 0
            if not left:
                break
            time.sleep(0.05)
    finally:
        pool.stop(grace_s=5.0)
    with db.reading() as session:
        first, last = session.execute(select(func.min(Job.started_at),
                                             func.max(Job.finished_at))).one()
    db.close()
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    assert first is not None and last is not None
    elapsed = float(last - first)
    return {"workers": workers, "jobs": jobs, "seconds": round(elapsed, 2),
            "jobs_per_s": round(jobs / elapsed, 1),
            "overhead_ms_per_job": round(elapsed * workers / jobs * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="jobs per run (default 300)")
    parser.add_argument("--db", metavar="URL", help="database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print("workers  jobs/s  overhead per job (ms, per worker)")
    for workers in (1, 2):
        figures = measure_overhead(workers, args.jobs, args.db)
        print(f"{workers:>7}  {figures['jobs_per_s']:>6}  {figures['overhead_ms_per_job']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
