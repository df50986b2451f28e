"""Opening the store: URL choice, migrations at start-up, SQLite settings, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from analyzer.store.database import Database, StoreError
from analyzer.store.location import DEFAULT_URL, ENV_VAR, MIGRATIONS, head_revision, resolve_url
from analyzer.store.schema import Base

TABLES = {"packages", "versions", "artifacts", "jobs", "results", "findings", "feed_cursors",
          "review_decisions", "allow_list", "osv_records", "alembic_version"}


def test_migrations_create_every_table_and_match_the_models(db: Database) -> None:
    assert set(inspect(db.engine).get_table_names()) == TABLES
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == "0003"
        assert compare_metadata(context, Base.metadata) == []


def test_opening_twice_migrates_once(db_url: str) -> None:
    Database.open(db_url).close()
    again = Database.open(db_url)
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    again.close()


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_status_on_a_database_at_head_loads_neither_alembic_nor_the_orm(tmp_path: Path) -> None:
    # alembic, then the ORM and the typed models, were most of a `pkgsandbox status` start.
    url = f"sqlite:///{tmp_path / 'x.db'}"
    Database.open(url).close()
    probe = ("import sys; from analyzer.cli import main; "
             f"main(['status', '--db', {url!r}]); "
             "print(sorted(m for m in ('alembic', 'sqlalchemy.orm', 'analyzer.store.schema')"
             " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # the folder is created
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.close()


def test_url_comes_from_the_flag_then_the_environment_then_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///reports/pkgsandbox.db"
    monkeypatch.setenv(ENV_VAR, "sqlite:////srv/p.db")
    assert resolve_url(None) == "sqlite:////srv/p.db"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense", "invalid database URL"),
    ("mysql://u:secret@h/d", "unsupported database mysql://u:\\*\\*\\*@h/d"),
    ("postgresql+psycopg://u:secret@127.0.0.1:1/d", "cannot open database .*\\*\\*\\*"),
])
def test_bad_urls_are_one_line_errors_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as caught:
        Database.open(url)
    assert "secret" not in str(caught.value) and "\n" not in caught.value.diagnostics()


def test_status_does_not_create_a_mistyped_sqlite_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at .*run `pkgsandbox watch` first"):
        Database.open(f"sqlite:///{tmp_path / 'typo.db'}", create=False)
    assert not (tmp_path / "typo.db").exists()
