"""poetry.lock, uv.lock (TOML) and Pipfile.lock (JSON): every locked package pinned."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from analyzer.models import Ecosystem
from analyzer.scan.interface import Dependency, LockfileProblem

Parsed = tuple[list[Dependency], list[LockfileProblem]]
# Where a package comes from when it is not the registry.
_NOT_REGISTRY = ("git", "url", "directory", "file", "path", "editable", "virtual")


class LockParseError(ValueError):
    """The file is not the format its name says."""


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockParseError(f"not valid TOML: {exc}") from exc


def _packages(document: dict[str, Any]) -> list[dict[str, Any]]:
    packages = document.get("package", [])
    if not isinstance(packages, list):
        raise LockParseError("`package` is not a list")
    return [p for p in packages if isinstance(p, dict)]


def _pinned(name: object, version: object, source: str) -> Dependency | LockfileProblem:
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return LockfileProblem(source, "package entry without a name and version")
    return Dependency(Ecosystem.PYPI, name, version, None, source)


def _split(items: list[Dependency | LockfileProblem]) -> Parsed:
    return ([i for i in items if isinstance(i, Dependency)],
            [i for i in items if isinstance(i, LockfileProblem)])


def parse_poetry_lock(text: str, source: str) -> Parsed:
    items: list[Dependency | LockfileProblem] = []
    for package in _packages(_toml(text)):
        origin = package.get("source")
        kind = origin.get("type") if isinstance(origin, dict) else None
        if kind in _NOT_REGISTRY:
            items.append(LockfileProblem(source, f"{package.get('name')}: {kind} dependency "
                                                 "not checked"))
            continue
        items.append(_pinned(package.get("name"), package.get("version"), source))
    return _split(items)


def parse_uv_lock(text: str, source: str) -> Parsed:
    items: list[Dependency | LockfileProblem] = []
    for package in _packages(_toml(text)):
        origin = package.get("source", {})
        kinds = [k for k in (origin if isinstance(origin, dict) else {}) if k in _NOT_REGISTRY]
        if kinds:
            # The project itself is `editable`/`virtual`: not a dependency, say nothing.
            if kinds[0] not in ("editable", "virtual"):
                items.append(LockfileProblem(source, f"{package.get('name')}: {kinds[0]} "
                                                     "dependency not checked"))
            continue
        items.append(_pinned(package.get("name"), package.get("version"), source))
    return _split(items)


def parse_pipfile_lock(text: str, source: str) -> Parsed:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockParseError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise LockParseError("not a JSON object")
    items: list[Dependency | LockfileProblem] = []
    for group in ("default", "develop"):
        entries = document.get(group, {})
        for name, entry in (entries.items() if isinstance(entries, dict) else ()):
            if not isinstance(entry, dict):
                continue
            if any(k in entry for k in ("git", "path", "file", "editable")):
                items.append(LockfileProblem(source, f"{name}: URL, VCS or path dependency "
                                                     "not checked"))
                continue
            version = entry.get("version", "")
            if not isinstance(version, str) or not version.startswith("=="):
                items.append(LockfileProblem(source, f"{name}: no pinned version"))
                continue
            items.append(_pinned(name, version[2:], source))
    return _split(items)
