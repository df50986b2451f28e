"""A rule dismissed for a package no longer counts when the worker records its next release."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from analyzer.detect.rules.ruleset import RULES_DIR, load_rules
from analyzer.feeds.interface import Batch
from analyzer.fetch.interface import Target
from analyzer.models import AnalysisResult, Ecosystem, Finding, Phase, Severity, Verdict
from analyzer.scheduler.interface import Analyser
from analyzer.scheduler.queue import JobQueue, QueueSettings
from analyzer.scheduler.worker import Outcome, WorkerSettings, run_job
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.schema import Result
from analyzer.web.review_store import DecisionKind, record_decision
from tests.scheduler.fakes import FakeAnalyser
from tests.store.builders import EXFIL, analysis_result, planned


def _run_next(db: Database, queue: JobQueue, analyser: Analyser | None = None) -> Result:
    job = queue.claim("test")
    assert job is not None
    settings = WorkerSettings(db_url=db.url, job_timeout_s=10.0)
    outcome = run_job(queue, job, analyser or FakeAnalyser()(), settings, threading.Event())
    assert outcome is Outcome.RECORDED
    with db.reading() as session:
        return session.scalars(select(Result).where(Result.job_id == job.id)).one()


def test_the_next_release_is_recorded_without_the_dismissed_rule(sqlite_db: Database) -> None:
    cursor = start_cursor(sqlite_db, "pypi", "0", None, now=1.0)
    record_batch(sqlite_db, "pypi", cursor, Batch((), "1", True),
                 [planned("evil-ish", "1.0.0"), planned("evil-ish", "1.0.1")], 2, 1.0)
    queue = JobQueue(sqlite_db, QueueSettings(max_attempts=2))
    first = _run_next(sqlite_db, queue)
    assert first.verdict == "malicious"
    record_decision(sqlite_db, first.id, DecisionKind.DISMISSED, "alice", "a test fixture")
    second = _run_next(sqlite_db, queue)
    assert second.verdict == "benign" and second.score == 0.0
    assert second.document["findings"] == []
    assert "suppressed by allow-list: exfiltrates-secrets (a test fixture)" in \
        second.document["notes"]


LOCAL_RULE = """rules:
  - id: local-beacon
    title: Resolves the team's canary domain
    description: A site rule loaded with --rules.
    severity: high
    weight: 5
    match:
      dns: {name: ["*.canary.example"]}
    cases:
      positive:
        - import:
            dns: [{name: a.canary.example}]
      benign:
        - import:
            dns: [{name: pypi.org}]
"""


def test_the_dismissed_rule_is_rescored_with_the_analysers_own_rules(
        sqlite_db: Database, tmp_path: Path) -> None:
    # A site rule loaded with --rules still counts after a reviewer dismissed another
    # rule: the re-score uses the rules the result was judged by, not the defaults
    # (which do not know the site rule, so the allow-list used to be skipped whole).
    (tmp_path / "local.yaml").write_text(LOCAL_RULE)
    rules = load_rules([RULES_DIR, tmp_path])
    beacon = Finding("local-beacon", Severity.HIGH, Phase.IMPORT, "resolves the canary",
                     ("a.canary.example",))

    def analyse(target: Target) -> AnalysisResult:  # the beacon is new in 1.0.1
        findings = (EXFIL, beacon) if target.version == "1.0.1" else (EXFIL,)
        return analysis_result(Ecosystem.PYPI, target.name or "", target.version or "",
                               Verdict.MALICIOUS, findings=findings)

    cursor = start_cursor(sqlite_db, "pypi", "0", None, now=1.0)
    record_batch(sqlite_db, "pypi", cursor, Batch((), "1", True),
                 [planned("site-pkg", "1.0.0"), planned("site-pkg", "1.0.1")], 2, 1.0)
    queue = JobQueue(sqlite_db, QueueSettings(max_attempts=2))
    first = _run_next(sqlite_db, queue, Analyser(analyse, rules))
    record_decision(sqlite_db, first.id, DecisionKind.DISMISSED, "alice", "our own test")
    second = _run_next(sqlite_db, queue, Analyser(analyse, rules))
    assert (second.verdict, second.score) == ("suspicious", 5.0)
    assert [f["rule"] for f in second.document["findings"]] == ["local-beacon"]
