"""The typed vocabulary of baselines: a package's inventory, and the changes since a baseline.

An `Inventory` is what a result records of the artifact itself (its files, npm scripts,
entry points, declared dependencies) so that a later release can be compared with it
from the stored result alone. A `ChangeSet` is that comparison, static and dynamic.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from analyzer.errors import Error
from analyzer.models import Phase

# More files than this are not listed (the result stays small); `truncated` says so.
MAX_INVENTORY_FILES = 5000


class BaselineError(Error):
    """A baseline was asked for that cannot be had (no earlier release, a local file)."""


@dataclass(frozen=True)
class PackageFile:
    """One regular file of the artifact. `path` has the top folder and the version taken out
    (`pkg-1.0/x.py` and `pkg-1.1/x.py` are the same file); `size` counts bytes read, up to
    the static scan's per-file limit; `digest` is the start of their sha256."""

    path: str
    size: int
    digest: str


@dataclass(frozen=True)
class Inventory:
    files: tuple[PackageFile, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()  # npm `scripts`: name, command
    entry_points: tuple[str, ...] = ()  # npm `bin` names, Python console/gui scripts
    requirements: tuple[tuple[str, str], ...] = ()  # declared dependencies: name, spec
    truncated: bool = False  # more than MAX_INVENTORY_FILES files: the rest is not listed


class ChangeKind(enum.StrEnum):
    """Stable ids: `changed:` rules and stored results refer to these values."""

    FILE_ADDED = "file-added"
    FILE_REMOVED = "file-removed"
    FILE_GROWN = "file-grown"
    SCRIPT_ADDED = "script-added"
    SCRIPT_CHANGED = "script-changed"
    ENTRY_POINT_ADDED = "entry-point-added"
    DEPENDENCY_ADDED = "dependency-added"
    SIGNAL_ADDED = "signal-added"  # a static signal kind new to a file
    DESTINATION_ADDED = "destination-added"  # a host or address first contacted
    PROCESS_ADDED = "process-added"  # a program first run
    BAIT_READ_ADDED = "bait-read-added"  # a honeytoken file first read
    METADATA_CHANGED = "metadata-changed"


class DependencySource(enum.StrEnum):
    """Where a dependency spec says the code comes from."""

    REGISTRY = "registry"
    GIT = "git"
    URL = "url"  # a tarball or other file over http(s)
    FILE = "file"  # a local path or file: spec


@dataclass(frozen=True)
class Change:
    """One difference from the baseline. `subject` is what changed: a file's path, a script's
    or dependency's name, a host, a program, a metadata field. `before`/`after` are the
    baseline's and this release's value where there is one (a command, a spec, a size).
    `phase` is set for what was seen in the trace; `detail` qualifies the kind (a
    dependency's `DependencySource`, a signal's kind, a destination's channel)."""

    kind: ChangeKind
    subject: str
    before: str | None = None
    after: str | None = None
    phase: Phase | None = None
    detail: str = ""


@dataclass(frozen=True)
class ChangeSet:
    """This release against `baseline` (the earlier version); `notes` say what could not
    be compared."""

    baseline: str
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()

    def of(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is kind)

    def ranked(self) -> tuple[Change, ...]:
        """The changes a reviewer reads first first: behaviour, hooks, dependencies, files."""
        order = {kind: rank for rank, kind in enumerate(REVIEW_ORDER)}
        return tuple(sorted(self.changes, key=lambda c: order[c.kind]))


REVIEW_ORDER = (
    ChangeKind.DESTINATION_ADDED, ChangeKind.BAIT_READ_ADDED, ChangeKind.PROCESS_ADDED,
    ChangeKind.SCRIPT_ADDED, ChangeKind.SCRIPT_CHANGED, ChangeKind.DEPENDENCY_ADDED,
    ChangeKind.ENTRY_POINT_ADDED, ChangeKind.METADATA_CHANGED, ChangeKind.SIGNAL_ADDED,
    ChangeKind.FILE_ADDED, ChangeKind.FILE_GROWN, ChangeKind.FILE_REMOVED,
)
