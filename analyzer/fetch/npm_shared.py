"""This host's npm cache, shared by every analysis and worker: npm fetches into it once.

It is npm's own cache (cacache, `--cache ROOT`), which npm writes safely from many
processes at once: content is content-addressed and renamed into place whole, an index
line carries its own hash, so a torn one is skipped. An analysis's sandbox gets only
its own entries: `copy_entries` copies the index buckets of the packuments and tarballs
its lockfile names, and the content they point to, into the analysis's private cache.

Bounded by `evict`: whole buckets, least recently used first, with the content no
remaining bucket names. npm keeps no lock of its own, so every preparation holds a
shared `flock` on ROOT/lock while npm runs, and eviction takes it exclusively or skips
its turn: nothing is removed while npm may be reading it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_KEY_PREFIX = "make-fetch-happen:request-cache:"
_ALGORITHMS = frozenset({"sha512", "sha384", "sha256", "sha1"})


def _bucket(key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return Path("index-v5", digest[:2], digest[2:4], digest[4:])


def _contents(bucket: bytes) -> set[Path]:
    """The content files an index bucket's lines point to (its integrity strings)."""
    found = set()
    for line in bucket.decode("utf-8", "replace").splitlines():
        _, _, text = line.partition("\t")
        try:
            entry = json.loads(text)
        except ValueError:
            continue  # a torn line: cacache skips it too
        integrity = entry.get("integrity") if isinstance(entry, dict) else None
        for item in str(integrity or "").split():
            algorithm, _, b64 = item.partition("-")
            if algorithm not in _ALGORITHMS:
                continue
            try:
                hexdigest = base64.b64decode(b64.split("?")[0], validate=True).hex()
            except (binascii.Error, ValueError):
                continue
            if hexdigest:
                found.add(Path("content-v2", algorithm, hexdigest[:2], hexdigest[2:4],
                               hexdigest[4:]))
    return found


def _sizes(cacache: Path) -> Iterator[int]:
    for path in (*(cacache / "index-v5").glob("*/*/*"), *(cacache / "content-v2").glob("*/*/*/*")):
        with contextlib.suppress(OSError):
            yield path.stat().st_size


@dataclass(frozen=True)
class NpmCache:
    root: Path  # npm's `--cache`
    max_bytes: int

    def for_registry(self, registry: str) -> NpmCache:
        """The part for `registry`: what one registry served never stands in for another's."""
        key = hashlib.sha256(registry.encode()).hexdigest()[:16]
        return NpmCache(self.root / key, self.max_bytes)

    @contextmanager
    def in_use(self) -> Iterator[Path | None]:
        """The folder for npm's `--cache`, held from eviction; None if it cannot be used."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = open(self.root / "lock", "a")  # noqa: SIM115 (held across the yield)
        except OSError:
            yield None
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            yield self.root

    def copy_entries(self, urls: Iterable[str], dest: Path) -> None:
        """Copy the entries of `urls` (and their content) into the npm cache `dest`."""
        source, target = self.root / "_cacache", dest / "_cacache"
        now = time.time()
        for url in urls:
            bucket = _bucket(_KEY_PREFIX + url)
            try:
                data = (source / bucket).read_bytes()
                os.utime(source / bucket, (now, now))  # recently used: evicted last
            except OSError:
                continue  # npm did not cache it (an error response): the sandbox lacks it too
            (target / bucket).parent.mkdir(parents=True, exist_ok=True)
            (target / bucket).write_bytes(data)
            for content in _contents(data):
                if (target / content).exists():
                    continue
                (target / content).parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(source / content, target / content)

    def evict(self) -> bool:
        """Remove least recently used entries until within `max_bytes`; False: npm was
        running somewhere, so this turn was skipped."""
        with open(self.root / "lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            self._evict()
            return True

    def _evict(self) -> None:
        cacache = self.root / "_cacache"
        if sum(_sizes(cacache)) <= self.max_bytes:
            return  # the usual case: no index read
        buckets = []  # (mtime, path, size, contents)
        for path in (cacache / "index-v5").glob("*/*/*"):
            try:
                info = path.stat()
                buckets.append((info.st_mtime, path, info.st_size,
                                _contents(path.read_bytes())))
            except OSError:
                continue
        users: dict[Path, int] = {}
        for *_, contents in buckets:
            for content in contents:
                users[content] = users.get(content, 0) + 1
        sizes = {}
        for content in users:
            with contextlib.suppress(OSError):
                sizes[content] = (cacache / content).stat().st_size
        total = sum(size for _, _, size, _ in buckets) + sum(sizes.values())
        for _, path, size, contents in sorted(buckets, key=lambda b: b[0]):
            if total <= self.max_bytes:
                return
            path.unlink(missing_ok=True)
            total -= size
            for content in contents:
                users[content] -= 1
                if users[content] == 0 and content in sizes:
                    (cacache / content).unlink(missing_ok=True)
                    total -= sizes[content]
