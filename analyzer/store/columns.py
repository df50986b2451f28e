"""The columns `status` reads, as light SQLAlchemy Core tables: no ORM, no schema import.

`status` must answer at once, and the ORM with the typed models costs more to import than
the queries take. `schema.py` stays the one definition of the tables; a test checks that
every column named here is one of its columns.
"""

from __future__ import annotations

import enum

from sqlalchemy import column, table


class JobState(enum.StrEnum):
    """queued -> running -> done; running -> queued (retry, lease lost) or dead (K failures)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


packages = table("packages", column("id"), column("ecosystem"), column("name"))
versions = table("versions", column("id"), column("package_id"), column("version"),
                 column("feed"), column("published_at"), column("discovered_at"))
jobs = table("jobs", column("state"), column("attempts"))
results = table("results", column("id"), column("version_id"), column("verdict"),
                column("score"), column("created_at"))
feed_cursors = table("feed_cursors", *(column(name) for name in (
    "feed", "position", "origin_time", "status", "last_error", "failures", "gaps",
    "releases", "updated_at", "last_ok_at")))
