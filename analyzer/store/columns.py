"""The values of `jobs.state`, apart from the ORM schema: `status` names them without
importing SQLAlchemy, and the queue and the Celery backend share them."""

from __future__ import annotations

import enum


class JobState(enum.StrEnum):
    """queued -> running -> done; running -> queued (retry, lease lost) or dead (K failures)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
