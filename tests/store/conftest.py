"""Store fixtures: a database on SQLite and, when it is installed, on PostgreSQL."""

from tests.store.fixtures import db, db_url, pg_server

__all__ = ["db", "db_url", "pg_server"]
