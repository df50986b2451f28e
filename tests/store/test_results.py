"""Stored results (document, findings, digest) and the status report built from them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from analyzer.feeds.interface import Batch
from analyzer.models import Ecosystem, Verdict
from analyzer.store.database import Database
from analyzer.store.location import head_revision
from analyzer.store.releases import record_batch, record_feed_error, start_cursor
from analyzer.store.results import save_result
from analyzer.store.schema import Artifact, FindingRow, Job, Result
from analyzer.store.stats import read_status, render_status, status
from tests.store.builders import EXFIL, analysis_result, planned


def _finish(db: Database, job_id: int, verdict: Verdict | None, now: float,
            findings: tuple = ()) -> None:  # type: ignore[type-arg]
    with db.transaction() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.state = "done"
        result = analysis_result(Ecosystem.PYPI, f"p{job_id}", "1.0.0", verdict,
                                 filename=f"p{job_id}-1.0.0.tar.gz", findings=findings)
        save_result(session, job_id, job.version_id, result, now)


def test_results_keep_the_document_findings_and_digest(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True), [planned("p1")], 3, 1.0)
    _finish(db, 1, Verdict.MALICIOUS, 2.0, (EXFIL,))
    with db.reading() as session:
        result = session.scalars(select(Result)).one()
        assert (result.verdict, result.score) == ("malicious", 90.0)
        assert result.document["package"]["name"] == "p1"
        assert result.document["findings"][0]["rule"] == "exfiltrates-secrets"
        finding = session.scalars(select(FindingRow)).one()
        assert (finding.rule, finding.severity, finding.phase) == (
            "exfiltrates-secrets", "critical", "install")
        assert finding.evidence == ["POST http://evil.example/x"]
        artifact = session.scalars(select(Artifact)).one()
        assert artifact.sha256 == result.sha256 and len(artifact.sha256 or "") == 64


def test_status_counts_jobs_verdicts_feeds_and_the_last_flagged(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "4", True),
                 [planned(f"p{i}") for i in range(1, 5)] + [planned("gone", gone=True)], 3, 1.0)
    record_feed_error(db, "npm", "npm _changes: HTTP 500", now=1.0)
    _finish(db, 1, Verdict.MALICIOUS, now=100.0)
    _finish(db, 2, Verdict.BENIGN, now=5000.0)
    _finish(db, 3, None, now=5001.0)
    with db.transaction() as session:
        job = session.get(Job, 4)
        assert job is not None
        job.attempts = 1  # a queued job that failed once
    report = status(db, now=5002.0)
    assert {k: report[k] for k in ("releases", "analysed", "queued", "running", "failed",
                                   "retrying", "analyses_last_hour")} == {
        "releases": 5, "analysed": 3, "queued": 1, "running": 0, "failed": 1, "retrying": 1,
        "analyses_last_hour": 2}
    assert report["by_verdict"] == {"malicious": 1, "benign": 1, "unscored": 1}
    assert report["last_flagged"]["name"] == "p1"
    assert report["feeds"]["pypi"]["position"] == "4"
    assert report["feeds"]["npm"]["status"] == "down"
    text = render_status(report)
    assert "npm at None: DOWN (npm _changes: HTTP 500)" in text
    assert "flagged   pypi:p1 1.0.0 malicious" in text


def test_status_gives_each_feeds_lag_and_the_latest_verdicts(db: Database) -> None:
    published = 1_700_000_000.0  # what the builders' releases say
    cursor = start_cursor(db, "pypi", "0", None, now=published)
    record_batch(db, "pypi", cursor, Batch((), "1", True), [planned("p1")], 3, published + 5)
    record_batch(db, "pypi", replace(cursor, position="1"), Batch((), "3", True),
                 [planned("p2"), planned("p3")], 3, published + 40)
    for job_id, verdict in ((1, Verdict.BENIGN), (2, Verdict.MALICIOUS), (3, None)):
        _finish(db, job_id, verdict, published + 50 + job_id)
    report = status(db, now=published + 60)
    # The newest release the feed brought reached the queue 40 s after it was published.
    assert report["feeds"]["pypi"]["lag_s"] == 40.0
    assert [(r["name"], r["verdict"]) for r in report["recent"]] == [
        ("p3", "unscored"), ("p2", "malicious"), ("p1", "benign")]


def test_status_of_a_url_reads_the_same_report_through_either_driver(db: Database) -> None:
    """`pkgsandbox status` reads a SQLite file with the standard library's sqlite3, without
    importing SQLAlchemy, and any other database through `Database`: one report."""
    test_status_counts_jobs_verdicts_feeds_and_the_last_flagged(db)
    assert read_status(db.url, now=5002.0) == status(db, now=5002.0)


def test_a_sqlite_file_behind_the_newest_schema_is_migrated_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Database.open(url).close()
    with sqlite3.connect(tmp_path / "old.db") as connection:  # as an older release left it
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
        connection.execute("DROP TABLE osv_records")
    report = read_status(url, now=1.0)
    assert report["releases"] == 0 and report["feeds"] == {}
    with sqlite3.connect(tmp_path / "old.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]


def test_status_of_a_sqlite_file_never_imports_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Database.open(url).close()
    probe = ("import sys; from analyzer.cli import main; main(['status', '--db', sys.argv[1]]);"
             " print('sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert "queue     0 queued" in done.stdout


def test_status_of_a_missing_file_is_the_stores_one_line_error(tmp_path: Path) -> None:
    from analyzer.store.database import StoreError

    with pytest.raises(StoreError, match="no database at"):
        read_status(f"sqlite:///{tmp_path / 'nope.db'}")
