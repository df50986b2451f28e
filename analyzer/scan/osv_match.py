"""OSV records matched against dependencies: ecosystem, PEP 503 name, versions and ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from analyzer.models import Ecosystem
from analyzer.scan.interface import Dependency

OSV_ECOSYSTEMS = {"PyPI": Ecosystem.PYPI, "npm": Ecosystem.NPM}


def key(ecosystem: Ecosystem, name: str) -> str:
    if ecosystem is Ecosystem.PYPI:
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


@dataclass(frozen=True)
class Affected:
    """One `affected[]` entry: versions listed, and (introduced, fixed, last) ranges."""

    ecosystem: Ecosystem
    key: str
    versions: frozenset[str]
    ranges: tuple[tuple[str, str | None, str | None], ...]


@dataclass(frozen=True)
class OsvRecord:
    id: str
    summary: str
    affected: tuple[Affected, ...]

    @classmethod
    def from_json(cls, data: Any) -> OsvRecord:
        """Raises ValueError for a record without an id or a usable `affected`."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ValueError("no id")
        affected = []
        for entry in data.get("affected") or []:
            package = entry.get("package", {}) if isinstance(entry, dict) else {}
            ecosystem = OSV_ECOSYSTEMS.get(str(package.get("ecosystem")))
            if ecosystem is None or not isinstance(package.get("name"), str):
                continue
            ranges = []
            for item in entry.get("ranges") or []:
                if item.get("type") not in ("ECOSYSTEM", "SEMVER"):
                    continue
                start: str | None = None
                for event in item.get("events") or []:
                    if "introduced" in event:
                        start = str(event["introduced"])
                    elif start is not None and ("fixed" in event or "last_affected" in event):
                        ranges.append((start, event.get("fixed"), event.get("last_affected")))
                        start = None
                if start is not None:
                    ranges.append((start, None, None))
            affected.append(Affected(ecosystem, key(ecosystem, package["name"]),
                                     frozenset(str(v) for v in entry.get("versions") or []),
                                     tuple(ranges)))
        if not affected:
            raise ValueError("no PyPI or npm package in `affected`")
        return cls(data["id"], str(data.get("summary") or ""), tuple(affected))


def _parse(ecosystem: Ecosystem, text: str) -> Version | tuple[int, ...] | None:
    if ecosystem is Ecosystem.PYPI:
        try:
            return Version(text)
        except InvalidVersion:
            return None
    match = re.match(r"^v?(\d+)\.(\d+)\.(\d+)(-)?", text)
    # A pre-release sorts before its release: (1, 2, 3, 0) < (1, 2, 3, 1).
    return tuple(int(p) for p in match.groups()[:3]) + ((0,) if match.group(4) else (1,)) \
        if match else None


def _in_range(ecosystem: Ecosystem, version: str, span: tuple[str, str | None, str | None]
              ) -> bool:
    value = _parse(ecosystem, version)
    start = _parse(ecosystem, span[0]) if span[0] != "0" else None
    if value is None or (span[0] != "0" and start is None):
        return False
    if start is not None and value < start:  # type: ignore[operator]
        return False
    if span[1] is not None:
        fixed = _parse(ecosystem, span[1])
        return fixed is not None and value < fixed  # type: ignore[operator]
    if span[2] is not None:
        last = _parse(ecosystem, span[2])
        return last is not None and value <= last  # type: ignore[operator]
    return True


def matches(record: OsvRecord, dependency: Dependency) -> bool:
    """A pin matches a listed or in-range version; a range matches any listed version it
    admits, and any record with an open-ended range."""
    wanted = key(dependency.ecosystem, dependency.name)
    for affected in record.affected:
        if affected.ecosystem is not dependency.ecosystem or affected.key != wanted:
            continue
        if dependency.version is not None:
            if dependency.version in affected.versions or any(
                    _in_range(affected.ecosystem, dependency.version, s) for s in affected.ranges):
                return True
            continue
        try:
            spec = SpecifierSet(dependency.spec or "")
        except InvalidSpecifier:
            return True
        if any(spec.contains(v, prereleases=True) for v in affected.versions):
            return True
        if any(s[1] is None and s[2] is None for s in affected.ranges) or not dependency.spec:
            return bool(affected.ranges) or not dependency.spec
    return False
