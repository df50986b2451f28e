"""This host's cache of dependency wheels, shared by every analysis and worker process.

Layout under the root: `wheels/NAME-VER-TAGS.whl` (content-named, so one name is one
file), `views/` (one folder per preparation underway) and `lock`. A wheel enters whole
(a temporary name in `wheels/`, then `os.replace`), so no reader ever sees part of one,
and two workers adding the same wheel leave one good copy, the last rename's.

pip never reads `wheels/` itself: each preparation gets a view, hardlinks to the cached
wheels of the projects it may need (its requirements and, by the cached wheels' own
metadata, theirs), as its `--find-links`. Not all of them: pip 23.2 lists a find-links
folder once per project it looks up, and a folder of 10,000 wheels made a 2 s download
take 20 s. pip prefers the index's file to a find-links one of the same version and
tags (its resolver takes the last of equals), so a view names each wheel with the build
tag `CACHED_BUILD`, which ranks above none; `restore_names` takes it off the copies pip
leaves in a wheelhouse.

Eviction (least recently used first, under `lock`) only unlinks names in `wheels/`; a
view's link keeps the file whole for the preparation that holds it, so a wheel is never
taken from under pip.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from analyzer.atomic import OutputError, copy_atomic
from analyzer.errors import FetchError
from analyzer.fetch.archive import read_members

CACHED_BUILD = "0cached"
MAX_METADATA_BYTES = 1 << 20
MAX_REQUIREMENT_CHARS = 1000
STALE_S = 3600.0  # a view or temporary file older than this was left by a killed process
_MAX_NAME = 255


@dataclass(frozen=True)
class CacheUse:
    """What one preparation took from the cache and what it added."""

    hits: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def cacheable(name: str) -> bool:
    """A plain wheel file name (NAME-VER-TAGS.whl): no folder, no dot file, nothing else."""
    if len(name) > _MAX_NAME or name.startswith(".") or Path(name).name != name \
            or "\\" in name or "\x00" in name:
        return False
    try:
        parse_wheel_filename(name)
    except InvalidWheelFilename:
        return False
    return True


def _project(line: str) -> str | None:
    if len(line) > MAX_REQUIREMENT_CHARS:
        return None  # packaging's parser recurses per parenthesis
    try:
        return canonicalize_name(Requirement(line).name)
    except InvalidRequirement:
        return None


def _requires(wheel: Path) -> list[str]:
    """The projects a wheel's METADATA requires, markers and extras included: a superset."""
    try:
        for _, data in read_members(wheel, _is_metadata, MAX_METADATA_BYTES):
            lines = HeaderParser().parsestr(data.decode("utf-8", "replace"))
            return [p for line in lines.get_all("Requires-Dist") or () if (p := _project(line))]
    except FetchError:
        pass  # an unreadable wheel only makes the view smaller
    return []


def _is_metadata(name: str) -> bool:
    return name.count("/") == 1 and name.endswith(".dist-info/METADATA")


def _preferred(name: str) -> str:
    """`name` with the build tag that makes pip take it over the index's same file."""
    parts = name[:-len(".whl")].split("-")
    if len(parts) != 5:
        return name  # it has a build tag of its own: pip may download it again
    return "-".join([*parts[:2], CACHED_BUILD, *parts[2:]]) + ".whl"


def _original(name: str) -> str:
    parts = name[:-len(".whl")].split("-")
    if len(parts) == 6 and parts[2] == CACHED_BUILD:
        return "-".join(parts[:2] + parts[3:]) + ".whl"
    return name


def restore_names(dest: Path) -> None:
    """Give the wheels pip copied from a view back their own names."""
    for wheel in dest.glob(f"*-{CACHED_BUILD}-*.whl"):
        original = dest / _original(wheel.name)
        if original.name == wheel.name:
            continue
        if original.exists():
            wheel.unlink()  # the same file, also downloaded
        else:
            wheel.rename(original)


@dataclass(frozen=True)
class WheelCache:
    root: Path
    max_bytes: int

    def for_index(self, index_url: str) -> WheelCache:
        """The part for wheels from `index_url`: what one mirror served never stands in for
        another's (the bound then holds per index, and a host uses one)."""
        key = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        return WheelCache(self.root / key, self.max_bytes)

    @property
    def wheels(self) -> Path:
        return self.root / "wheels"

    def names(self) -> frozenset[str]:
        """The wheels cached now."""
        try:
            return frozenset(p.name for p in self.wheels.iterdir() if cacheable(p.name))
        except OSError:
            return frozenset()

    @contextmanager
    def view(self, requirements: Iterable[str]) -> Iterator[Path | None]:
        """A folder of hardlinks to the cached wheels `requirements` may need, for pip's
        `--find-links`; removed after.

        None when the cache cannot be used (a state dir this user cannot write): the
        preparation then downloads everything, as without a cache."""
        try:
            self.wheels.mkdir(parents=True, exist_ok=True)
            (self.root / "views").mkdir(exist_ok=True)
            folder = Path(tempfile.mkdtemp(dir=self.root / "views", prefix="view-"))
        except OSError:
            yield None
            return
        try:
            for name in self._closure(requirements):
                with contextlib.suppress(OSError):  # evicted since it was listed
                    os.link(self.wheels / name, folder / _preferred(name))
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _closure(self, requirements: Iterable[str]) -> list[str]:
        """The cached wheels of the projects named, and of those their wheels require."""
        by_project: dict[str, list[str]] = {}
        for name in self.names():
            by_project.setdefault(str(parse_wheel_filename(name)[0]), []).append(name)
        wanted = [project for line in requirements if (project := _project(line))]
        looked: set[str] = set()
        chosen = []
        while wanted:
            project = wanted.pop()
            if project in looked:
                continue
            looked.add(project)
            for name in by_project.get(project, ()):
                chosen.append(name)
                wanted += _requires(self.wheels / name)
        return chosen

    def keep(self, dest: Path, seen: frozenset[str]) -> CacheUse:
        """Put `dest`'s new wheels into the cache, mark `seen` ones used, keep the bound.

        `seen` is what the view offered pip: a wheel of that name in `dest` was copied
        from the cache, not downloaded."""
        hits, added = [], []
        now = time.time()
        seen = frozenset(_original(name) for name in seen)
        for wheel in sorted(dest.glob("*.whl")):
            if not cacheable(wheel.name) or wheel.is_symlink() or not wheel.is_file():
                continue
            cached = self.wheels / wheel.name
            if wheel.name in seen:
                hits.append(wheel.name)
            try:
                os.utime(cached, (now, now))  # recently used: evicted last
                continue  # cached already (perhaps by another worker meanwhile)
            except FileNotFoundError:
                pass  # new, or evicted meanwhile: put it in
            try:
                copy_atomic(wheel, cached, mode=0o644)
            except OutputError:
                continue  # a full disk costs the cache an entry, never the analysis
            added.append(wheel.name)
        if added:
            with contextlib.suppress(OSError):  # the next one to add a wheel keeps the bound
                self.evict()
        return CacheUse(tuple(hits), tuple(added))

    def evict(self) -> None:
        """Unlink least recently used wheels until the cache is within `max_bytes`."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one evictor at a time; readers never wait
            now = time.time()
            entries = []
            for path in self.wheels.iterdir():
                try:
                    info = path.stat()
                except FileNotFoundError:
                    continue
                if path.name.startswith(".") and now - info.st_mtime > STALE_S:
                    path.unlink(missing_ok=True)  # a temporary file of a killed process
                elif cacheable(path.name):
                    entries.append((info.st_mtime, info.st_size, path))
            total = sum(size for _, size, _ in entries)
            for _, size, path in sorted(entries):
                if total <= self.max_bytes:
                    break
                path.unlink(missing_ok=True)
                total -= size
            for view in (self.root / "views").glob("view-*"):
                try:
                    stale = now - view.stat().st_mtime > STALE_S
                except FileNotFoundError:
                    continue
                if stale:
                    shutil.rmtree(view, ignore_errors=True)
