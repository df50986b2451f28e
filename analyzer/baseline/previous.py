"""Which release a baseline is: the one published before, by the registry's release list.

PyPI: the project JSON's `releases`, in PEP 440 order (pre-releases only before a
pre-release; releases with no files left out). npm: the packument's `versions` in the
order of their `time`, a version published before the one analysed.
"""

from __future__ import annotations

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
    found = doc.get("time")
    times: dict[str, Any] = found if isinstance(found, dict) else {}
    versions = [str(v) for v in doc["versions"]]
    # Publication order; a version without a time keeps its place in the packument.
    ordered = versions
    if all(isinstance(times.get(v), str) for v in versions):
        ordered = sorted(versions, key=lambda v: str(times[v]))
    prerelease = "-" in current
    earlier = [v for v in ordered[:ordered.index(current)] if prerelease or "-" not in v]
    return current, earlier[-1] if earlier else None
