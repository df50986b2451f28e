"""Fetching packages on the host, without ever running their code."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.errors import UsageError
from analyzer.fetch.interface import DependencyPrep, Fetcher, RegistryUrls, Target
from analyzer.fetch.target import parse_target

__all__ = ["DependencyPrep", "Fetcher", "RegistryUrls", "Target", "fetcher_for", "parse_target",
           "source_kind"]



def _fetchers() -> dict[str, Callable[[RegistryUrls, DependencyPrep], Fetcher]]:
    """One backend per source kind; registered here, not discovered. Imported when first
    asked for: the fetchers bring the HTTP client, which commands like --help never need."""
    from analyzer.fetch.local import LocalFetcher
    from analyzer.fetch.npm import NpmFetcher
    from analyzer.fetch.pypi import PypiFetcher

    return {"pypi": lambda urls, deps: PypiFetcher(urls, deps=deps),
            "npm": lambda urls, deps: NpmFetcher(urls, deps=deps),
            "local": lambda urls, deps: LocalFetcher(urls, deps=deps)}


def source_kind(target: Target) -> str:
    """"local" for a file, else the registry's ecosystem ("pypi" or "npm")."""
    if target.path is not None:
        return "local"
    if target.ecosystem is None:
        raise UsageError("a target needs either a file path or an ecosystem")
    return target.ecosystem.value


def fetcher_for(target: Target, urls: RegistryUrls, deps: DependencyPrep | None = None) -> Fetcher:
    """The backend that fetches `target`, talking to the registries at `urls`."""
    return _fetchers()[source_kind(target)](urls, deps or DependencyPrep())
