"""What fetching promises: a parsed target in, a `FetchedPackage` on local disk out."""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.defaults import DEPENDENCY_BUDGET_S, NPM_REGISTRY_URL, PYPI_URL
from analyzer.kinds import Ecosystem

if TYPE_CHECKING:
    from analyzer.fetch.npm_shared import NpmCache
    from analyzer.fetch.wheel_cache import WheelCache
    from analyzer.models import FetchedPackage


@dataclass(frozen=True)
class Target:
    """What the user asked to analyse: a registry package, or a local file.

    Exactly one of (`name`) or (`path`) is set; `version` None means the latest.
    """

    ecosystem: Ecosystem | None
    name: str | None = None
    version: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class RegistryUrls:
    """Where the registries are; tests point these at local servers. Held without a
    trailing slash, the form every path is joined to."""

    pypi: str = PYPI_URL
    npm: str = NPM_REGISTRY_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "pypi", self.pypi.rstrip("/"))
        object.__setattr__(self, "npm", self.npm.rstrip("/"))


@dataclass(frozen=True)
class DependencyPrep:
    """How a package's dependencies are prepared on the host: the time all their
    downloads may take together, and this host's shared wheel and npm caches (None: each
    analysis downloads all it needs, as before the caches)."""

    budget_s: float = DEPENDENCY_BUDGET_S
    wheel_cache: WheelCache | None = None
    npm_cache: NpmCache | None = None


@dataclass(frozen=True)
class Budget:
    """The time every dependency download of one package shares (pip's and npm's runs)."""

    deadline: float  # time.monotonic()
    seconds: float

    @classmethod
    def from_now(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds, seconds)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def not_tried(self) -> str:
        return f"not tried: the {self.seconds:g}s budget for dependency downloads ran out"

    def ran_out(self) -> str:
        return f"not downloaded: the {self.seconds:g}s budget for dependency downloads ran out"


class Fetcher(abc.ABC):
    """One backend per source (PyPI, npm, local file)."""

    @abc.abstractmethod
    def fetch(self, target: Target, workdir: Path) -> FetchedPackage:
        """Download (or copy) the artifact and its dependencies into `workdir`.

        Raises `FetchError` (one line for a person) on any failure, `RegistryError`
        when the registry cannot be read; never runs package code.
        """
