"""The allow-list a dismissal writes: one entry per rule that fired, per package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from analyzer.feeds.interface import Batch
from analyzer.models import Ecosystem, Finding, Phase, Severity, Verdict
from analyzer.store.allow_list import allow_list, allowed_rules
from analyzer.store.database import Database
from analyzer.store.location import MIGRATIONS
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.results import save_result
from analyzer.store.schema import AllowListEntry, Job
from analyzer.web.review_store import DecisionKind, record_decision
from tests.store.builders import analysis_result, planned

LEAK = Finding("honeytoken-leak", Severity.CRITICAL, Phase.INSTALL, "bait sent out", ("x",))
DNS = Finding("dns-during-install", Severity.LOW, Phase.INSTALL, "DNS", ("y",))


def _stored(db: Database, names: list[tuple[Ecosystem, str]]) -> list[int]:
    cursor = start_cursor(db, "mixed", "0", None, now=1.0)
    record_batch(db, "mixed", cursor, Batch((), "1", True),
                 [planned(name, ecosystem=eco) for eco, name in names], 3, 1.0)
    ids = []
    with db.transaction() as session:
        for job_id, (eco, name) in enumerate(names, start=1):
            job = session.get(Job, job_id)
            assert job is not None
            result = analysis_result(eco, name, "1.0.0", Verdict.MALICIOUS,
                                     findings=(LEAK, DNS, LEAK))
            ids.append(save_result(session, job_id, job.version_id, result, now=2.0))
    return ids


def test_a_dismissal_allow_lists_each_rule_for_that_package(db: Database) -> None:
    pypi, npm = _stored(db, [(Ecosystem.PYPI, "Odd_Package"), (Ecosystem.NPM, "Odd_Package")])
    record_decision(db, pypi, DecisionKind.DISMISSED, "alice", "a test fixture", now=3.0)
    record_decision(db, pypi, DecisionKind.DISMISSED, "bob", "said twice", now=4.0)
    # PyPI compares names folded (PEP 503); npm names are exact, and another package.
    assert allow_list(db, "pypi", "odd.package") == {
        "dns-during-install": "a test fixture", "honeytoken-leak": "a test fixture"}
    assert allowed_rules(db, Ecosystem.NPM, "Odd_Package") == frozenset()
    with db.reading() as session:
        rows = session.scalars(select(AllowListEntry).order_by(AllowListEntry.rule)).all()
        assert [(r.ecosystem, r.key, r.rule, r.reviewer, r.created_at, r.result_id)
                for r in rows] == [
            ("pypi", "odd-package", "dns-during-install", "alice", 3.0, pypi),
            ("pypi", "odd-package", "honeytoken-leak", "alice", 3.0, pypi)]
    record_decision(db, npm, DecisionKind.NOTE, "alice", "only a note", now=5.0)
    assert allowed_rules(db, "npm", "Odd_Package") == frozenset()


def test_confirming_the_result_later_takes_its_entries_back(db: Database) -> None:
    (result,) = _stored(db, [(Ecosystem.PYPI, "flip-flop")])
    record_decision(db, result, DecisionKind.DISMISSED, "alice", "looked fine", now=3.0)
    assert allowed_rules(db, "pypi", "flip-flop") == {"honeytoken-leak", "dns-during-install"}
    record_decision(db, result, DecisionKind.CONFIRMED, "bob", None, now=4.0)
    assert allowed_rules(db, "pypi", "flip-flop") == frozenset()


def test_a_database_at_0001_gains_the_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    old = Database.open(url, migrate=False)
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert "allow_list" not in inspect(old.engine).get_table_names()
    old.close()
    upgraded = Database.open(url)
    assert "allow_list" in inspect(upgraded.engine).get_table_names()
    assert allowed_rules(upgraded, "pypi", "anything") == frozenset()
    upgraded.close()
