"""npm: the registry's CouchDB replication feed (`_changes`) for news, packuments for versions.

`_changes?since=SEQ&limit=N` lists each changed document once, at its latest `seq`
(an integer, or an opaque "123-g1AAA..." string on CouchDB 2+), and ends with `last_seq`.
A change only names the package: the new versions are those of its packument that the
store has not recorded yet and whose `time` is not older than the cursor's origin.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analyzer.feeds.interface import Batch, Cursor, Feed, KnownVersions, Release, ReleaseFile
from analyzer.fetch.target import is_npm_name, is_npm_version
from analyzer.httpclient import HttpClient, Malformed, NotFound, TooLarge
from analyzer.models import Ecosystem

log = logging.getLogger(__name__)
# npm runs these from a registry tarball; `binding.gyp` gets an implicit `install`.
INSTALL_SCRIPTS = frozenset({"preinstall", "install", "postinstall"})


@dataclass(frozen=True)
class _Change:
    seq: Any
    id: str
    deleted: bool


@dataclass(frozen=True)
class _ChangesPage:
    changes: tuple[_Change, ...]
    last_seq: Any


class NpmFeed(Feed):
    name = "npm"
    ecosystem = Ecosystem.NPM

    def __init__(self, registry_url: str, changes_url: str, client: HttpClient,
                 batch_size: int = 100) -> None:
        self.registry_url = registry_url
        self.changes_url = changes_url
        self.client = client
        self.batch_size = batch_size

    def current_position(self) -> str:
        page = self.client.get_json(f"{self.changes_url}/_changes?descending=true&limit=1",
                                    "npm _changes (newest)", _parse_changes)
        return str(page.last_seq)

    def read(self, cursor: Cursor, known: KnownVersions) -> Batch:
        since = urllib.parse.quote(cursor.position, safe="")
        page = self.client.get_json(
            f"{self.changes_url}/_changes?since={since}&limit={self.batch_size}",
            f"npm _changes since {cursor.position[:40]}", _parse_changes)
        ours, theirs = seq_number(cursor.position), seq_number(page.last_seq)
        if not page.changes and ours is not None and theirs is not None and theirs < ours:
            gap = f"npm replication feed reset: last_seq {theirs} is below our cursor {ours}"
            log.warning("npm: %s; replaying from 0 (recorded versions are not queued twice)", gap)
            return Batch((), "0", caught_up=False, gap=gap)
        names: dict[str, None] = {}
        for change in page.changes:
            if change.deleted or change.id.startswith("_design/"):
                continue
            if not is_npm_name(change.id):
                log.warning("npm: ignoring change of invalid package name %r", change.id[:100])
                continue
            names.setdefault(change.id)
        releases, skipped = self._releases(names, cursor.origin_time, known)
        position = page.last_seq if page.last_seq is not None else page.changes[-1].seq
        return Batch(releases, str(position) if page.changes else cursor.position,
                     caught_up=len(page.changes) < self.batch_size,
                     gap=f"packuments too large to read, skipped: {', '.join(skipped)}"[:500]
                     if skipped else None)

    def _releases(self, names: dict[str, None], origin: float | None,
                  known: KnownVersions) -> tuple[tuple[Release, ...], list[str]]:
        """The new versions of each package, and the packages too large to read."""
        releases: list[Release] = []
        skipped: list[str] = []
        for name in names:
            try:
                releases.extend(self._new_versions(name, origin, known))
            except TooLarge as exc:
                # Skipped, not retried for ever: one huge packument must not stop the feed.
                log.error("npm: %s; skipped", exc.diagnostics())
                skipped.append(name)
        return tuple(releases), skipped

    def _new_versions(self, name: str, origin: float | None,
                      known: KnownVersions) -> list[Release]:
        url = f"{self.registry_url}/{urllib.parse.quote(name, safe='@')}"
        try:
            versions, times = self.client.get_json(url, f"npm packument {name}", _parse_packument)
        except NotFound:
            log.info("npm: %s has no packument any more (unpublished)", name)
            return []
        seen = known(Ecosystem.NPM, name)
        dated = [t for v, t in times.items() if v in versions and t is not None]
        first = min(dated) if dated else None
        releases = []
        for version, manifest in versions.items():
            published = times.get(version)
            if version in seen or (origin is not None and published is not None
                                   and published < origin):
                continue
            if not is_npm_version(version):
                log.warning("npm: ignoring invalid version %r of %s", version[:100], name)
                continue
            releases.append(Release(
                Ecosystem.NPM, name, version, published, _tarball(manifest),
                install_hooks=_has_install_hooks(manifest),
                first_release=published is not None and published == first))
        return releases


def seq_number(seq: Any) -> int | None:
    """The numeric part of a CouchDB seq (`123` or `"123-g1AAA..."`), for ordering only."""
    if isinstance(seq, int) and not isinstance(seq, bool):
        return seq
    if isinstance(seq, str):
        head = seq.split("-", 1)[0]
        return int(head) if head.isdigit() else None
    return None


def _parse_changes(data: Any) -> _ChangesPage:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise Malformed("_changes answer has no `results` list")
    changes = []
    for row in data["results"]:
        if not (isinstance(row, dict) and isinstance(row.get("id"), str) and "seq" in row):
            raise Malformed(f"_changes row {json.dumps(row)[:120]} has no id and seq")
        changes.append(_Change(row["seq"], row["id"], row.get("deleted") is True))
    if "last_seq" not in data and not changes:
        raise Malformed("_changes answer has neither results nor last_seq")
    return _ChangesPage(tuple(changes), data.get("last_seq"))


def _parse_packument(data: Any) -> tuple[dict[str, dict[str, Any]], dict[str, float | None]]:
    if not isinstance(data, dict):
        raise Malformed("packument is not a JSON object")
    versions = data.get("versions") or {}
    times = data.get("time") or {}
    if not isinstance(versions, dict) or not isinstance(times, dict):
        raise Malformed("packument `versions` or `time` is not an object")
    manifests = {v: m for v, m in versions.items() if isinstance(m, dict)}
    return manifests, {v: _timestamp(t) for v, t in times.items() if v in manifests}


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _has_install_hooks(manifest: dict[str, Any]) -> bool:
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict) and INSTALL_SCRIPTS & scripts.keys():
        return True
    return manifest.get("gypfile") is True or manifest.get("hasInstallScript") is True


def _tarball(manifest: dict[str, Any]) -> tuple[ReleaseFile, ...]:
    dist = manifest.get("dist")
    url = dist.get("tarball") if isinstance(dist, dict) else None
    if not isinstance(url, str):
        return ()
    filename = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return (ReleaseFile(filename=filename or "package.tgz", kind="tarball", url=url),)
