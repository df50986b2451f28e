"""PyPI: the JSON API for a release, its sdist (or a fitting wheel), and wheels for its deps."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from analyzer.errors import FetchError
from analyzer.fetch.archive import ArchiveLimits, inspect_archive
from analyzer.fetch.artifact import (
    PYPI_SUFFIXES,
    artifact_path,
    deps_dir,
    safe_filename,
    verify_sha256,
)
from analyzer.fetch.interface import DependencyPrep, Fetcher, RegistryUrls, Target
from analyzer.fetch.metadata import StaticInfo, read_static_info, sdist_build_requires, text_fields
from analyzer.fetch.wheelhouse import prepare_python_dependencies, wheel_rank
from analyzer.httpclient import FETCH_POLICY, HttpClient, NotFound, RetryPolicy
from analyzer.models import Ecosystem, FetchedPackage, PackageRef

# Where PyPI's JSON points for files; anything else in `urls` is refused.
PYPI_FILE_HOSTS = frozenset({"files.pythonhosted.org"})


@dataclass(frozen=True)
class _Release:
    name: str
    version: str
    files: list[Any]
    info: dict[str, Any] | None  # None when the JSON at hand describes another version
    source: str  # the JSON's own URL: file URLs may be relative to it


class PypiFetcher(Fetcher):
    """A release from PyPI (or a server speaking its JSON API and simple index)."""

    def __init__(self, urls: RegistryUrls, policy: RetryPolicy = FETCH_POLICY,
                 limits: ArchiveLimits | None = None, deps: DependencyPrep | None = None) -> None:
        self.urls = urls
        self.deps = deps or DependencyPrep()
        host = urllib.parse.urlsplit(urls.pypi).hostname or ""
        self.http = HttpClient(policy, hosts=frozenset({host}) | PYPI_FILE_HOSTS)
        self.limits = limits

    def fetch(self, target: Target, workdir: Path) -> FetchedPackage:
        if target.name is None:
            raise FetchError("a PyPI target needs a project name")
        release = self._release(target.name, target.version)
        chosen = choose_file(release.files, release.name, release.version)
        filename = safe_filename(str(chosen.get("filename", "")), PYPI_SUFFIXES)
        dest = artifact_path(workdir, filename)
        # Some mirrors give file URLs relative to the JSON ("../../packages/..."); the
        # resolved URL still has to be on an allowed host.
        url = urllib.parse.urljoin(release.source, str(chosen.get("url", "")))
        download = self.http.download(url, dest, filename)
        verify_sha256(download, str((chosen.get("digests") or {}).get("sha256") or ""), filename)
        inspect_archive(dest, self.limits)

        info = release.info or {}
        static = _static_info(dest, self.limits)
        requires = info.get("requires_dist")
        if not (isinstance(requires, list) and requires
                and all(isinstance(r, str) for r in requires)):
            # The JSON API leaves this empty for some uploads (a setup.py-only sdist has
            # no Requires-Dist); the file itself may say, in its setup.py or elsewhere.
            requires = list(static.requires_dist) if static else []
        sdist = chosen.get("packagetype") == "sdist"
        if not sdist:
            build: tuple[str, ...] = ()
        elif static is not None and static.kind == "sdist":
            build = static.build_requires  # pyproject's, plus setup_requires
        else:
            build = sdist_build_requires(dest, self.limits)
        deps = prepare_python_dependencies(requires, build, deps_dir(workdir), self.urls.pypi,
                                           self.deps.budget_s, self.deps.wheel_cache)

        metadata = static.metadata if static and not release.info else text_fields({
            "summary": info.get("summary"), "author": info.get("author"),
            "author_email": info.get("author_email"), "home_page": info.get("home_page"),
            "license": info.get("license"), "requires_python": info.get("requires_python")})
        metadata |= text_fields({
            "upload_time": chosen.get("upload_time_iso_8601") or chosen.get("upload_time"),
            "package_type": chosen.get("packagetype"),
            "yanked": "true" if chosen.get("yanked") else None})
        if static is not None and "requirements_unread" in static.metadata:
            metadata.setdefault("requirements_unread", static.metadata["requirements_unread"])
        ref = PackageRef(Ecosystem.PYPI, release.name, release.version, download.sha256, filename)
        return FetchedPackage(ref, dest, deps_dir(workdir), deps, metadata)

    def _release(self, name: str, version: str | None) -> _Release:
        base, quoted = self.urls.pypi, urllib.parse.quote(name, safe="")
        if version is not None:
            url = f"{base}/pypi/{quoted}/{urllib.parse.quote(version, safe='')}/json"
            try:
                doc = _check(self.http.get_json(url, f"PyPI {name}=={version}"), name)
                return _Release(doc["info"]["name"], doc["info"]["version"], doc["urls"],
                                doc["info"], url)
            except NotFound:
                pass  # some mirrors serve only the project JSON: look in its `releases`
        project_url = f"{base}/pypi/{quoted}/json"
        try:
            doc = _check(self.http.get_json(project_url, f"PyPI {name}"), name)
        except NotFound:
            raise FetchError(f"no such package on PyPI: {name}") from None
        info = doc["info"]
        if version is None or version == info["version"]:
            return _Release(info["name"], info["version"], doc["urls"], info, project_url)
        releases = doc.get("releases")
        releases = releases if isinstance(releases, dict) else {}
        key = _same_version(version, releases)
        if key is None or not isinstance(releases[key], list):
            raise FetchError(f"no such package/version on PyPI: {name}=={version}")
        return _Release(info["name"], key, releases[key], None, project_url)


def _check(doc: Any, name: str) -> dict[str, Any]:
    info = doc.get("info") if isinstance(doc, dict) else None
    if not (isinstance(info, dict) and isinstance(info.get("name"), str)
            and isinstance(info.get("version"), str) and isinstance(doc.get("urls"), list)):
        raise FetchError(f"PyPI {name}: unexpected JSON (no info.name/version or urls)")
    return doc  # type: ignore[no-any-return]


def _same_version(wanted: str, versions: Any) -> str | None:
    """The key in `releases` equal to `wanted` under PEP 440 (so 1.0 finds 1.0.0)."""
    try:
        target = Version(wanted)
    except InvalidVersion:
        return None
    for key in versions:
        try:
            if Version(str(key)) == target:
                return str(key)
        except InvalidVersion:
            continue
    return None


def _static_info(path: Path, limits: ArchiveLimits | None) -> StaticInfo | None:
    try:
        return read_static_info(path, limits)
    except FetchError:
        return None  # an sdist without PKG-INFO still installs via setup.py


def choose_file(files: list[Any], name: str, version: str) -> dict[str, Any]:
    """The sdist (it is what runs code at install), else the best wheel for the sandbox."""
    usable = [f for f in files if isinstance(f, dict) and isinstance(f.get("filename"), str)]
    sdists = [f for f in usable if f.get("packagetype") == "sdist"]
    if sdists:
        # .tar.gz is the standard sdist format; .zip and others only from old uploads.
        return min(sdists, key=lambda f: not str(f["filename"]).endswith(".tar.gz"))
    ranked = [(rank, f) for f in usable if f.get("packagetype") == "bdist_wheel"
              and (rank := wheel_rank(str(f["filename"]))) is not None]
    if not ranked:
        raise FetchError(f"PyPI {name} {version}: no sdist and no wheel for CPython 3.11"
                         " on linux x86_64")
    return min(ranked, key=lambda pair: pair[0])[1]
