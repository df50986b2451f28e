"""Socket syscalls -> raw connection events, and the DNS questions inside what was sent."""

from __future__ import annotations

import ipaddress

from analyzer.trace import syscalls as sc
from analyzer.trace.dns import decode_queries
from analyzer.trace.events import CONN, DNS, RawEvents
from analyzer.trace.text import go_unquote, quoted_strings, to_text

FAMILIES = {b"AF_INET": "inet", b"AF_INET6": "inet6", b"AF_UNIX": "unix"}
PROTOCOLS = {b"SOCK_STREAM": "tcp", b"SOCK_DGRAM": "udp", b"SOCK_RAW": "raw"}
DNS_PORT = 53
EINPROGRESS = 115


class SocketTracker:
    """What each socket is (from socket()) and where it was connected (from connect()).

    A socket is known by the id gVisor prints beside its descriptor (`socket:[12]`),
    which follows it across dup() and fork(); socket() only returns a descriptor, so
    the first call that names both ties them together.
    """

    def __init__(self, events: RawEvents) -> None:
        self.events = events
        self._by_fd: dict[tuple[int, bytes], str] = {}  # (pid, fd) -> protocol, from socket()
        self._by_id: dict[bytes, str] = {}  # socket:[N] -> protocol
        self._peer_port: dict[bytes, int | None] = {}  # socket:[N] -> port it was connected to

    def _protocol(self, pid: int, fd: bytes, socket_id: bytes | None, unknown: str) -> str:
        protocol = self._by_id.get(socket_id) if socket_id else None
        if protocol is None:
            protocol = self._by_fd.pop((pid, fd), None)
            if protocol is not None and socket_id:
                self._by_id[socket_id] = protocol
        return protocol or unknown

    # socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3 (0x3) (14.692µs)
    def socket(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
               errtext: bytes) -> bool:
        m = sc.SOCKET.match(args)
        if m is None:
            return False
        if errno is None:
            protocol = "unix" if m[1] == b"AF_UNIX" else PROTOCOLS.get(
                m[2].partition(b"|")[0], "other")
            self._by_fd[(pid, hex(ret).encode())] = protocol
        return True

    def connect(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
                errtext: bytes) -> bool:
        return self._address_call(pid, comm, args, errno, errtext, "connect")

    def bind(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
             errtext: bytes) -> bool:
        return self._address_call(pid, comm, args, errno, errtext, "bind")

    def _address_call(self, pid: int, comm: bytes, args: bytes, errno: int | None,
                      errtext: bytes, syscall: str) -> bool:
        m = sc.CONNECT.fullmatch(args)
        if m is None:
            return False
        address = _sockaddr(m[3]) if m[3] else None
        if address is None:  # a null, unreadable or netlink address: nothing to report
            return True
        family, host, port = address
        # connect() is overwhelmingly TCP; a UDP connect (a resolver) comes right after
        # its socket() in the same process, so an unknown socket is taken as TCP.
        protocol = "unix" if family == "unix" else self._protocol(pid, m[1], m[2], "tcp")
        if syscall == "connect" and m[2]:
            self._peer_port[m[2]] = port
        if errno is None:
            outcome = "connected" if syscall == "connect" else "bound"
        else:
            outcome = "in-progress" if errno == EINPROGRESS else errtext.decode("utf-8", "replace")
        self.events.append((CONN, pid, comm, family, protocol, host, port, outcome, syscall))
        return True

    def sendto(self, pid: int, comm: bytes, args: bytes, ret: int, errno: int | None,
               errtext: bytes) -> bool:
        m = sc.SENDTO.fullmatch(args)
        if m is None:
            return False
        # Datagrams are what one sends with an address: an unknown socket is UDP.
        protocol = self._protocol(pid, m[1], m[2], "udp")
        address = _sockaddr(m[4]) if m[4] else None
        port = self._peer_port.get(m[2]) if m[2] else None
        if address is not None:
            family, host, port = address
            outcome = "sent" if errno is None else errtext.decode("utf-8", "replace")
            self.events.append((CONN, pid, comm, family, protocol, host, port, outcome, "sendto"))
        if m[3]:  # this gVisor prints no sendto buffer; a later one may
            self._dns(pid, go_unquote(m[3][1:-1]), protocol, port)
        return True

    # sendmsg(0x3 socket:[11], 0x7f38f13f32d0 {name=0x7f38f13f3310, namelen=16, iovecs=...
    #   {base=0x7f9417cfc0f0, len=35, "\x124\x01\x00..."}, control={0x0 }, flags=0}, 0x0)
    # The entry line carries the data; the destination is printed only as a pointer, so
    # it is known only for a connected socket (namelen=0).
    def sendmsg(self, pid: int, comm: bytes, args: bytes) -> bool:
        m = sc.SENDMSG.fullmatch(args)
        if m is None:
            return False
        protocol = self._protocol(pid, m[1], m[2], "udp")
        port = self._peer_port.get(m[2]) if m[2] and m[3] == b"0" else None
        self._dns(pid, b"".join(quoted_strings(m[4])), protocol, port)
        return True

    # write(0xa socket:[3], 0x7f1507118b90 "\xbe\xef\x01\x00\x00\x01...", 0x25)
    # Not in the production syscall list; read when a full trace has it.
    def write(self, pid: int, comm: bytes, args: bytes) -> bool:
        if b"socket:[" not in args[:40]:
            return True
        m = sc.WRITE.fullmatch(args)
        if m is None:
            return False
        port = self._peer_port.get(m[2])
        if port == DNS_PORT:
            self._dns(pid, b"".join(quoted_strings(m[3])), self._protocol(pid, m[1], m[2], "udp"),
                      port)
        return True

    def _dns(self, pid: int, payload: bytes, protocol: str, port: int | None) -> None:
        if not payload or protocol == "unix":
            return
        if port == DNS_PORT:
            questions = decode_queries(payload, tcp=protocol == "tcp")
        elif port is None and protocol != "tcp":
            # Destination unknown: only a complete, plausible query counts as DNS.
            questions = decode_queries(payload, strict=True)
        else:
            return
        for name, qtype in questions:
            self.events.append((DNS, pid, name, qtype))


def _sockaddr(body: bytes) -> tuple[str, str, int | None] | None:
    """{Family: AF_INET, Addr: 203.0.113.5, Port: 443} -> ("inet", "203.0.113.5", 443)."""
    m = sc.SOCKADDR.fullmatch(body)
    if m is None:
        return None
    family = FAMILIES.get(m[1])
    if family is None:
        return None
    if family == "unix":
        raw = m[2]
        if len(raw) >= 2 and raw[:1] == b'"' and raw[-1:] == b'"':
            raw = go_unquote(raw[1:-1])
        return family, to_text(raw), None
    host = m[2].decode("ascii", "replace")
    if family == "inet6":
        host = _ipv6(host)
    return family, host, int(m[3]) if m[3] else None


def _ipv6(text: str) -> str:
    # gVisor prints an IPv4-mapped address as ::ffff:c633:6407; show the IPv4 inside.
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return text
    mapped = address.ipv4_mapped
    return f"::ffff:{mapped}" if mapped else address.compressed
