"""Scheduler fixtures: the fake analyser (see fakes.py), the fake registry, databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.store.database import Database
from tests.feeds.fake_registry import FakeRegistry
from tests.scheduler.fakes import BrokenAnalyser, FakeAnalyser
from tests.store.fixtures import db, db_url, pg_server

__all__ = ["BrokenAnalyser", "FakeAnalyser", "db", "db_url", "pg_server"]


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    fake = FakeRegistry(stall_s=0.8).start()
    yield fake
    fake.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database, for tests about one process."""
    database = Database.open(f"sqlite:///{tmp_path / 'one.db'}")
    yield database
    database.close()


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "journal.txt"
