"""The shared types of the scan: a dependency, a problem with an input file, a finding."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from analyzer.errors import Error
from analyzer.kinds import Ecosystem


class ScanError(Error):
    """A scan cannot go on at all (a missing file, an unreadable import directory)."""


class Level(enum.StrEnum):
    """How bad a finding is; ordered, so `--fail-on` is one comparison."""

    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"malicious": 2, "suspicious": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Dependency:
    """One dependency as a lockfile or requirements file names it.

    `version` is set for an exact pin; `spec` holds a range (`>=2,<3`) otherwise.
    """

    ecosystem: Ecosystem
    name: str
    version: str | None
    spec: str | None
    source: str

    @property
    def pinned(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class LockfileProblem:
    """Something in an input that could not be checked, with where it is."""

    source: str
    message: str


@dataclass(frozen=True)
class ScanFinding:
    """What one check says about one dependency."""

    dependency: Dependency
    check: str  # "osv" | "typosquat" | "analysis"
    level: Level
    title: str
    reference: str | None = None  # an OSV id, a typosquat target
