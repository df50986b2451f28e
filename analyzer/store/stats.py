"""What `pkgsandbox status`, the progress line and `/metrics` report, read from the database.

The queries are plain SQL that SQLite and PostgreSQL both run, written once. The watcher,
the progress line and /metrics hold a `Database` and run them through SQLAlchemy;
`pkgsandbox status` on a SQLite file at the newest schema runs them through the standard
library's sqlite3, because SQLAlchemy's import alone would be most of its start.
"""

from __future__ import annotations

import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.kinds import FLAGGED
from analyzer.store.columns import JobState
from analyzer.store.location import SQLITE_BUSY_TIMEOUT_MS, head_revision, resolve_url, sqlite_file
from analyzer.terminal import printable

if TYPE_CHECKING:
    from analyzer.store.database import Database

UNSCORED = "unscored"  # a result the rules have not given a verdict
RECENT = 3  # latest results in the report

# One read-only query: SQL with `:name` parameters in, rows as tuples out.
Query = Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]]

_FLAGGED = {f"flagged_{index}": verdict.value
            for index, verdict in enumerate(sorted(FLAGGED))}
_RELEASED = ("FROM results r JOIN versions v ON v.id = r.version_id"
             " JOIN packages p ON p.id = v.package_id")
_NEWEST_FIRST = "ORDER BY r.created_at DESC, r.id DESC"
_FEED_COLUMNS = ("feed", "position", "origin_time", "status", "last_error", "failures", "gaps",
                 "releases", "updated_at", "last_ok_at")
# Built from the constants above only, never from input.
_QUERIES = {
    "states": "SELECT state, count(*) FROM jobs GROUP BY state",
    "retrying": "SELECT count(*) FROM jobs WHERE state = :queued AND attempts > 0",
    "verdicts": "SELECT verdict, count(*) FROM results GROUP BY verdict",
    "last_hour": "SELECT count(*) FROM results WHERE created_at >= :since",
    "releases": "SELECT count(*) FROM versions",
    "flagged": f"SELECT p.ecosystem, p.name, v.version, r.verdict, r.score, r.created_at"
               f" {_RELEASED} WHERE r.verdict IN ({', '.join(':' + k for k in _FLAGGED)})"
               f" {_NEWEST_FIRST} LIMIT 1",
    "recent": f"SELECT p.ecosystem, p.name, v.version, r.verdict {_RELEASED}"
              f" {_NEWEST_FIRST} LIMIT :recent",
    # Per feed, the newest release it brought: how long after its publication it came.
    "lags": "SELECT feed, discovered_at - published_at FROM versions WHERE id IN"
            " (SELECT max(id) FROM versions WHERE published_at IS NOT NULL GROUP BY feed)",
    "feeds": f"SELECT {', '.join(_FEED_COLUMNS)} FROM feed_cursors ORDER BY feed",  # noqa: S608
}


def status(db: Database, now: float | None = None) -> dict[str, Any]:
    """The status report (see `report`) of an open database."""
    from sqlalchemy import text

    from analyzer.store.database import describe

    with db.snapshot() as connection:
        def query(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in connection.execute(text(sql), dict(params))]

        return report(query, describe(db.url), now)


def read_status(url: str | None, now: float | None = None) -> dict[str, Any]:
    """The status report of the database at `url` (`--db`, else the environment, else the
    default), for `pkgsandbox status`. Anything the sqlite3 path does not handle (another
    database, a file to migrate or missing, an error) goes through `Database`, which
    migrates it or says in one line what is wrong."""
    url = resolve_url(url)
    path = sqlite_file(url)
    if path is not None and path.is_file():
        try:
            with _sqlite_snapshot(path) as query:
                if query("SELECT version_num FROM alembic_version", {}) == [(head_revision(),)]:
                    return report(query, url, now)
        except sqlite3.Error:
            pass
    from analyzer.store.database import Database

    db = Database.open(url, create=False)
    try:
        return status(db, now)
    finally:
        db.close()


@contextmanager
def _sqlite_snapshot(path: Path) -> Iterator[Query]:
    """One read transaction on an existing SQLite file; never creates it, never writes."""
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=rw"
    with closing(sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                                 isolation_level=None)) as connection:
        connection.execute("BEGIN DEFERRED")
        try:
            yield lambda sql, params: connection.execute(sql, params).fetchall()
        finally:
            connection.execute("ROLLBACK")


def report(query: Query, database: str, now: float | None = None) -> dict[str, Any]:
    """Counts of releases, jobs by state and results by verdict; feeds; the last flagged one.

    `failed` counts dead-lettered jobs (every attempt used); `retrying` counts queued jobs
    that already failed at least once.
    """
    now = time.time() if now is None else now

    def count(name: str, **params: Any) -> int:
        rows = query(_QUERIES[name], params)
        return int(rows[0][0] or 0) if rows else 0

    states: dict[str, int] = dict(query(_QUERIES["states"], {}))
    by_verdict = {verdict or UNSCORED: count_ for verdict, count_ in
                  query(_QUERIES["verdicts"], {})}
    flagged = query(_QUERIES["flagged"], _FLAGGED)
    recent = query(_QUERIES["recent"], {"recent": RECENT})
    lags: dict[str, float | None] = dict(query(_QUERIES["lags"], {}))
    feeds = {row[0]: _feed(dict(zip(_FEED_COLUMNS, row, strict=True)), lags.get(row[0]))
             for row in query(_QUERIES["feeds"], {})}
    return {
        "database": database,
        "releases": count("releases"),
        "analysed": sum(by_verdict.values()),
        "queued": states.get(JobState.QUEUED, 0),
        "running": states.get(JobState.RUNNING, 0),
        "retrying": count("retrying", queued=JobState.QUEUED.value),
        "failed": states.get(JobState.DEAD, 0),
        "by_verdict": by_verdict,
        "analyses_last_hour": count("last_hour", since=now - 3600),
        "last_flagged": None if not flagged else dict(zip(
            ("ecosystem", "name", "version", "verdict", "score"), flagged[0][:5], strict=True))
        | {"at": iso(flagged[0][5])},
        "recent": [{"ecosystem": ecosystem, "name": name, "version": version,
                    "verdict": verdict or UNSCORED}
                   for ecosystem, name, version, verdict in recent],
        "feeds": feeds,
    }


def iso(timestamp: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC, for people and JSON."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _feed(row: dict[str, Any], lag_s: float | None) -> dict[str, Any]:
    return {
        "lag_s": None if lag_s is None else round(max(0.0, lag_s), 1),
        "position": row["position"] or None,
        "status": row["status"],
        "last_error": row["last_error"],
        "failures": row["failures"],
        "gaps": row["gaps"],
        "releases": row["releases"],
        "updated_at": iso(row["updated_at"]),
        "last_ok_at": iso(row["last_ok_at"]),
        "origin": iso(row["origin_time"]),
    }


def render_status(report: dict[str, Any]) -> str:
    """The status report as a few lines for a terminal."""
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(report["by_verdict"].items())) or "none"
    lines = [
        f"database  {report['database']}",
        f"releases  {report['releases']} seen, {report['analysed']} analysed"
        f" ({report['analyses_last_hour']} in the last hour)",
        f"queue     {report['queued']} queued ({report['retrying']} retrying),"
        f" {report['running']} running, {report['failed']} failed",
        f"verdicts  {verdicts}",
    ]
    for name, feed in report["feeds"].items():
        state = "ok" if feed["status"] == "ok" else f"DOWN ({printable(str(feed['last_error']))})"
        lines.append(f"feed      {name} at {feed['position']}: {state}, {feed['releases']}"
                     f" releases, {feed['gaps']} gaps, last ok {feed['last_ok_at']}")
    flagged = report["last_flagged"]
    if flagged:
        package = printable(f"{flagged['ecosystem']}:{flagged['name']} {flagged['version']}")
        lines.append(f"flagged   {package}"
                     f" {flagged['verdict']} at {flagged['at']}")
    return "\n".join(lines)
