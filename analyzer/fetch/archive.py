"""Safe reading of .tar(.gz/.bz2/.xz), .tgz, .zip and .whl archives: validate, never extract."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import FetchError, UnsafeArchiveError
from analyzer.fetch.members import (
    MemberKind,
    check_link,
    check_name,
    check_zip_mode,
    symlink_on_path,
)

__all__ = ["ArchiveLimits", "ArchiveMember", "MemberKind", "inspect_archive", "read_members"]

_CHUNK = 64 * 1024
_MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",  # an empty zip: only the end-of-central-directory record
}
# A name that promises a format must hold it, so what pip/npm will open is what we checked.
_SUFFIX_FORMAT = {
    ".tar.gz": "gzip", ".tgz": "gzip", ".tar.bz2": "bz2", ".tar.xz": "xz",
    ".tar": "tar", ".zip": "zip", ".whl": "zip",
}


def _format_of(head: bytes) -> str:
    return next((f for magic, f in _MAGIC.items() if head.startswith(magic)), "tar")


def content_format(path: Path) -> str:
    """The archive format its first bytes say: gzip, bz2, xz, zip, or tar (the rest)."""
    try:
        with path.open("rb") as raw:
            return _format_of(raw.read(8))
    except OSError as exc:
        raise FetchError(f"cannot read {path.name}: {exc.strerror or exc}") from None


def name_format(filename: str) -> str | None:
    """The archive format a file name claims, or None when its suffix claims none."""
    lowered = filename.lower()
    return next((f for suffix, f in _SUFFIX_FORMAT.items() if lowered.endswith(suffix)), None)


def name_suffix(filename: str) -> str:
    """The archive suffix of `filename` (".tar.gz", ".whl"...), or "" when it has none."""
    lowered = filename.lower()
    return next((suffix for suffix in _SUFFIX_FORMAT if lowered.endswith(suffix)), "")


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what an archive may unpack to; ratios apply past `ratio_floor_bytes`."""

    max_members: int = 20_000
    max_total_bytes: int = 1 << 30
    max_member_bytes: int = 512 << 20
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 << 20  # tiny archives (tar padding) compress far past 100x
    max_path_length: int = 1024
    max_archive_bytes: int = 512 << 20


@dataclass(frozen=True)
class ArchiveMember:
    """One validated entry; `name` is normalised (no `./`), `size` is bytes actually read."""

    name: str
    kind: MemberKind
    size: int
    mode: int
    link_target: str | None = None


def inspect_archive(path: Path, limits: ArchiveLimits | None = None) -> tuple[ArchiveMember, ...]:
    """Validate every member of the archive at `path`.

    Raises `UnsafeArchiveError` for a hostile member or a bomb, `FetchError` for a corrupt file.
    """
    members = [m for m, _ in _walk(path, limits or ArchiveLimits(), lambda _n: False, 0)]
    links = {m.name for m in members if m.kind is MemberKind.SYMLINK}
    for member in members:
        # Checks made on a path's text do not hold once the path runs through a symlink.
        through = symlink_on_path(member.name, links)
        if through is None and member.link_target is not None:
            base = "" if member.kind is MemberKind.HARDLINK else posixpath.dirname(member.name)
            through = symlink_on_path(posixpath.join(base, member.link_target), links)
        if through is not None:
            raise UnsafeArchiveError(
                f"{path.name}: member {member.name[:120]!r} goes through symlink {through!r}")
    return tuple(members)


def read_members(
    path: Path,
    wanted: Callable[[str], bool],
    max_bytes_per_file: int,
    limits: ArchiveLimits | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield (name, first `max_bytes_per_file` bytes) of each regular file `wanted` selects.

    Every member is checked as `inspect_archive` does, except the whole-archive symlink
    cross-check, which needs all members first (nothing here is written to disk).
    """
    for member, data in _walk(path, limits or ArchiveLimits(), wanted, max_bytes_per_file):
        if data is not None:
            yield member.name, data


def _walk(
    path: Path, limits: ArchiveLimits, wanted: Callable[[str], bool], max_bytes: int
) -> Iterator[tuple[ArchiveMember, bytes | None]]:
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            head = raw.read(8)
    except OSError as exc:
        raise FetchError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if size > limits.max_archive_bytes:
        raise UnsafeArchiveError(f"{path.name}: archive is {size} bytes, over the limit")
    # The content decides, not the name: a zip named .tar.gz is still read (and
    # `content_format` lets the fetcher rename it so the installer takes it too).
    fmt = _format_of(head)
    meter = _Meter(path.name, limits, max(size, 1))
    try:
        if fmt == "zip":
            yield from _walk_zip(path, meter, wanted, max_bytes)
        else:
            yield from _walk_tar(path, fmt, meter, wanted, max_bytes)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, zlib.error,
            lzma.LZMAError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: encrypted zip member; NotImplementedError: unknown compression.
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise FetchError(f"{path.name}: not a valid archive or corrupt ({detail})") from None


class _Meter:
    """Counts bytes really decompressed, whatever the headers claim, and enforces the limits."""

    def __init__(self, archive: str, limits: ArchiveLimits, compressed: int) -> None:
        self.archive, self.limits, self.compressed = archive, limits, compressed
        self.total = 0
        self.members = 0

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise UnsafeArchiveError(f"{self.archive}: more than {self.limits.max_members} members")

    def add(self, n: int, member: str, member_total: int, member_compressed: int | None) -> None:
        self.total += n
        lim = self.limits
        if member_total > lim.max_member_bytes:
            raise UnsafeArchiveError(f"{self.archive}: member {member!r} exceeds the size limit")
        if self.total > lim.max_total_bytes:
            raise UnsafeArchiveError(f"{self.archive}: unpacks to more than the total size limit")
        if self.total > lim.ratio_floor_bytes and self.total > lim.max_ratio * self.compressed:
            raise UnsafeArchiveError(f"{self.archive}: compression ratio over {lim.max_ratio:g}x"
                                     f" (decompression bomb) at member {member!r}")
        if (member_compressed is not None and member_total > lim.ratio_floor_bytes
                and member_total > lim.max_ratio * max(member_compressed, 1)):
            raise UnsafeArchiveError(f"{self.archive}: member {member!r} compression ratio over"
                                     f" {lim.max_ratio:g}x (decompression bomb)")


class _MeteredStream:
    """The decompressed tar stream as tarfile reads it, every byte counted."""

    def __init__(self, inner: io.BufferedIOBase, meter: _Meter) -> None:
        self.inner, self.meter = inner, meter
        self.current = "<header>"

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n if n >= 0 else _CHUNK)
        self.meter.add(len(data), self.current, 0, None)
        return data


def _walk_tar(
    path: Path, fmt: str, meter: _Meter, wanted: Callable[[str], bool], max_bytes: int
) -> Iterator[tuple[ArchiveMember, bytes | None]]:
    with path.open("rb") as raw, _decompressor(fmt, raw) as inner:
        stream = _MeteredStream(inner, meter)
        # Stream mode ("r|"): no seeking, so skipped data is read and counted too.
        with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
            for info in tar:
                meter.count_member(info.name)
                stream.current = info.name
                member = _tar_member(info, meter)
                data = None
                if member.kind is MemberKind.FILE and wanted(member.name):
                    handle = tar.extractfile(info)
                    data = handle.read(max_bytes) if handle else b""
                yield member, data
        # Drain to the end so a truncated or corrupt compressed stream is noticed.
        while stream.read(_CHUNK):
            pass


def _decompressor(fmt: str, raw: io.BufferedReader) -> io.BufferedIOBase:
    if fmt == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if fmt == "bz2":
        return bz2.BZ2File(raw, "rb")
    if fmt == "xz":
        return lzma.LZMAFile(raw, "rb")
    return raw  # plain tar: closing it twice is harmless


def _tar_member(info: tarfile.TarInfo, meter: _Meter) -> ArchiveMember:
    name = check_name(meter.archive, info.name, meter.limits.max_path_length)
    if info.size > meter.limits.max_member_bytes:
        raise UnsafeArchiveError(f"{meter.archive}: member {name!r} exceeds the size limit")
    if info.isdir():
        kind = MemberKind.DIR
    elif info.issym() or info.islnk():
        kind = MemberKind.SYMLINK if info.issym() else MemberKind.HARDLINK
        target = check_link(meter.archive, name, info.linkname, hard=info.islnk())
        return ArchiveMember(name, kind, 0, info.mode, target)
    elif info.issparse():
        # Holes unpack to bytes never read here: legitimate packages have no sparse files.
        raise UnsafeArchiveError(f"{meter.archive}: member {name!r} is a sparse file")
    elif info.isfile():
        kind = MemberKind.FILE
    else:
        what = "device file" if info.ischr() or info.isblk() else (
            "fifo" if info.isfifo() else "unsupported entry type")
        raise UnsafeArchiveError(f"{meter.archive}: member {name!r} is a {what}")
    return ArchiveMember(name, kind, info.size, info.mode)


def _walk_zip(
    path: Path, meter: _Meter, wanted: Callable[[str], bool], max_bytes: int
) -> Iterator[tuple[ArchiveMember, bytes | None]]:
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > meter.limits.max_members:
            raise UnsafeArchiveError(f"{path.name}: more than {meter.limits.max_members} members")
        for info in infos:
            meter.count_member(info.filename)
            name = check_name(path.name, info.filename, meter.limits.max_path_length)
            kind = check_zip_mode(path.name, name, info)
            keep = kind is MemberKind.FILE and wanted(name)
            data, size = bytearray(), 0
            # Symlink targets are the member's content; keep enough of it to judge.
            cap = max(max_bytes, 4096) if kind is MemberKind.SYMLINK else max_bytes
            if kind is not MemberKind.DIR:
                with zf.open(info) as handle:
                    while chunk := handle.read(_CHUNK):
                        size += len(chunk)
                        meter.add(len(chunk), name, size, info.compress_size)
                        if (keep or kind is MemberKind.SYMLINK) and len(data) < cap:
                            data += chunk
            mode = (info.external_attr >> 16) & 0o7777 or 0o644
            if kind is MemberKind.SYMLINK:
                target = check_link(path.name, name, data.decode("utf-8", "replace"), hard=False)
                yield ArchiveMember(name, kind, 0, mode, target), None
                continue
            yield ArchiveMember(name, kind, size, mode), bytes(data[:max_bytes]) if keep else None
