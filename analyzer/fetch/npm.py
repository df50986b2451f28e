"""npm: the packument, the version's tarball (integrity-checked), and a cache of its deps."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from analyzer.errors import FetchError
from analyzer.fetch.archive import ArchiveLimits, inspect_archive
from analyzer.fetch.artifact import (
    NPM_SUFFIXES,
    artifact_path,
    deps_dir,
    safe_filename,
    verify_npm_integrity,
)
from analyzer.fetch.interface import DependencyPrep, Fetcher, RegistryUrls, Target
from analyzer.fetch.metadata import (
    StaticInfo,
    npm_dependencies,
    npm_metadata,
    read_static_info,
    text_fields,
)
from analyzer.fetch.npm_cache import prepare_npm_dependencies
from analyzer.httpclient import FETCH_POLICY, HttpClient, NotFound, RetryPolicy
from analyzer.models import Ecosystem, FetchedPackage, PackageRef


def packument_url(registry: str, name: str) -> str:
    """`{registry}/NAME`; a scoped name's slash is encoded, as npm itself does."""
    return f"{registry}/{name.replace('/', '%2f')}"


class NpmFetcher(Fetcher):
    """A version from the npm registry (or a server speaking its packument format)."""

    def __init__(self, urls: RegistryUrls, policy: RetryPolicy = FETCH_POLICY,
                 limits: ArchiveLimits | None = None, deps: DependencyPrep | None = None) -> None:
        self.urls = urls
        self.deps = deps or DependencyPrep()
        host = urllib.parse.urlsplit(urls.npm).hostname or ""
        # Tarballs must come from the registry host itself, whatever the packument says.
        self.http = HttpClient(policy, hosts=frozenset({host}))
        self.limits = limits

    def fetch(self, target: Target, workdir: Path) -> FetchedPackage:
        if target.name is None:
            raise FetchError("an npm target needs a package name")
        name = target.name
        try:
            packument: Any = self.http.get_json(packument_url(self.urls.npm, name), f"npm {name}")
        except NotFound:
            raise FetchError(f"no such package on npm: {name}") from None
        if not isinstance(packument, dict) or not isinstance(packument.get("versions"), dict):
            raise FetchError(f"npm {name}: unexpected packument (no versions)")
        version = resolve_version(packument, name, target.version)
        manifest = packument["versions"][version]
        dist = manifest.get("dist") if isinstance(manifest, dict) else None
        if not isinstance(dist, dict) or not isinstance(dist.get("tarball"), str):
            raise FetchError(f"npm {name}@{version}: the packument has no dist.tarball")

        tarball: str = dist["tarball"]
        filename = safe_filename(urllib.parse.urlsplit(tarball).path, NPM_SUFFIXES)
        dest = artifact_path(workdir, filename)
        download = self.http.download(tarball, dest, filename)
        integrity, shasum = dist.get("integrity"), dist.get("shasum")
        verify_npm_integrity(download, integrity if isinstance(integrity, str) else None,
                             shasum if isinstance(shasum, str) else None, filename)
        inspect_archive(dest, self.limits)

        # `npm install FILE` in the sandbox reads the tarball's own package.json, not the
        # packument: its dependencies and scripts are the ones that count.
        inside = read_static_info(dest, self.limits)
        if inside.ecosystem is not Ecosystem.NPM:
            raise FetchError(f"{filename}: the tarball holds no package/package.json")
        deps = prepare_npm_dependencies(inside.npm_dependencies, deps_dir(workdir),
                                        self.urls.npm, shared=self.deps.npm_cache,
                                        budget_s=self.deps.budget_s)
        metadata = inside.metadata
        times = packument.get("time")
        metadata |= text_fields({
            "upload_time": times.get(version) if isinstance(times, dict) else None,
            "npm_registry": self.urls.npm,  # the sandbox's offline install must use the same
            "manifest_mismatch": ",".join(_mismatches(manifest, inside)) or None,
        })
        ref = PackageRef(Ecosystem.NPM, name, version, download.sha256, filename)
        return FetchedPackage(ref, dest, deps_dir(workdir), deps, metadata)


def _mismatches(manifest: dict[str, Any], inside: StaticInfo) -> list[str]:
    """Where the registry's manifest differs from the tarball's ("manifest confusion")."""
    shown = npm_metadata(manifest).get("install_scripts")
    return [field for field, differs in (
        ("name", manifest.get("name") != inside.name),
        ("version", manifest.get("version") != inside.version),
        ("dependencies", npm_dependencies(manifest) != inside.npm_dependencies),
        ("scripts", shown != inside.metadata.get("install_scripts")),
    ) if differs]


def resolve_version(packument: dict[str, Any], name: str, wanted: str | None) -> str:
    """`wanted` if published, a dist-tag's version, or `latest` when nothing was asked for."""
    versions: dict[str, Any] = packument["versions"]
    tags = packument.get("dist-tags")
    tags = tags if isinstance(tags, dict) else {}
    if wanted is not None and wanted in versions:
        return wanted
    tag = wanted if wanted is not None else "latest"
    version = tags.get(tag)
    if isinstance(version, str) and version in versions:
        return version
    if wanted is None:
        raise FetchError(f"npm {name}: no latest version in dist-tags")
    raise FetchError(f"no such version on npm: {name}@{wanted}")
