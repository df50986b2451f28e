"""Every syscall the sandbox asks runsc to trace is read here, or knowingly left unread."""

from __future__ import annotations

import re
from pathlib import Path

from analyzer.trace.reader import UNREAD_SYSCALLS, TraceReader

SETUP = Path(__file__).resolve().parents[2] / "sandbox_images" / "setup-host.sh"


def test_the_production_syscall_list_is_covered() -> None:
    match = re.search(r"syscalls=([a-z0-9_,]+)", SETUP.read_text())
    assert match, "no --strace-syscalls list in setup-host.sh"
    traced = set(match.group(1).split(","))
    assert traced - TraceReader().syscalls - UNREAD_SYSCALLS == set()


def test_cwd_changes_are_read_when_traced() -> None:
    # Relative paths resolve only if chdir/fchdir are traced (see filecalls.py).
    assert {"chdir", "fchdir"} <= TraceReader().syscalls
