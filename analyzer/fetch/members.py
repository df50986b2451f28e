"""Rules for one archive member's name, type and link target, shared by the tar and zip readers."""

from __future__ import annotations

import enum
import posixpath
import re
import stat
import zipfile

from analyzer.errors import UnsafeArchiveError

_DRIVE = re.compile(r"^[A-Za-z]:")


class MemberKind(enum.StrEnum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"


def _refuse(archive: str, what: str, name: str, problem: str) -> UnsafeArchiveError:
    """One line naming the archive, the member (attacker text, quoted and cut) and the problem."""
    return UnsafeArchiveError(f"{archive}: {what} {name[:120]!r} {problem}")


def check_name(archive: str, raw: str, max_length: int) -> str:
    """The member's normalised name, or `UnsafeArchiveError` if it could land outside the root."""
    if not raw or "\x00" in raw:
        raise _refuse(archive, "member", raw, "has an empty or NUL-containing name")
    if len(raw) > max_length:
        raise _refuse(archive, "member", raw, f"has a path longer than {max_length}")
    # Backslashes are separators to Windows tools and some unpackers: judge them as such.
    if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
        raise _refuse(archive, "member", raw, "has an absolute path")
    parts = re.split(r"[/\\]", raw)
    if ".." in parts:
        raise _refuse(archive, "member", raw, "has a '..' path traversal")
    return posixpath.normpath(raw.replace("\\", "/"))


def check_link(archive: str, name: str, target: str, *, hard: bool) -> str:
    """The link's target, refused if absolute or resolving outside the archive root.

    Tar hardlink targets are relative to the archive root; symlink targets to the link's folder.
    """
    kind = "hardlink" if hard else "symlink"
    if not target or "\x00" in target:
        raise _refuse(archive, kind, name, "has an empty target")
    if target.startswith(("/", "\\")) or _DRIVE.match(target):
        raise _refuse(archive, kind, name, f"points outside the archive: {target[:120]!r}")
    base = "" if hard else posixpath.dirname(name)
    resolved = posixpath.normpath(posixpath.join(base, target.replace("\\", "/")))
    if resolved == ".." or resolved.startswith("../"):
        raise _refuse(archive, kind, name, f"points outside the archive: {target[:120]!r}")
    if hard and resolved == ".":
        raise _refuse(archive, "hardlink", name, "points at the archive root")
    return target


def check_zip_mode(archive: str, name: str, info: zipfile.ZipInfo) -> MemberKind:
    """The zip member's kind from its Unix mode bits (if any); device files and fifos refused."""
    mode = info.external_attr >> 16
    if info.is_dir():
        return MemberKind.DIR
    # 3 = Unix. Other systems, and many wheel builders, set permission bits but no file type.
    if info.create_system != 3 or stat.S_IFMT(mode) == 0:
        return MemberKind.FILE
    if stat.S_ISLNK(mode):
        return MemberKind.SYMLINK
    if stat.S_ISREG(mode):
        return MemberKind.FILE
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise _refuse(archive, "member", name, "is a device file")
    if stat.S_ISFIFO(mode):
        raise _refuse(archive, "member", name, "is a fifo")
    if stat.S_ISDIR(mode):
        return MemberKind.DIR
    raise _refuse(archive, "member", name, "has an unsupported file type")


def symlink_on_path(path: str, links: set[str]) -> str | None:
    """The first symlink among the folders `path` passes through, if any."""
    prefix: list[str] = []
    for part in path.split("/")[:-1]:
        if part == "..":
            prefix = prefix[:-1]
        elif part not in ("", "."):
            prefix.append(part)
            if "/".join(prefix) in links:
                return "/".join(prefix)
    return None
