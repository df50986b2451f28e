"""Database fixtures shared by the store and scheduler tests (imported by their conftests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.store.database import Database
from tests.store import postgres

NO_POSTGRES = ("PostgreSQL is not installed (apt-get install postgresql) and"
               f" ${postgres.ENV_URL} is not set")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """A PostgreSQL superuser URL; skips the test when no server can be had, unless CI
    sets PKGSANDBOX_REQUIRE_POSTGRES: then a green run must have run them."""
    if postgres.server_binaries() is None and not os.environ.get(postgres.ENV_URL):
        if os.environ.get("PKGSANDBOX_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required but missing: {NO_POSTGRES}")
        pytest.skip(NO_POSTGRES)
    return postgres.shared_cluster()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = request.getfixturevalue("pg_server")
    with postgres.fresh_database(server) as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated, empty database."""
    database = Database.open(db_url)
    yield database
    database.close()
