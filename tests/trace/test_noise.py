"""Which reads a reviewer never needs, and which must stay in the report."""

from __future__ import annotations

import pytest

from analyzer.trace.noise import is_routine_read

ROUTINE = [
    "/etc/ld.so.cache",
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libssl.so.3",
    "/usr/lib/locale/C.utf8/LC_CTYPE",
    "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
    "/usr/lib/python3.11/encodings/__pycache__/aliases.cpython-311.pyc",
    "/usr/lib/python3.11/json/__init__.py",
    "/usr/lib/python3.11",
    "/usr/lib/python3/dist-packages/pip/_internal/cli/main.py",
    "/usr/local/lib/python3.11/dist-packages",
    "/home/dev/.venv/lib/python3.11/site-packages/requests/__init__.py",
    "/home/dev/.venv/lib/python3.11/site-packages/requests-2.32.3.dist-info/METADATA",
    "/home/dev/.venv/lib/python3.11/site-packages/distutils-precedence.pth",
    "/home/dev/.venv/pyvenv.cfg",
    "/home/dev/project/node_modules/left-pad/index.js",
    "/usr/share/nodejs/npm/lib/cli.js",
    "/proc/self/maps",
    "/proc/self/status",
    "/proc/filesystems",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/nsswitch.conf",
    "/etc/resolv.conf",
    "/dev/urandom",
    "/usr/share/zoneinfo/UTC",
    "/usr/bin/node",
    "/usr/bin/python3",
    "/home/dev/.venv/bin/python",
    "/usr/lib/python311.zip",
    "/usr/lib/python3/dist-packages/protobuf-4.21.12.egg-info/namespace_packages.txt",
    "/home/dev/.cache/pip/http-v2/a/b",
    "/etc/services",
]
KEPT = [
    "/home/dev/.ssh/id_rsa",
    "/home/dev/.aws/credentials",
    "/home/dev/.npmrc",
    "/home/dev/.git-credentials",
    "/home/dev/.config/discord/Local Storage/leveldb/000003.log",
    "/etc/passwd",
    "/etc/shadow",
    "/.dockerenv",
    "/proc/1/cgroup",
    "/proc/self/cgroup",
    "/proc/self/mountinfo",
    "/proc/self/environ",
    "/root/.bash_history",
    "/tmp/payload.bin",
    "/home/dev/.venv/lib/python3.11/site-packages/evilpkg/data/config.json",
    "/etc/hostname",
    "relative/unknown.txt",
    "/home/dev/.config/pip/pip.conf",
    "/home/dev/.venv/bin/activate",
]


@pytest.mark.parametrize("path", ROUTINE)
def test_routine(path: str) -> None:
    assert is_routine_read(path)


@pytest.mark.parametrize("path", KEPT)
def test_kept(path: str) -> None:
    assert not is_routine_read(path)
