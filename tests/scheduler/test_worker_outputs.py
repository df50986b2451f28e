"""A flagged release gets its OSV record and HTML report as soon as its analysis ends."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from analyzer.feeds.interface import Batch
from analyzer.scheduler.queue import JobQueue, QueueSettings
from analyzer.scheduler.worker import Outcome, WorkerSettings, run_job
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from tests.scheduler.fakes import FakeAnalyser
from tests.store.builders import planned


def test_osv_record_and_html_report_are_written_when_the_analysis_ends(
    sqlite_db: Database, tmp_path: Path
) -> None:
    cursor = start_cursor(sqlite_db, "pypi", "0", None, now=1.0)
    record_batch(sqlite_db, "pypi", cursor, Batch((), "1", True),
                 [planned("evil-ish", "1.0.0")], 1, 1.0)
    queue = JobQueue(sqlite_db, QueueSettings(max_attempts=2))
    job = queue.claim("test")
    assert job is not None
    settings = WorkerSettings(db_url=sqlite_db.url, job_timeout_s=10.0,
                              osv_dir=tmp_path / "osv", html_dir=tmp_path / "html")

    assert run_job(queue, job, FakeAnalyser()(), settings, threading.Event()) is Outcome.RECORDED

    records = list((tmp_path / "osv").glob("*.json"))
    pages = list((tmp_path / "html").glob("*.html"))
    assert len(records) == 1 and len(pages) == 1
    record = json.loads(records[0].read_text())
    assert record["summary"] == "Malicious code in evil-ish (PyPI)"
    assert pages[0].stem == record["id"]
    assert "evil-ish" in pages[0].read_text()
