"""On import: a user namespace (which would grant every capability inside it), then a
packet and a raw socket (which would let it sniff and forge the loopback traffic)."""

import ctypes
import os
import socket
import threading

CLONE_NEWUSER = 0x10000000


def _unshare() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) == 0:
        return "allowed"
    return "denied " + os.strerror(ctypes.get_errno())


def _socket(family: int, kind: int, proto: int = 0) -> str:
    try:
        socket.socket(family, kind, proto).close()
    except OSError as exc:
        return "denied " + exc.strerror
    return "allowed"


print("PROBE userns:", _unshare())
print("PROBE packet:", _socket(socket.AF_PACKET, socket.SOCK_RAW))
print("PROBE raw:", _socket(socket.AF_INET, socket.SOCK_RAW | socket.SOCK_CLOEXEC, socket.IPPROTO_ICMP))
# What the profile must leave alone: threads (glibc starts them with clone3).
_thread = threading.Thread(target=lambda: print("PROBE thread: ran"))
_thread.start()
_thread.join()
