"""The process tree seen in a trace, the driver's markers, and the phase each process is in."""

from __future__ import annotations

import posixpath

from analyzer.models import Phase
from analyzer.trace import syscalls as sc

_PHASES = {phase.value: phase for phase in Phase}


class ProcessTree:
    """Who forked whom, where each process stands (cwd), and what the driver announced.

    The first process to open a marker is the driver; markers from any other process
    are ordinary file events. A process the driver forks takes the driver's state at
    that moment (the last marker); every other process takes its parent's, so a
    background child forked during install stays in install (lineage, not time).
    """

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.cwd: dict[int, bytes] = {}
        self.driver: int | None = None
        self.state: str | None = None  # the driver's latest marker
        self.driver_children: dict[int, str | None] = {}
        self.first_state: dict[int, str | None] = {}  # the driver's state when a pid was first seen

    def marker(self, pid: int, state: str) -> bool:
        """True when this open is the driver announcing `state` (not a file event)."""
        if self.driver is None:
            self.driver = pid
        if pid != self.driver:
            return False
        self.state = state
        return True

    # clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|
    #   CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, 0x7f94177fff70, ...) = 16 (0x10) (60.901µs)
    # clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|0x11, 0x0, 0x0, 0x7fce98134310, 0x0) = 3 (0x3)
    def clone(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
              errtext: bytes) -> bool:
        # A thread shares its process's pid in every later line: not a new process.
        if b"CLONE_THREAD" not in args.partition(b",")[0]:
            self.fork(pid, comm, args, ret, errno, errtext)
        return True

    # vfork() = 4 (0x4) (101.521µs)
    # clone3(0x7f38f13f31c0, 0x58) = 0 (0x0) errno=38 (invalid system call number) (13.23µs)
    def fork(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
             errtext: bytes) -> bool:
        # clone3's flags are not printed; a thread it makes never shows up as a pid, so
        # recording it as a child is harmless.
        if errno is not None or ret <= 0:
            return True
        self.parent[ret] = pid
        if pid == self.driver:
            self.driver_children[ret] = self.state
        if pid in self.cwd:
            self.cwd.setdefault(ret, self.cwd[pid])
        return True

    # chdir(0x7f56fc6a6f95 /tmp) = 0 (0x0) (3.135µs); fchdir(0x3 /tmp/pkgs) = 0 (0x0)
    # Only in the log when --strace-syscalls lists them; *at() calls with AT_FDCWD print
    # the cwd anyway.
    def chdir(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
              errtext: bytes) -> bool:
        match = sc.PATH.fullmatch(args)
        if match is None:
            return False
        path = match.group(1)
        if errno is None and path[:1] == b"/":
            self.cwd[pid] = path
        elif errno is None and pid in self.cwd:
            self.cwd[pid] = posixpath.normpath(self.cwd[pid] + b"/" + path)
        return True

    def fchdir(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
               errtext: bytes) -> bool:
        match = sc.FD_ONLY.fullmatch(args)
        if match is None:
            return False
        if errno is None and (match.group(2) or b"")[:1] == b"/":
            self.cwd[pid] = match.group(2)
        return True

    def phases(self, pids: set[int]) -> tuple[dict[int, Phase | None], int]:
        """The phase of each pid (None: the driver, its helpers, its ancestors, or
        before the first marker), and how many process subtrees had lost their lineage.

        A process whose ancestry is lost (made in a new pid namespace, or its fork line
        missing) is placed, with its descendants, by the driver's state when the top of
        that subtree first appeared, rather than dropped: hiding from the tree must not
        hide from the report.
        """
        ancestors: set[int] = set()
        node = self.driver
        while node is not None and node not in ancestors:
            ancestors.add(node)
            node = self.parent.get(node)
        memo: dict[int, Phase | None] = {}
        orphans = 0
        for pid in pids:
            if pid not in memo:
                orphans += self._walk(pid, ancestors, memo)
        return memo, orphans

    def _walk(self, pid: int, ancestors: set[int], memo: dict[int, Phase | None]) -> bool:
        """Settle `pid` and the ancestors on its way up; True when it was placed by time."""
        chain: list[int] = []
        seen: set[int] = set()
        node = pid
        by_time = False
        while True:
            if node in memo:
                phase = memo[node]
                break
            chain.append(node)
            seen.add(node)
            if node in ancestors:  # the driver itself or what started it
                phase = None
                break
            if node in self.driver_children:
                state = self.driver_children[node]
                phase = _PHASES.get(state) if state else None
                break
            up = self.parent.get(node)
            if up is None or up in seen:
                state = self.first_state.get(node) if node in self.first_state else (
                    self.first_state.get(pid))
                phase = _PHASES.get(state) if state else None
                by_time = phase is not None
                break
            node = up
        for settled in chain:
            memo[settled] = phase
        return by_time
