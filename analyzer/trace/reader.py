"""One pass over one gVisor strace log: line counts, the process tree, and raw events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from analyzer.trace import syscalls as sc
from analyzer.trace.events import PROC, RawEvents
from analyzer.trace.filecalls import FileCalls
from analyzer.trace.sockets import SocketTracker
from analyzer.trace.text import parse_vector, to_text
from analyzer.trace.tree import ProcessTree

# The kernel's restart codes are not results: the call runs again and logs again.
_RESTART = frozenset({512, 513, 514, 516})
# Traced in production, read by nobody: listen (bind already names the port),
# sendmmsg (gVisor prints neither its data nor its addresses), exit_group (no event).
UNREAD_SYSCALLS = frozenset({"listen", "sendmmsg", "exit_group"})
# Lines that cannot be parsed are evidence (a package hiding what it does): keep a few.
MAX_SAMPLES = 20
SAMPLE_CHARS = 300
_LEVELS = (b"I", b"W", b"E", b"F", b"D")

ExitHandler = Callable[[int, bytes, bytes, int, int | None, bytes], bool]
EntryHandler = Callable[[int, bytes, bytes], bool]


class TraceReader:
    """Feed it the lines of one boot log, as bytes; then read its attributes.

    Speed matters (a full `pip install` trace is ~40 MB): one regex recognises a
    syscall line and its name, lines of syscalls nobody reads stop there, entry (E)
    lines are read only for the calls whose data is printed on entry.
    """

    def __init__(self) -> None:
        self.events: RawEvents = []
        self.tree = ProcessTree()
        self.files = FileCalls(self.events, self.tree)
        sockets = SocketTracker(self.events)
        self.lines = self.syscall_lines = self.unparsed_lines = self.bytes = 0
        self.forged_lines = 0
        self.unparsed_samples: list[str] = []
        self._runsc_pid: bytes | None = None
        tree = self.tree
        exits: dict[bytes, ExitHandler] = {
            **self.files.handlers(),
            b"execve": self._execve, b"execveat": self._execveat,
            b"clone": tree.clone, b"clone3": tree.fork, b"fork": tree.fork, b"vfork": tree.fork,
            b"socket": sockets.socket, b"connect": sockets.connect, b"bind": sockets.bind,
            b"sendto": sockets.sendto,
        }
        entries: dict[bytes, EntryHandler] = {
            b"sendmsg": sockets.sendmsg, b"write": sockets.write, b"writev": sockets.write,
        }
        self._exit = {b"X " + name: handler for name, handler in exits.items()}
        self._entry = {b"E " + name: handler for name, handler in entries.items()}

    @property
    def syscalls(self) -> frozenset[str]:
        """The syscalls whose lines this reader turns into events or state."""
        return frozenset(key[2:].decode() for key in (*self._exit, *self._entry))

    def _sample(self, line: bytes) -> None:
        if len(self.unparsed_samples) < MAX_SAMPLES and line.strip():
            self.unparsed_samples.append(to_text(line.rstrip(b"\r\n"), SAMPLE_CHARS))

    def records(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """Physical lines -> log records: gVisor prints paths raw, so a newline in a
        path splits a syscall line; a line that does not start with a glog prefix
        belongs to the syscall line before it. Counts physical lines and bytes."""
        pending: bytes | None = None
        count = size = 0
        try:
            for line in lines:
                count += 1
                size += len(line)
                if line[:1] in _LEVELS and line[1:5].isdigit() and line[5:6] == b" ":
                    if pending is not None:
                        yield pending
                    # Only a syscall record can be continued by a raw path.
                    pending = line if line.find(b" strace.go:", 0, 80) >= 0 else None
                    if pending is None:
                        yield line
                elif pending is not None:
                    pending += line if pending.endswith(b"\n") else b"\n" + line
                else:
                    yield line
            if pending is not None:
                yield pending
        finally:
            self.lines += count
            self.bytes += size

    def feed(self, lines: Iterable[bytes]) -> None:
        header, result, glog_line = sc.HEADER.match, sc.RESULT.match, sc.GLOG.match
        exit_handlers, entry_handlers = self._exit, self._entry
        first_seen, tree = self.tree.first_state, self.tree
        openat_line, opened_at = sc.OPENAT_LINE.match, self.files.opened_at
        runsc = self._runsc_pid
        syscalls = unparsed = forged = 0
        sample = self._sample
        for line in self.records(lines):
            match = header(line)
            if match is None:
                # Not a syscall line: one of runsc's own log lines, or garbage, or the
                # rest of a syscall line that a newline inside a path broke in two.
                glog = glog_line(line)
                if glog is None:
                    if line.strip():
                        unparsed += 1
                        sample(line)
                    continue
                runsc = runsc or glog[1]
                if b"strace.go:" in line:
                    unparsed += 1
                    sample(line)
                elif b"] \t\tStrace: true" in line:
                    self._strace_config(line)
                continue
            if match[1] != runsc:
                if runsc is not None:
                    # Only a newline inside a path a process passed to a syscall can put
                    # a line with another runsc pid here: an attempt to forge events.
                    forged += 1
                    sample(line)
                    continue
                runsc = match[1]
            syscalls += 1
            call = match[4]  # b"X openat", b"E sendmsg"
            if call == b"X openat":
                fast = openat_line(line, match.end())
                if fast is not None:
                    pid = int(match[2])
                    if pid not in first_seen:
                        first_seen[pid] = tree.state
                    fd, base, path, flags, mode, _, errno_text = fast.groups()
                    errno = int(errno_text) if errno_text else None
                    if errno not in _RESTART:
                        opened_at(pid, match[3], fd, base, path, flags, mode, errno)
                    continue
            handler = exit_handlers.get(call)
            if handler is not None:
                start = match.end()
                end = line.rfind(b") = ", start)
                outcome = result(line, end + 4) if end >= 0 else None
                if outcome is None:
                    unparsed += 1
                    sample(line)
                    continue
                ret, errno_text, errtext = outcome.groups()
                errno = int(errno_text) if errno_text else None
                if errno in _RESTART:
                    continue
                pid = int(match[2])
                if pid not in first_seen:
                    first_seen[pid] = tree.state
                if not handler(pid, match[3], line[start:end], int(ret, 0), errno,
                               errtext or b""):
                    unparsed += 1
                    sample(line)
                continue
            entry = entry_handlers.get(call)
            if entry is not None:
                line = line.rstrip(b"\r\n")
                if not line.endswith(b")") or not entry(int(match[2]), match[3],
                                                        line[match.end():-1]):
                    unparsed += 1
                    sample(line)
        self._runsc_pid = runsc
        self.syscall_lines += syscalls
        self.unparsed_lines += unparsed + forged
        self.forged_lines += forged

    # I1126 15:19:02.073519   13357 main.go:230] \t\tStrace: true, max size: 1024,
    #   syscalls: open,openat,creat,execve,...,exit_group
    def _strace_config(self, line: bytes) -> None:
        """Without chdir in the traced list a process's cwd can change unseen: then a
        relative path of a non-*at call stays relative rather than resolved wrongly."""
        traced = line.partition(b"syscalls:")[2].strip().split(b",")
        if traced != [b""] and b"chdir" not in traced:
            self.files.track_cwd = False

    # execve(0x56358c808b78 /usr/bin/cat, 0x56358c808a40 ["cat", "/etc/hostname"],
    #   0x56358c808a58 ["HOME=/root", ...]) = 0 (0x0) (543.429µs)
    def _execve(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
                errtext: bytes) -> bool:
        m = sc.EXECVE.match(args)
        if m is None:
            return False
        return self._exec(pid, self.files.resolve(pid, None, m[1]), args, m.end(), errno)

    # execveat(0x9 /usr/bin/true, 0x7fce982cbdd5 , 0x7fce97ec07f0 ["true", "via-fd"], ...)
    def _execveat(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
                  errtext: bytes) -> bool:
        m = sc.EXECVEAT.match(args)
        if m is None:
            return False
        base = self.files.at_base(pid, m[1], m[2])
        return self._exec(pid, self.files.resolve(pid, base, m[3]), args, m.end(), errno)

    def _exec(self, pid: int, executable: bytes, args: bytes, pos: int,
              errno: int | None) -> bool:
        # gVisor prints "{error copying vector...}" when it could not read argv: the
        # exec still happened, with arguments unknown.
        vector = parse_vector(args, pos + 1) if args[pos:pos + 1] == b"[" else ((), pos)
        self.events.append((PROC, pid, executable, vector[0] if vector else (), errno is None))
        return vector is not None
