"""What `pkgsandbox status`, the progress line and `/metrics` report, read from the database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select

from analyzer.models import FLAGGED
from analyzer.store.columns import JobState, feed_cursors, jobs, packages, results, versions
from analyzer.store.database import Database, describe
from analyzer.terminal import printable

UNSCORED = "unscored"  # a result the rules have not given a verdict
RECENT = 3  # latest results in the report


def status(db: Database, now: float | None = None) -> dict[str, Any]:
    """Counts of releases, jobs by state and results by verdict; feeds; the last flagged one.

    `failed` counts dead-lettered jobs (every attempt used); `retrying` counts queued jobs
    that already failed at least once.
    """
    now = time.time() if now is None else now
    job, result, version, package = jobs.c, results.c, versions.c, packages.c
    released = (results.join(versions, version.id == result.version_id)
                .join(packages, package.id == version.package_id))
    with db.snapshot() as connection:
        states: dict[str, int] = {
            state: count for state, count in connection.execute(
                select(job.state, func.count()).group_by(job.state))}
        retrying = connection.scalar(select(func.count()).select_from(jobs).where(
            job.state == JobState.QUEUED.value, job.attempts > 0)) or 0
        verdicts = [(verdict, count) for verdict, count in connection.execute(
            select(result.verdict, func.count()).group_by(result.verdict))]
        last_hour = connection.scalar(select(func.count()).select_from(results).where(
            result.created_at >= now - 3600)) or 0
        releases = connection.scalar(select(func.count()).select_from(versions)) or 0
        newest_first = (result.created_at.desc(), result.id.desc())
        flagged = connection.execute(
            select(package.ecosystem, package.name, version.version, result.verdict,
                   result.score, result.created_at).select_from(released)
            .where(result.verdict.in_(sorted(v.value for v in FLAGGED))).order_by(*newest_first)
            .limit(1)).first()
        recent = connection.execute(
            select(package.ecosystem, package.name, version.version, result.verdict)
            .select_from(released).order_by(*newest_first).limit(RECENT)).all()
        # Per feed, the newest release it brought: how long after its publication it came.
        newest = (select(func.max(version.id)).where(version.published_at.is_not(None))
                  .group_by(version.feed))
        lags = dict(connection.execute(
            select(version.feed, version.discovered_at - version.published_at)
            .where(version.id.in_(newest))).all())
        feeds = {row.feed: _feed(row, lags.get(row.feed)) for row in connection.execute(
            select(feed_cursors).order_by(feed_cursors.c.feed))}
    by_verdict = {verdict or UNSCORED: count for verdict, count in verdicts}
    return {
        "database": describe(db.url),
        "releases": releases,
        "analysed": sum(by_verdict.values()),
        "queued": states.get(JobState.QUEUED.value, 0),
        "running": states.get(JobState.RUNNING.value, 0),
        "retrying": retrying,
        "failed": states.get(JobState.DEAD.value, 0),
        "by_verdict": by_verdict,
        "analyses_last_hour": last_hour,
        "last_flagged": None if flagged is None else {
            "ecosystem": flagged.ecosystem, "name": flagged.name, "version": flagged.version,
            "verdict": flagged.verdict, "score": flagged.score, "at": iso(flagged.created_at)},
        "recent": [{"ecosystem": r.ecosystem, "name": r.name, "version": r.version,
                    "verdict": r.verdict or UNSCORED} for r in recent],
        "feeds": feeds,
    }


def iso(timestamp: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC, for people and JSON."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _feed(row: Row[Any], lag_s: float | None) -> dict[str, Any]:
    return {
        "lag_s": None if lag_s is None else round(max(0.0, lag_s), 1),
        "position": row.position or None,
        "status": row.status,
        "last_error": row.last_error,
        "failures": row.failures,
        "gaps": row.gaps,
        "releases": row.releases,
        "updated_at": iso(row.updated_at),
        "last_ok_at": iso(row.last_ok_at),
        "origin": iso(row.origin_time),
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
