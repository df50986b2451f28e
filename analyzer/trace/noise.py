"""Reads every program makes (libraries, locales, its own runtime's files) that a reviewer skips."""

from __future__ import annotations

import re

# Writes are never routine: callers ask only about READ events.
#
# What stays visible on purpose: anything under a home folder outside a Python
# environment (~/.ssh, ~/.aws, ~/.npmrc ...), /etc/passwd and /etc/shadow, /proc/1/*
# and other processes' /proc entries, /proc/self/{cgroup,mountinfo,mounts,environ} and
# /.dockerenv (container checks, environment theft), /sys, /root, and every file of
# the package outside a site-packages or node_modules tree. Some of these are read by
# runtimes too (node reads /proc/self/cgroup, npm reads ~/.npmrc): a rule has to look
# at which process read them, the list cannot.

_EXACT = frozenset({
    "/", "/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/nsswitch.conf", "/etc/host.conf",
    "/etc/resolv.conf", "/etc/hosts", "/etc/gai.conf", "/etc/localtime", "/etc/timezone",
    "/etc/mime.types", "/etc/os-release", "/usr/lib/os-release", "/etc/debian_version",
    "/etc/lsb-release", "/etc/netsvc.conf", "/etc/svc.conf", "/etc/inputrc", "/etc/bash.bashrc",
    "/etc/profile", "/etc/environment", "/etc/login.defs", "/etc/npmrc", "/etc/pip.conf",
    "/etc/xdg/pip/pip.conf", "/proc/filesystems", "/proc/meminfo", "/proc/cpuinfo",
    "/proc/stat", "/proc/sys/kernel/random/boot_id", "/proc/sys/vm/overcommit_memory",
    "/sys/devices/system/cpu/online", "/sys/devices/system/cpu/possible",
    "/sys/kernel/mm/transparent_hugepage/enabled",
    "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty", "/dev/full",
    "/usr/pyvenv.cfg", "/usr/bin/pyvenv.cfg", "/usr/bin/pybuilddir.txt",
    "/usr/bin/node", "/usr/bin/nodejs",  # node maps its own binary at start-up
    "/etc/protocols", "/etc/services", "/etc/ethertypes", "/etc/networks",
})
_PREFIXES = (
    "/lib/", "/lib64/", "/usr/lib/x86_64-linux-gnu/", "/usr/lib/aarch64-linux-gnu/",
    "/usr/lib/locale/", "/usr/share/locale/", "/usr/share/i18n/", "/usr/lib/gconv/",
    "/usr/share/zoneinfo/", "/usr/share/terminfo/", "/etc/terminfo/", "/lib/terminfo/",
    "/etc/ssl/", "/usr/lib/ssl/", "/usr/share/ca-certificates/", "/etc/ca-certificates",
    "/usr/share/nodejs/", "/usr/lib/nodejs/", "/usr/include/node/", "/usr/share/node_modules/",
    "/etc/alternatives/", "/etc/ld.so.conf", "/etc/locale", "/etc/default/",
    "/opt/pkgsandbox/", "/dev/pts/", "/dev/fd/", "/etc/xdg/pip/",
    "/proc/thread-self/",
)
_PROC_SELF_KEPT = frozenset({"cgroup", "mountinfo", "mounts", "environ"})
# A Python install, a virtualenv or a user site: stdlib, site- and dist-packages.
_PYTHON_TREE = re.compile(
    r"/(?:usr/(?:local/)?lib/python3(?:\.\d+)?|usr/lib/python3/dist-packages"
    r"|[^\0]*?/lib/python3\.\d+/site-packages|[^\0]*?/\.local/lib/python3\.\d+/site-packages"
    r"|[^\0]*?/lib/python3\.\d+)(?:/|$)"
)
_PYTHON_FILE = re.compile(
    r"(?:\.pyc?|\.pyi|\.pth|\.so|/__pycache__|/py\.typed|\.(?:dist|egg)-info(?:/[^/]+)?"
    r"|/LICENSE[^/]*|/pyvenv\.cfg)$"
)
# The interpreter reading itself, the stdlib zip, pip's own cache.
_RUNTIME = re.compile(r"(?:/bin/python(?:3(?:\.\d+)?)?|/lib/python3\d*\.zip|/\.cache/pip(?:/.*)?)$")
_NODE_FILE = re.compile(r"/node_modules/[^\0]*\.(?:js|cjs|mjs|json|node)$")
_SHARED_LIBRARY = re.compile(r"\.so(?:\.\d+)*$")


def is_routine_read(path: str) -> bool:
    """True for a read a reviewer never needs: the dynamic loader and shared libraries,
    locale and gconv data, the Python stdlib and the modules of any site-packages
    (folder listings included), node_modules code, CA bundles, /proc/self (except the
    files that tell a container apart) and the usual /etc lookups."""
    if path in _EXACT or path.startswith(_PREFIXES):
        return True
    if path.startswith("/proc/self/"):
        return path[len("/proc/self/"):].split("/", 1)[0] not in _PROC_SELF_KEPT
    if _SHARED_LIBRARY.search(path):
        return True
    python = _PYTHON_TREE.match(path)
    if python is not None:
        rest = path[python.end():]
        # The tree's folders are listed at every import; its files are the modules.
        return "." not in rest.rsplit("/", 1)[-1] or _PYTHON_FILE.search(path) is not None
    if path.endswith((".pyc", "/__pycache__", "/pyvenv.cfg", "._pth")):
        return True
    if _RUNTIME.search(path):
        return True
    return _NODE_FILE.search(path) is not None
