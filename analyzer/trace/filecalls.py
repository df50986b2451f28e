"""File syscalls -> raw file events, with every path made absolute where it can be."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from functools import partial

from analyzer.models import FileAccess
from analyzer.protocol import MARKER_DIR
from analyzer.trace import syscalls as sc
from analyzer.trace.events import FILE, RawEvents
from analyzer.trace.tree import ProcessTree

_MARKER = MARKER_DIR.encode() + b"/"
_CREATE = b"O_CREAT|O_WRONLY|O_TRUNC"  # what creat() means
READ, WRITE, DELETE = FileAccess.READ, FileAccess.WRITE, FileAccess.DELETE
RENAME, CHMOD, MKDIR, LINK = FileAccess.RENAME, FileAccess.CHMOD, FileAccess.MKDIR, FileAccess.LINK

_OPENAT = sc.OPENAT.fullmatch
_is_write, _needs_normpath = sc.is_write, sc.needs_normpath
# Every handler takes an exit line's (pid, comm, args, ret, errno, errtext) and says
# whether the arguments parsed.
Handler = Callable[[int, bytes, bytes, int, int | None, bytes], bool]


class FileCalls:
    """Handlers for the file syscalls, and the working directory of each process."""

    def __init__(self, events: RawEvents, tree: ProcessTree) -> None:
        self.events = events
        self.tree = tree
        self.cwd = tree.cwd
        self.track_cwd = True  # False: chdir is not traced, a remembered cwd may be stale

    def handlers(self) -> dict[bytes, Handler]:
        p = partial
        return {
            b"openat": self.openat, b"open": p(self._open, sc.OPEN),
            b"creat": p(self._open, sc.PATH_TOK),
            b"unlink": p(self._path, sc.PATH, DELETE), b"unlinkat": p(self._at, DELETE),
            b"mkdir": p(self._path, sc.PATH_TOK, MKDIR), b"mkdirat": p(self._at, MKDIR),
            b"chmod": p(self._path, sc.PATH_TOK, CHMOD), b"fchmodat": p(self._at, CHMOD),
            b"fchmod": self.fchmod,
            b"rename": p(self._two, RENAME), b"link": p(self._two, LINK),
            b"renameat": p(self._two_at, sc.RENAMEAT, RENAME),
            b"renameat2": p(self._two_at, sc.RENAMEAT2, RENAME),
            b"linkat": p(self._two_at, sc.RENAMEAT2, LINK),
            b"symlink": p(self._symlink, sc.TWO_PATHS),
            b"symlinkat": p(self._symlink, sc.SYMLINKAT),
            b"chdir": self.tree.chdir, b"fchdir": self.tree.fchdir,
        }

    def at_base(self, pid: int, fd: bytes, fd_path: bytes | None) -> bytes:
        """The directory an *at() call resolves against; AT_FDCWD also tells the cwd."""
        if fd == b"AT_FDCWD" and fd_path and fd_path[:1] == b"/":
            self.cwd[pid] = fd_path
        return fd_path or b""

    def resolve(self, pid: int, base: bytes | None, path: bytes) -> bytes:
        """The absolute path when it can be known. `base` None means the cwd; a base
        that is no directory path (a bad fd, an unknown cwd) leaves `path` relative."""
        if path[:1] != b"/":
            if base is None:
                base = self._cwd(pid)
            if base[:1] != b"/":
                return path
            path = base + b"/" + path if path else base
        if _needs_normpath(path) and len(path) > 1:
            path = posixpath.normpath(path)
        return path

    def _cwd(self, pid: int) -> bytes:
        return self.cwd.get(pid, b"") if self.track_cwd else b""

    def _add(self, pid: int, comm: bytes, path: bytes, access: FileAccess, errno: int | None,
             target: bytes | None = None, mode: int | None = None) -> None:
        self.events.append((FILE, pid, comm, path, access, errno is None, target, mode))

    def _opened(self, pid: int, comm: bytes, path: bytes, flags: bytes, mode: bytes,
                errno: int | None) -> None:
        if path.startswith(_MARKER) and self.tree.marker(
                pid, path[len(_MARKER):].decode("utf-8", "replace")):
            return
        if _is_write(flags):
            created = b"O_CREAT" in flags or b"O_TMPFILE" in flags
            self.events.append((FILE, pid, comm, path, WRITE, errno is None, None,
                                sc.parse_mode(mode) if created else None))
        else:
            self.events.append((FILE, pid, comm, path, READ, errno is None, None, None))

    def openat(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
               errtext: bytes) -> bool:
        # The most frequent line of all (about 60% of a production trace).
        m = _OPENAT(args)
        if m is None:
            return False
        self.opened_at(pid, comm, m[1], m[2], m[3], m[4], m[5], errno)
        return True

    def opened_at(self, pid: int, comm: bytes, fd: bytes, base: bytes | None, path: bytes,
                  flags: bytes, mode: bytes, errno: int | None) -> None:
        if fd == b"AT_FDCWD" and base and base[:1] == b"/":
            self.cwd[pid] = base
        if path[:1] != b"/" or _needs_normpath(path):
            path = self.resolve(pid, base or b"", path)
        self._opened(pid, comm, path, flags, mode, errno)

    def _open(self, pattern: re.Pattern[bytes], pid: int, comm: bytes, args: bytes, ret: int,
              errno: int | None, errtext: bytes) -> bool:
        m = pattern.fullmatch(args)
        if m is None:
            return False
        # open(path, flags, mode) or creat(path, mode)
        flags, mode = (m[2], m[3]) if pattern is sc.OPEN else (_CREATE, m[2])
        self._opened(pid, comm, self.resolve(pid, None, m[1]), flags, mode, errno)
        return True

    def _path(self, pattern: re.Pattern[bytes], access: FileAccess, pid: int, comm: bytes,
              args: bytes, ret: int, errno: int | None, errtext: bytes) -> bool:
        m = pattern.fullmatch(args)
        if m is None:
            return False
        mode = sc.parse_mode(m[2]) if pattern is sc.PATH_TOK else None
        self._add(pid, comm, self.resolve(pid, None, m[1]), access, errno, None, mode)
        return True

    def _at(self, access: FileAccess, pid: int, comm: bytes, args: bytes, ret: int,
            errno: int | None, errtext: bytes) -> bool:
        m = sc.AT_PATH_TOK.fullmatch(args)
        if m is None:
            return False
        path = self.resolve(pid, self.at_base(pid, m[1], m[2]), m[3])
        mode = None if access is DELETE else sc.parse_mode(m[4])  # unlinkat's is flags
        self._add(pid, comm, path, access, errno, None, mode)
        return True

    def fchmod(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
               errtext: bytes) -> bool:
        m = sc.FD_TOK.fullmatch(args)
        if m is None:
            return False
        if (m[2] or b"")[:1] == b"/":  # the file behind the descriptor, as gVisor knows it
            self._add(pid, comm, m[2], CHMOD, errno, None, sc.parse_mode(m[3]))
        return True

    def _two(self, access: FileAccess, pid: int, comm: bytes, args: bytes, ret: int,
             errno: int | None, errtext: bytes) -> bool:
        m = sc.TWO_PATHS.fullmatch(args)
        if m is None:
            return False
        self._add(pid, comm, self.resolve(pid, None, m[1]), access, errno,
                  self.resolve(pid, None, m[2]))
        return True

    def _two_at(self, pattern: re.Pattern[bytes], access: FileAccess, pid: int, comm: bytes,
                args: bytes, ret: int, errno: int | None, errtext: bytes) -> bool:
        m = pattern.fullmatch(args)
        if m is None:
            return False
        old_base = self.at_base(pid, m[1], m[2])
        # The second descriptor is printed as a bare number: AT_FDCWD, or the first one
        # again; any other directory cannot be named, and its path stays relative.
        if m[4] in sc.AT_FDCWD_HEX:
            new_base = old_base if m[1] == b"AT_FDCWD" else self._cwd(pid)
        elif m[1] != b"AT_FDCWD" and sc.parse_int(m[4]) == sc.parse_int(m[1]):
            new_base = old_base
        else:
            new_base = b""
        self._add(pid, comm, self.resolve(pid, old_base, m[3]), access, errno,
                  self.resolve(pid, new_base, m[5]))
        return True

    def _symlink(self, pattern: re.Pattern[bytes], pid: int, comm: bytes, args: bytes,
                 ret: int, errno: int | None, errtext: bytes) -> bool:
        m = pattern.fullmatch(args)
        if m is None:
            return False
        if pattern is sc.SYMLINKAT:
            content, link = m[1], self.resolve(pid, self.at_base(pid, m[2], m[3]), m[4])
        else:
            content, link = m[1], self.resolve(pid, None, m[2])
        # A relative link target is relative to the link's own folder, not to the cwd.
        referent = content
        if content[:1] != b"/" and link[:1] == b"/":
            referent = posixpath.normpath(posixpath.dirname(link) + b"/" + content)
        self._add(pid, comm, referent, LINK, errno, link)
        return True
