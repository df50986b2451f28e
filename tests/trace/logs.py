"""Real gVisor (runsc 2022-12) boot-log excerpts under tests/data/strace, parsed once each.

phases.boot.txt: a driver like the real one (markers, then each state's processes) under
  the production --strace-syscalls list: a setup helper serving DNS and TCP, an install
  shell script with a background child, an import script with threads, connects and
  DNS packets that also opens a marker itself, an execute shell.
edge.boot.txt: the same syscall list; raw open/creat/*at calls, odd file names (one
  with a newline), a comm with " X " in it, execveat, threads that fork, a 10 kB
  argument, IPv4-mapped and IPv6 connects, DNS over sendmsg; node in execute.
unfiltered.boot.txt: an excerpt of the same run traced without a syscall list
  (chdir, write and every other call present).
"""

from __future__ import annotations

import functools
from pathlib import Path

from analyzer.trace.parse import ParsedTrace, parse_trace_file

DATA = Path(__file__).resolve().parents[1] / "data" / "strace"


@functools.cache
def parsed(name: str) -> ParsedTrace:
    return parse_trace_file(DATA / f"{name}.boot.txt")


def line(pid: int, comm: str, body: str, *, tid: int | None = None, runsc: int = 30903,
         kind: str = "X") -> str:
    """A log line in runsc's exact layout (taken from phases.boot.txt), for variations
    the real logs do not hold."""
    return (f"I1126 15:17:01.806895 {runsc:>7} strace.go:596] [{pid:>4}:{tid or pid:>4}] "
            f"{comm} {kind} {body}")


def marker(pid: int, state: str) -> str:
    return line(pid, "python3", "openat(AT_FDCWD /, 0x7fdbda11fb90 /.pkgsandbox-marker/"
                f"{state}, O_RDONLY|O_CLOEXEC, 0o0) = 0 (0x0) errno=2 (no such file or "
                "directory) (21.351µs)")


def vfork(parent: int, child: int) -> str:
    return line(parent, "python3", f"vfork() = {child} ({child:#x}) (97.695µs)")


def open_write(pid: int, path: str) -> str:
    return line(pid, "sh", f"openat(AT_FDCWD /tmp, 0x55f2d3bacf00 {path}, "
                "O_WRONLY|O_CREAT|O_TRUNC, 0o666) = 6 (0x6) (22.784µs)")
