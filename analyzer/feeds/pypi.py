"""PyPI: the XML-RPC changelog (`changelog_since_serial`) for news, the JSON API for files.

A changelog row is `[name, version, timestamp, action, serial]`; a release shows up as
`new release` and one `add <python> file <filename>` per upload. Serials are PostgreSQL
sequence values on PyPI's side and can commit out of order, so a hole in the serials is
held open (the cursor stays below it) until it fills or `gap_patience_s` passes.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from analyzer.errors import FeedError
from analyzer.feeds.interface import Batch, Cursor, Feed, KnownVersions, Release, ReleaseFile
from analyzer.fetch.target import is_pypi_name, is_pypi_version
from analyzer.httpclient import HttpClient, Malformed, NotFound
from analyzer.models import Ecosystem

log = logging.getLogger(__name__)
_FILE_ACTION = re.compile(r"^add \S+ file (?P<filename>\S.*)$")
_PACKAGE_TYPES = {"sdist": "sdist", "bdist_wheel": "wheel"}


@dataclass(frozen=True)
class _Entry:
    name: str
    version: str | None
    timestamp: float
    action: str
    serial: int


@dataclass
class _Group:
    name: str
    version: str
    timestamp: float
    filenames: list[str] = field(default_factory=list)


class PypiFeed(Feed):
    name = "pypi"
    ecosystem = Ecosystem.PYPI

    def __init__(self, base_url: str, client: HttpClient, gap_patience_s: float = 120.0,
                 batch_size: int = 1000) -> None:
        self.base_url = base_url
        self.client = client
        self.gap_patience_s = gap_patience_s
        self.batch_size = batch_size
        self._holes: dict[int, float] = {}  # first missing serial -> when we first saw it

    def current_position(self) -> str:
        return str(self._last_serial())

    def read(self, cursor: Cursor, known: KnownVersions) -> Batch:
        try:
            since = int(cursor.position)
        except ValueError as exc:
            raise FeedError(f"pypi: stored cursor {cursor.position[:40]!r} is not a serial"
                            ) from exc
        entries = self.client.retrying(
            f"pypi changelog_since_serial({since})",
            lambda: _parse_changelog(self._call("changelog_since_serial", since), since))
        if not entries:
            last = self._last_serial()
            if last < since:
                reset = f"PyPI's last serial {last} is below our cursor {since}: replaying from 0"
                log.warning("pypi: %s (already recorded releases are not queued twice)", reset)
                return Batch((), "0", caught_up=False, gap=reset)
            return Batch((), cursor.position, caught_up=True)
        more_waiting = len(entries) > self.batch_size
        entries = entries[: self.batch_size]
        position, gap = self._position_after(since, entries)
        releases = self._releases(entries, cursor.origin_time, known)
        held = position < entries[-1].serial
        return Batch(releases, str(position), caught_up=held or not more_waiting, gap=gap)

    def _call(self, method: str, *args: Any) -> Any:
        """One XML-RPC call on its own connection, closed whatever happens."""
        return self.client.call_xmlrpc(f"{self.base_url}/pypi", method, *args)

    def _last_serial(self) -> int:
        def call() -> int:
            value = self._call("changelog_last_serial")
            if not isinstance(value, int):
                raise Malformed(f"changelog_last_serial returned {type(value).__name__}")
            return value
        return self.client.retrying("pypi changelog_last_serial", call)

    def _position_after(self, since: int, entries: list[_Entry]) -> tuple[int, str | None]:
        """The serial we may persist: the last one read, unless a younger hole holds it back."""
        expected, now = since + 1, time.monotonic()
        gap: str | None = None
        self._holes = {start: seen for start, seen in self._holes.items() if start > since}
        for entry in entries:
            if entry.serial > expected:
                new_hole = expected not in self._holes
                first_seen = self._holes.setdefault(expected, now)
                hole = f"serials {expected}-{entry.serial - 1} missing from the changelog"
                if now - first_seen < self.gap_patience_s:
                    if new_hole:
                        gap = hole
                        log.warning("pypi: %s; holding the cursor at %d until they appear",
                                    hole, expected - 1)
                    return expected - 1, gap
                log.warning("pypi: %s for %.0f s: taken as never committed, moving on",
                            hole, now - first_seen)
                del self._holes[expected]
            expected = entry.serial + 1
        return entries[-1].serial, gap

    def _releases(self, entries: list[_Entry], origin: float | None,
                  known: KnownVersions) -> tuple[Release, ...]:
        created = {_key(e.name) for e in entries if e.action == "create"}
        groups: dict[tuple[str, str], _Group] = {}
        for entry in entries:
            if entry.version is None or (origin is not None and entry.timestamp < origin):
                continue
            upload = _FILE_ACTION.match(entry.action)
            if entry.action != "new release" and upload is None:
                continue
            group = groups.setdefault((_key(entry.name), entry.version),
                                      _Group(entry.name, entry.version, entry.timestamp))
            if upload is not None:
                group.filenames.append(upload.group("filename"))
        releases = []
        for (key, version), group in groups.items():
            if version in known(Ecosystem.PYPI, group.name):
                continue
            if not (is_pypi_name(group.name) and is_pypi_version(version)):
                log.warning("pypi: ignoring invalid release %r %r", group.name[:100], version[:100])
                continue
            releases.append(self._release(group, first_release=key in created))
        return tuple(releases)

    def _release(self, group: _Group, first_release: bool) -> Release:
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in (group.name, group.version))
        url = f"{self.base_url}/pypi/{quoted}/json"
        try:
            files = self.client.get_json(url, f"pypi JSON {group.name} {group.version}",
                                         _parse_files)
        except NotFound:
            # Removed (often: malware taken down) before we looked: still recorded.
            log.info("pypi: %s %s is gone from the JSON API", group.name, group.version)
            return Release(Ecosystem.PYPI, group.name, group.version, group.timestamp,
                           tuple(ReleaseFile(f, _kind(f)) for f in group.filenames),
                           first_release=first_release, gone=True)
        kinds = {f.kind for f in files}
        return Release(Ecosystem.PYPI, group.name, group.version, group.timestamp, files,
                       install_hooks="sdist" in kinds and "wheel" not in kinds,
                       first_release=first_release)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _kind(filename: str) -> str:
    return "wheel" if filename.endswith(".whl") else "sdist"


def _parse_changelog(raw: Any, since: int) -> list[_Entry]:
    if not isinstance(raw, list):
        raise Malformed(f"changelog is a {type(raw).__name__}, not a list")
    entries = []
    for row in raw:
        if not (isinstance(row, list | tuple) and len(row) == 5
                and isinstance(row[0], str) and isinstance(row[1], str | None)
                and isinstance(row[2], int | float) and isinstance(row[3], str)
                and isinstance(row[4], int)):
            raise Malformed(f"changelog row {str(row)[:120]} is not [name, version, time, action,"
                            " serial]")
        if row[4] > since:
            entries.append(_Entry(row[0], row[1], float(row[2]), row[3], row[4]))
    return sorted(entries, key=lambda e: e.serial)


def _parse_files(data: Any) -> tuple[ReleaseFile, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("urls"), list):
        raise Malformed("JSON API answer has no `urls` list")
    files = []
    for item in data["urls"]:
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
            raise Malformed("JSON API file without a filename")
        digests = item.get("digests")
        sha256 = digests.get("sha256") if isinstance(digests, dict) else None
        size = item.get("size")
        files.append(ReleaseFile(
            filename=item["filename"],
            kind=_PACKAGE_TYPES.get(str(item.get("packagetype")), str(item.get("packagetype"))),
            url=item["url"] if isinstance(item.get("url"), str) else None,
            sha256=sha256 if isinstance(sha256, str) and len(sha256) == 64 else None,
            size=size if isinstance(size, int) else None,
        ))
    return tuple(files)
