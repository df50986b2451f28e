"""What every feed promises: read from a cursor, hand back releases and the next cursor."""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass

from analyzer.models import Ecosystem

# The versions of one package already recorded in the store: (ecosystem, name) -> versions.
KnownVersions = Callable[[Ecosystem, str], frozenset[str]]


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release as the registry lists it (not yet downloaded)."""

    filename: str
    kind: str  # "sdist" | "wheel" | "tarball" | the registry's own word
    url: str | None = None
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Release:
    """A new (ecosystem, name, version) seen on a feed, with the risk signals it showed."""

    ecosystem: Ecosystem
    name: str
    version: str
    published_at: float | None
    files: tuple[ReleaseFile, ...] = ()
    install_hooks: bool = False  # runs code at install: npm scripts, or an sdist-only release
    first_release: bool = False  # the first version ever of this name
    gone: bool = False  # removed from the registry before we could read it


@dataclass(frozen=True)
class Cursor:
    """A feed position as persisted: opaque to everything but its feed."""

    position: str
    origin_time: float | None  # releases published earlier are history (None: take all)


@dataclass(frozen=True)
class Batch:
    """One read: the releases found and where the next read starts.

    `caught_up` False means more is waiting now; `gap` describes a hole or reset the
    feed noticed (and is recovering from), for the log and the `gaps` counter.
    """

    releases: tuple[Release, ...]
    position: str
    caught_up: bool
    gap: str | None = None


class Feed(abc.ABC):
    """One registry's publication feed."""

    name: str
    ecosystem: Ecosystem

    @abc.abstractmethod
    def current_position(self) -> str:
        """The newest position now: where a watcher that starts "now" begins."""

    @abc.abstractmethod
    def read(self, cursor: Cursor, known: KnownVersions) -> Batch:
        """Releases after `cursor`. Raises `RegistryError` when the registry cannot be read
        (`FeedError` when what it answers makes no sense as a feed).

        Never returns a position past something it could not read: the caller persists
        `Batch.position` together with the releases, in one transaction.
        """
