"""Baselines taken from the store: the newest readable result of one release."""

from __future__ import annotations

from dataclasses import replace

from analyzer.baseline.interface import Inventory, PackageFile
from analyzer.feeds.interface import Batch
from analyzer.models import Ecosystem, Verdict
from analyzer.store.baselines import stored_result
from analyzer.store.database import Database
from analyzer.store.releases import record_batch, start_cursor
from analyzer.store.results import save_result
from analyzer.store.schema import Job, Result
from tests.store.builders import analysis_result, planned


def _store(db: Database, version: str, now: float, inventory: Inventory | None) -> None:
    with db.transaction() as session:
        job = session.query(Job).filter(Job.state != "done").order_by(Job.id).first()
        assert job is not None
        job.state = "done"
        result = replace(analysis_result(Ecosystem.PYPI, "Colour_Lib", version, Verdict.BENIGN),
                         inventory=inventory)
        save_result(session, job.id, job.version_id, result, now)


def test_the_result_of_that_release_is_the_baseline_not_another_one(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True),
                 [planned("Colour_Lib", "1.0"), planned("Colour_Lib", "1.1")], 3, 1.0)
    first = Inventory((PackageFile("a.py", 1, "00"),))
    newer = Inventory((PackageFile("a.py", 2, "11"),))
    _store(db, "1.0", 2.0, first)
    assert stored_result(db, Ecosystem.PYPI, "colour-lib", "1.1") is None
    _store(db, "1.1", 3.0, newer)
    found = stored_result(db, Ecosystem.PYPI, "colour.lib", "1.0")  # PEP 503: one name
    assert found is not None and found.inventory == first
    assert stored_result(db, Ecosystem.NPM, "Colour_Lib", "1.0") is None


def test_an_unreadable_stored_document_means_no_baseline(db: Database) -> None:
    cursor = start_cursor(db, "pypi", "0", None, now=1.0)
    record_batch(db, "pypi", cursor, Batch((), "1", True), [planned("Colour_Lib", "1.0")], 3,
                 1.0)
    _store(db, "1.0", 2.0, None)
    with db.transaction() as session:
        row = session.query(Result).one()
        row.document = {**row.document, "schema_version": "9.0"}
    assert stored_result(db, Ecosystem.PYPI, "Colour_Lib", "1.0") is None
