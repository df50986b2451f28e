"""Opening the database: URL choice, SQLite pragmas, migrations to head, transactions."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from analyzer.errors import Error
from analyzer.store.location import (
    ENV_VAR,
    MIGRATIONS,
    SQLITE_BUSY_TIMEOUT_MS,
    head_revision,
    resolve_url,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
# Any constant: serialises migrations of several processes starting at once on PostgreSQL.
_MIGRATION_LOCK = 0x706B6773


class StoreError(Error):
    """The database cannot be opened, migrated or written."""


def describe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


class Database:
    """One engine and its session factories; `transaction()` is the unit of durability."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        # SQLite readers begin DEFERRED so that `status` never waits for the write lock.
        self._reading_engine = engine.execution_options(sqlite_begin="DEFERRED")

    # The ORM is imported when a session is first wanted: `status` reads without it.
    @functools.cached_property
    def _writer(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @functools.cached_property
    def _reader(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self._reading_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @classmethod
    def open(cls, url: str | None = None, migrate: bool = True,
             create: bool = True) -> Database:
        """Connect, and bring the schema to the newest migration unless `migrate` is False.

        `create` False refuses a SQLite file that does not exist yet (a mistyped --db).
        """
        url = resolve_url(url)
        if not create and _missing_sqlite_file(url):
            raise StoreError(f"no database at {describe(url)}: run `pkgsandbox watch` first,"
                             f" or pass --db / set {ENV_VAR}")
        try:
            engine = _engine(url)
            database = cls(url, engine)
            if migrate:
                database.migrate()
            else:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
        except ArgumentError as exc:
            raise StoreError(f"invalid database URL {describe(url)}: {exc}") from exc
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"cannot open database {describe(url)}: {_first_line(exc)}") from exc
        return database

    def migrate(self) -> None:
        """`alembic upgrade head`, programmatically, in one transaction; nothing at all
        (not even alembic's import, most of a `status` start) when already at head."""
        if self._revision() == head_revision():
            return
        alembic_log = logging.getLogger("alembic")
        if alembic_log.level == logging.NOTSET:  # its INFO lines are noise at every start
            alembic_log.setLevel(logging.WARNING)
        # Imported here: worker processes open the database without migrating it.
        from alembic import command
        from alembic.config import Config
        from alembic.migration import MigrationContext

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _MIGRATION_LOCK})
            before = MigrationContext.configure(connection).get_current_revision()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
        if before != after:
            log.info("database %s migrated from %s to %s", describe(self.url),
                     before or "empty", after)

    def _revision(self) -> str | None:
        """The schema revision the database records, None for an empty database."""
        try:
            with self._reading_engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:  # no alembic_version table yet
            return None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error.

        A database that is unreachable or locked for too long raises `StoreError`.
        """
        try:
            with self._writer() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"database {describe(self.url)}: {_first_line(exc)}") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot; never holds SQLite's write lock."""
        try:
            with self._reader() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"database {describe(self.url)}: {_first_line(exc)}") from exc

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """`reading()` for SQLAlchemy Core queries, without the ORM."""
        try:
            with self._reading_engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"database {describe(self.url)}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()


def _missing_sqlite_file(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    path = parsed.database
    return (parsed.get_backend_name() == "sqlite" and bool(path) and path != ":memory:"
            and not Path(str(path)).exists())


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database {describe(url)}: use sqlite:///FILE or"
                         " postgresql+psycopg://USER@HOST/DB")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off: `_sqlite_begin` decides instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    # NORMAL in WAL mode survives any process crash; a power cut can only undo the last
    # commits whole, and every commit here is safe to redo (cursor + enqueue together,
    # completion re-runs the job), so the fsync per commit of FULL buys nothing.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
    # writes fails with SQLITE_BUSY instead of waiting when another process wrote between.
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")
