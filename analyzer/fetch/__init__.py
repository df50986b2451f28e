"""Fetching packages on the host, without ever running their code."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.errors import UsageError
from analyzer.fetch.interface import Fetcher, RegistryUrls, Target
from analyzer.fetch.local import LocalFetcher
from analyzer.fetch.npm import NpmFetcher
from analyzer.fetch.pypi import PypiFetcher
from analyzer.fetch.target import parse_target

__all__ = ["Fetcher", "RegistryUrls", "Target", "fetcher_for", "parse_target", "source_kind"]

# One backend per source kind; registered here, not discovered.
FETCHERS: dict[str, Callable[[RegistryUrls], Fetcher]] = {
    "pypi": PypiFetcher,
    "npm": NpmFetcher,
    "local": LocalFetcher,
}


def source_kind(target: Target) -> str:
    """"local" for a file, else the registry's ecosystem ("pypi" or "npm")."""
    if target.path is not None:
        return "local"
    if target.ecosystem is None:
        raise UsageError("a target needs either a file path or an ecosystem")
    return target.ecosystem.value


def fetcher_for(target: Target, urls: RegistryUrls) -> Fetcher:
    """The backend that fetches `target`, talking to the registries at `urls`."""
    return FETCHERS[source_kind(target)](urls)
