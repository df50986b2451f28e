"""Leaves over the network as the sandbox's simulator saw it, and over honeytoken leaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from analyzer.detect.rules.context import Context, clip
from analyzer.detect.rules.leaf import (
    Leaf,
    Pattern,
    allows,
    boolean,
    choice_of,
    count,
    globs,
    nested,
    networks,
    regexes,
    upper_words,
)
from analyzer.detect.rules.leaves_host import ProcessLeaf, by_program
from analyzer.detect.rules.patterns import (
    NO_GLOBS,
    GlobSet,
    Network,
    host_glob,
    in_networks,
    is_remote_address,
    name_glob,
    ports,
    search_any,
    text_glob,
)
from analyzer.models import ConnectionEvent, DnsQuery, HttpRequest, Leak, TcpStream, TlsHello


def _labels(name: str) -> list[str]:
    return [label for label in name.lower().rstrip(".").split(".") if label]


def base_domain(name: str) -> str:
    """The last two labels: close enough to the registered domain for counting subdomains."""
    return ".".join(_labels(name)[-2:])


@dataclass(frozen=True)
class DnsLeaf(Leaf[DnsQuery]):
    """A DNS question: `name` globs, `regex` over the name, `qtype`, `label_min` (some
    label at least this long), `subdomains_min` (this many distinct names under one
    domain: tunnelling), `source` (trace | resolver)."""

    key: ClassVar[str] = "dns"
    name: GlobSet = NO_GLOBS
    regex: tuple[Pattern, ...] = ()
    qtype: frozenset[str] = frozenset()
    label_min: int | None = None
    subdomains_min: int | None = None
    source: frozenset[str] = frozenset()

    def events(self, ctx: Context) -> Iterable[DnsQuery]:
        return ctx.trace.network.dns

    def accepts(self, event: DnsQuery, ctx: Context) -> bool:
        name = event.name.lower().rstrip(".")
        if self.name and not self.name.match(name):
            return False
        if self.regex and not search_any(self.regex, name):
            return False
        if not allows(self.qtype, event.qtype.upper()) or not allows(self.source, event.source):
            return False
        return self.label_min is None or any(len(x) >= self.label_min for x in _labels(name))

    def describe(self, event: DnsQuery, ctx: Context) -> str:
        return f"DNS {clip(event.qtype, 10)} query for {clip(event.name)}"

    def grouped(self, hits: list[DnsQuery], ctx: Context) -> tuple[str, ...] | None:
        if self.subdomains_min is None:
            return None
        names: defaultdict[str, dict[str, None]] = defaultdict(dict)
        for query in hits:
            names[base_domain(query.name)][query.name.lower().rstrip(".")] = None
        return tuple(
            f"DNS queries for {len(found)} distinct names under {clip(base)}: "
            + clip(", ".join(list(found)[:5]), 200)
            for base, found in names.items() if len(found) >= self.subdomains_min
        )


DnsLeaf.FIELDS = {
    "name": globs(host_glob),
    "regex": regexes,
    "qtype": upper_words,
    "label_min": count,
    "subdomains_min": count,
    "source": choice_of(("trace", "resolver")),
}


@dataclass(frozen=True)
class ConnectionLeaf(Leaf[ConnectionEvent]):
    """A socket call: `address` IPs or CIDR blocks, `remote` (off this machine),
    `port`s and ranges, `protocol`, `family`, `syscall` (connect | sendto | bind),
    `outcome` regexes, the `process` name or `by` a program clause."""

    key: ClassVar[str] = "connection"
    address: tuple[Network, ...] = ()
    remote: bool | None = None
    port: frozenset[int] = frozenset()
    protocol: frozenset[str] = frozenset()
    family: frozenset[str] = frozenset()
    syscall: frozenset[str] = frozenset()
    outcome: tuple[Pattern, ...] = ()
    process: GlobSet = NO_GLOBS
    by: ProcessLeaf | None = None

    def events(self, ctx: Context) -> Iterable[ConnectionEvent]:
        return ctx.trace.network.connections

    def accepts(self, event: ConnectionEvent, ctx: Context) -> bool:
        if self.address and not in_networks(self.address, event.address):
            return False
        if self.remote is not None and is_remote_address(event.address) is not self.remote:
            return False
        if self.port and event.port not in self.port:
            return False
        if not (allows(self.protocol, event.protocol) and allows(self.family, event.family)
                and allows(self.syscall, event.syscall)):
            return False
        if self.outcome and not search_any(self.outcome, event.outcome):
            return False
        if self.process and not self.process.match(event.process):
            return False
        return by_program(self.by, event.pid, ctx)

    def describe(self, event: ConnectionEvent, ctx: Context) -> str:
        where = clip(event.address, 80) + (f":{event.port}" if event.port is not None else "")
        return (f"{event.syscall} {event.protocol} {where} ({clip(event.outcome, 60)}) "
                f"by {clip(event.process, 40)} (pid {event.pid})")


ConnectionLeaf.FIELDS = {
    "address": networks,
    "remote": boolean,
    "port": ports,
    "protocol": choice_of(("tcp", "udp", "unix")),
    "family": choice_of(("inet", "inet6", "unix")),
    "syscall": choice_of(("connect", "sendto", "bind")),
    "outcome": regexes,
    "process": globs(name_glob),
    "by": nested(ProcessLeaf),
}


@dataclass(frozen=True)
class HttpLeaf(Leaf[HttpRequest]):
    """An HTTP request the network simulator received: `method`, `host` globs, and
    regexes over the `url`, the `path` (with query), the `body` and each `header`
    written as `Name: value`."""

    key: ClassVar[str] = "http"
    method: frozenset[str] = frozenset()
    host: GlobSet = NO_GLOBS
    url: tuple[Pattern, ...] = ()
    path: tuple[Pattern, ...] = ()
    body: tuple[Pattern, ...] = ()
    header: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[HttpRequest]:
        return ctx.trace.network.http

    def accepts(self, event: HttpRequest, ctx: Context) -> bool:
        if not allows(self.method, event.method.upper()):
            return False
        if self.host and not self.host.match(event.host.lower().split(":", 1)[0]):
            return False
        if self.url and not search_any(self.url, event.url):
            return False
        if self.path and not search_any(self.path, _path_of(event.url)):
            return False
        if self.body and not search_any(self.body, event.body):
            return False
        return not self.header or any(
            search_any(self.header, f"{name}: {value}") for name, value in event.headers
        )

    def describe(self, event: HttpRequest, ctx: Context) -> str:
        text = f"HTTP {clip(event.method, 10)} {clip(event.url, 200)}"
        if event.body:
            text += f" body: {clip(event.body, 160)}"
        return text


def _path_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


HttpLeaf.FIELDS = {
    "method": upper_words,
    "host": globs(host_glob),
    "url": regexes,
    "path": regexes,
    "body": regexes,
    "header": regexes,
}


@dataclass(frozen=True)
class TlsLeaf(Leaf[TlsHello]):
    """A TLS ClientHello: `sni` globs, `port`, `handshake` (ok | failed)."""

    key: ClassVar[str] = "tls"
    sni: GlobSet = NO_GLOBS
    port: frozenset[int] = frozenset()
    handshake: frozenset[str] = frozenset()

    def events(self, ctx: Context) -> Iterable[TlsHello]:
        return ctx.trace.network.tls

    def accepts(self, event: TlsHello, ctx: Context) -> bool:
        if self.sni and not (event.sni and self.sni.match(event.sni.lower().rstrip("."))):
            return False
        return (not self.port or event.port in self.port) and allows(self.handshake,
                                                                       event.handshake)

    def describe(self, event: TlsHello, ctx: Context) -> str:
        return f"TLS ClientHello for {clip(event.sni or '(no SNI)')} on port {event.port}"


TlsLeaf.FIELDS = {
    "sni": globs(host_glob), "port": ports, "handshake": choice_of(("ok", "failed")),
}


@dataclass(frozen=True)
class StreamLeaf(Leaf[TcpStream]):
    """The first bytes of a TCP stream that was neither HTTP nor TLS: `port`, `data` regexes."""

    key: ClassVar[str] = "stream"
    port: frozenset[int] = frozenset()
    data: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[TcpStream]:
        return ctx.trace.network.streams

    def accepts(self, event: TcpStream, ctx: Context) -> bool:
        return (not self.port or event.port in self.port) and (
            not self.data or search_any(self.data, event.data)
        )

    def describe(self, event: TcpStream, ctx: Context) -> str:
        return f"TCP stream to port {event.port}: {clip(event.data, 160)}"


StreamLeaf.FIELDS = {"port": ports, "data": regexes}

LEAK_CHANNELS = ("http", "dns", "tls", "tcp", "argv", "file")


@dataclass(frozen=True)
class LeakLeaf(Leaf[Leak]):
    """A honeytoken canary seen leaving: `token` globs, `channel`, `destination` globs."""

    key: ClassVar[str] = "leak"
    token: GlobSet = NO_GLOBS
    channel: frozenset[str] = frozenset()
    destination: GlobSet = NO_GLOBS

    def events(self, ctx: Context) -> Iterable[Leak]:
        return ctx.trace.leaks

    def accepts(self, event: Leak, ctx: Context) -> bool:
        return (
            (not self.token or self.token.match(event.token))
            and allows(self.channel, event.channel)
            and (not self.destination or self.destination.match(event.destination))
        )

    def describe(self, event: Leak, ctx: Context) -> str:
        return (f"honeytoken {clip(event.token, 60)} left through {clip(event.channel, 10)} "
                f"to {clip(event.destination, 200)}")


LeakLeaf.FIELDS = {
    "token": globs(text_glob),
    "channel": choice_of(LEAK_CHANNELS),
    "destination": globs(text_glob),
}
