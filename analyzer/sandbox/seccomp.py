"""The seccomp profile every sandbox runs under (gVisor applies it with --oci-seccomp).

gVisor already stands between the package and the host kernel. What this closes is
inside the sandbox: this gVisor lets an unprivileged user open packet sockets, and one
that makes a user namespace holds every capability in it; either way it could sniff
the network simulator's loopback traffic and forge it. So no new user namespace (unshare,
clone with CLONE_NEWUSER, setns into one), and no raw or packet socket. Everything else
is allowed: the sandbox is the boundary; this profile only narrows what a package can do
to the evidence.

clone3 stays allowed: its flags sit in memory a filter cannot read, and refusing it
breaks every thread (glibc falls back to clone only on ENOSYS, and this gVisor answers
EPERM to every refused call, whatever errno the profile names). A namespace made through
it would still open no raw or packet socket: those are refused to every process.
"""

from __future__ import annotations

import errno
import json
import socket
from typing import Any

CLONE_NEWUSER = 0x10000000
_SOCKET_TYPE_MASK = 0xF  # SOCK_NONBLOCK and SOCK_CLOEXEC sit above it


def _deny(names: list[str], code: int, *args: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {"names": names, "action": "SCMP_ACT_ERRNO", "errnoRet": code}
    if args:
        rule["args"] = list(args)
    return rule


PROFILE: dict[str, Any] = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [
        _deny(["unshare", "setns"], errno.EPERM),
        _deny(["clone"], errno.EPERM, {"index": 0, "value": CLONE_NEWUSER,
                                       "valueTwo": CLONE_NEWUSER, "op": "SCMP_CMP_MASKED_EQ"}),
        _deny(["socket"], errno.EAFNOSUPPORT,
              {"index": 0, "value": socket.AF_PACKET, "op": "SCMP_CMP_EQ"}),
        *(_deny(["socket"], errno.EPERM,
                {"index": 0, "value": family, "op": "SCMP_CMP_EQ"},
                {"index": 1, "value": _SOCKET_TYPE_MASK, "valueTwo": socket.SOCK_RAW,
                 "op": "SCMP_CMP_MASKED_EQ"})
          # Raw IP only: netlink sockets are SOCK_RAW too, and getifaddrs() needs them.
          for family in (socket.AF_INET, socket.AF_INET6)),
    ],
}


def security_options() -> list[str]:
    """What `docker create` takes: the profile inline."""
    return [f"seccomp={json.dumps(PROFILE)}"]
