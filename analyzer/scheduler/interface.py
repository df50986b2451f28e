"""What the scheduler's parts promise each other: the analyse callable and worker backends.

The database is the queue of record for every backend: a backend only decides how a
queued job reaches a process that claims it (`JobQueue.claim`), runs it and completes
it. Local worker processes poll the table; a Celery backend (another module, registered
in `watch.BACKENDS`) would publish job ids to a broker for `pkgsandbox worker` hosts,
which claim by id.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.errors import Error
from analyzer.fetch.interface import Target
from analyzer.models import AnalysisResult

if TYPE_CHECKING:
    from analyzer.detect.rules.ruleset import RuleSet


@dataclass(frozen=True)
class Analyser:
    """What a worker analyses with: in production `Analyzer(...).analyze` and that
    analyser's rules (tests pass a fake that returns real results). A result a reviewer
    allow-listed rules of is re-scored with these same rules, never another set."""

    analyse: Callable[[Target], AnalysisResult]
    rules: RuleSet


# Picklable (a module-level function or a frozen dataclass), called once in each worker
# process, so that nothing unpicklable (a Docker client) crosses a process boundary.
AnalyserFactory = Callable[[], Analyser]


class SchedulerError(Error):
    """The workers cannot run: they fail as soon as they start."""


class WorkerBackend(abc.ABC):
    """Runs the analyses of queued jobs somewhere."""

    @abc.abstractmethod
    def start(self) -> None:
        """Bring the workers up."""

    @abc.abstractmethod
    def supervise(self) -> list[str]:
        """Called on every watcher tick: replace lost workers, hand out work; log lines.

        Raises `SchedulerError` when workers cannot start at all.
        """

    @abc.abstractmethod
    def alive(self) -> int:
        """How many workers are up."""

    @abc.abstractmethod
    def stop(self, grace_s: float) -> None:
        """Ask every worker to finish or release its job, waiting at most `grace_s`."""
