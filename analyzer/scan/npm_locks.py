"""package-lock.json (lockfileVersion 1, 2, 3) and pnpm-lock.yaml."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from analyzer.models import Ecosystem
from analyzer.scan.interface import Dependency, LockfileProblem
from analyzer.scan.python_locks import LockParseError, Parsed

_NOT_REGISTRY = re.compile(r"^(?:git\+|git:|github:|file:|link:|https?:|workspace:|\.{0,2}/)")


def _entry(name: str, version: object, resolved: object, source: str
           ) -> Dependency | LockfileProblem:
    if not isinstance(version, str) or not version:
        return LockfileProblem(source, f"{name}: no version")
    if _NOT_REGISTRY.match(version) or (isinstance(resolved, str) and resolved.startswith(
            ("git+", "git:", "file:"))):
        return LockfileProblem(source, f"{name}: URL, git or path dependency not checked")
    if version.startswith("npm:"):  # an alias: "alias": "npm:real@1.0.0"
        name, _, version = version[4:].rpartition("@")
    return Dependency(Ecosystem.NPM, name, version, None, source)


def parse_package_lock(text: str, source: str) -> Parsed:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockParseError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise LockParseError("not a JSON object")
    items: list[Dependency | LockfileProblem] = []
    packages = document.get("packages")
    if isinstance(packages, dict):  # v2 and v3: keyed by path under node_modules
        for path, entry in packages.items():
            if not path or not isinstance(entry, dict) or entry.get("link"):
                continue  # the root project; workspace links
            name = entry.get("name") or path.rsplit("node_modules/", 1)[-1]
            items.append(_entry(str(name), entry.get("version"), entry.get("resolved"), source))
    else:  # v1: nested `dependencies`
        _walk_v1(document.get("dependencies"), source, items)
    return ([i for i in items if isinstance(i, Dependency)],
            [i for i in items if isinstance(i, LockfileProblem)])


def _walk_v1(dependencies: Any, source: str, items: list[Dependency | LockfileProblem]) -> None:
    if not isinstance(dependencies, dict):
        return
    for name, entry in dependencies.items():
        if isinstance(entry, dict):
            items.append(_entry(name, entry.get("version"), entry.get("resolved"), source))
            _walk_v1(entry.get("dependencies"), source, items)


def parse_pnpm_lock(text: str, source: str) -> Parsed:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LockParseError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(document, dict) or "lockfileVersion" not in document:
        raise LockParseError("no lockfileVersion: not a pnpm lockfile")
    found: list[Dependency] = []
    problems: list[LockfileProblem] = []
    packages = document.get("packages") or {}
    for key, entry in (packages.items() if isinstance(packages, dict) else ()):
        parsed = _pnpm_key(str(key))
        if parsed is None:
            problems.append(LockfileProblem(source, f"{key}: not a registry package"))
            continue
        name, version = parsed
        resolution = entry.get("resolution", {}) if isinstance(entry, dict) else {}
        if isinstance(resolution, dict) and ("tarball" in resolution or "repo" in resolution
                                             or "directory" in resolution):
            problems.append(LockfileProblem(source, f"{name}: URL, git or path dependency "
                                                    "not checked"))
            continue
        found.append(Dependency(Ecosystem.NPM, name, version, None, source))
    return found, problems


def _pnpm_key(key: str) -> tuple[str, str] | None:
    """`/name/1.0.0` (v5), `/name@1.0.0(peer@2)` (v6), `name@1.0.0(peer@2)` (v9)."""
    key = key.lstrip("/")
    key = re.sub(r"\(.*$", "", key)
    if "@" in key[1:]:
        name, _, version = key.rpartition("@")
    else:
        name, _, version = key.rpartition("/")
    version = version.split("_", 1)[0]
    if not name or not re.match(r"^\d+\.\d+\.\d+", version):
        return None
    return name, version
