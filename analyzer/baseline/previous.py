"""Which release a baseline is: the one published before, by the registry's release list.

PyPI: the project JSON's `releases`, in PEP 440 order (releases with no files left out).
npm: the packument's `versions`, in semver order. Version order rather than the
packument's `time`: mirrors rewrite `time` to when they copied a version (one seen here
dates ms 0.1.0 to 2024), while the versions themselves do not change. Either way a
pre-release is the baseline of a pre-release only.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from packaging.version import InvalidVersion, Version

from analyzer.baseline.interface import BaselineError
from analyzer.errors import FetchError
from analyzer.fetch.interface import RegistryUrls
from analyzer.fetch.npm import packument_url, resolve_version
from analyzer.httpclient import FETCH_POLICY, HttpClient, NotFound
from analyzer.models import Ecosystem

AUTO = "auto"


def previous_release(ecosystem: Ecosystem, name: str, version: str | None,
                     urls: RegistryUrls) -> tuple[str, str | None]:
    """(the version `version` names, or the latest; the release before it, or None)."""
    base = urls.pypi if ecosystem is Ecosystem.PYPI else urls.npm
    http = HttpClient(FETCH_POLICY, hosts=frozenset({urllib.parse.urlsplit(base).hostname or ""}))
    if ecosystem is Ecosystem.PYPI:
        url = f"{base}/pypi/{urllib.parse.quote(name, safe='')}/json"
        return _pypi(_get(http, url, f"PyPI {name}"), name, version)
    return _npm(_get(http, packument_url(base, name), f"npm {name}"), name, version)


def _get(http: HttpClient, url: str, what: str) -> Any:
    try:
        return http.get_json(url, what)
    except NotFound:
        raise BaselineError(f"{what}: no such package, so no release list for a baseline") \
            from None


def _pypi(doc: Any, name: str, wanted: str | None) -> tuple[str, str | None]:
    info = doc.get("info") if isinstance(doc, dict) else None
    releases = doc.get("releases") if isinstance(doc, dict) else None
    if not isinstance(info, dict) or not isinstance(info.get("version"), str) \
            or not isinstance(releases, dict):
        raise BaselineError(f"PyPI {name}: the project JSON has no info.version or releases")
    ordered: list[tuple[Version, str]] = []
    for key, files in releases.items():
        try:
            parsed = Version(str(key))
        except InvalidVersion:
            continue
        if isinstance(files, list) and files:
            ordered.append((parsed, str(key)))
    ordered.sort()
    current = _parse(wanted or info["version"], name)
    match = next((key for parsed, key in ordered if parsed == current), None)
    if match is None:
        raise BaselineError(f"PyPI {name}: no release {wanted or info['version']!r:.60} "
                            "with files in the release list")
    earlier = [key for parsed, key in ordered if parsed < current
               and (current.is_prerelease or not parsed.is_prerelease)]
    return match, earlier[-1] if earlier else None


def _parse(text: str, name: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise BaselineError(f"PyPI {name}: {text!r:.60} is not a PEP 440 version") from None


def _npm(doc: Any, name: str, wanted: str | None) -> tuple[str, str | None]:
    if not isinstance(doc, dict) or not isinstance(doc.get("versions"), dict):
        raise BaselineError(f"npm {name}: the packument has no versions")
    try:
        current = resolve_version(doc, name, wanted)
    except FetchError as exc:
        raise BaselineError(str(exc)) from None
    key = _semver(current)
    if key is None:
        raise BaselineError(f"npm {name}: {current!r:.60} is not a semver version")
    prerelease = "-" in current.split("+", 1)[0]
    ordered = sorted((k, str(v)) for v in doc["versions"]
                     if (k := _semver(str(v))) is not None and k < key
                     and (prerelease or "-" not in str(v).split("+", 1)[0]))
    earlier = [v for _, v in ordered]
    return current, earlier[-1] if earlier else None


_SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
SemverKey = tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]


def _semver(version: str) -> SemverKey | None:
    """A sort key in semver precedence (a release after its pre-releases; numeric
    identifiers below words), or None for what is not semver."""
    match = _SEMVER.fullmatch(version.strip())
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                  for p in (pre.split(".") if pre else ()))
    return int(major), int(minor), int(patch), 0 if pre else 1, parts
