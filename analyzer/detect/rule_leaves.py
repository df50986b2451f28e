"""The leaf clauses of the rule language, one class per YAML key, registered in `LEAVES`.

Every field of a leaf is optional and narrows what it accepts; list fields accept an
event when any item matches. Each leaf says how it quotes an event as evidence.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from analyzer.detect.rule_context import Context, clip, command_line
from analyzer.detect.rule_patterns import (
    NO_GLOBS,
    Glob,
    GlobSet,
    Network,
    Problems,
    checked,
    choices,
    host_glob,
    in_networks,
    is_remote_address,
    name_glob,
    network,
    path_glob,
    ports,
    regex,
    search_any,
    text_glob,
)
from analyzer.detect.static_types import FileRole, SignalKind, StaticSignal
from analyzer.detect.typosquat_variants import Kind as SquatKind
from analyzer.models import (
    ConnectionEvent,
    DnsQuery,
    FileAccess,
    FileEvent,
    HttpRequest,
    Leak,
    ProcessEvent,
    TcpStream,
    TlsHello,
    Typosquat,
)

E = TypeVar("E")
L = TypeVar("L", bound="Leaf[Any]")
Parser = Callable[[Any, str, Problems], Any]
Pattern = re.Pattern[str]


@dataclass(frozen=True)
class Leaf(ABC, Generic[E]):
    """One kind of event and the fields that narrow it; `unless` lists exceptions of
    the same kind: an event any of them accepts is not a hit."""

    key: ClassVar[str]  # the YAML name
    bound: ClassVar[bool] = True
    FIELDS: ClassVar[dict[str, Parser]]
    unless: tuple[Leaf[E], ...] = ()

    @classmethod
    def parse(cls: type[L], data: Mapping[str, Any], where: str, problems: Problems) -> L | None:
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "unless":
                values["unless"] = _unless(cls, value, f"{where}.unless", problems)
            elif key in cls.FIELDS:
                values[key] = cls.FIELDS[key](value, f"{where}.{key}", problems)
            else:
                problems.add(where, f"unknown field {key!r} in `{cls.key}` "
                                    f"(expected: {', '.join(cls.FIELDS)}, unless)")
        return cls(**values)

    def matches(self, event: E, ctx: Context) -> bool:
        return self.accepts(event, ctx) and not any(u.matches(event, ctx) for u in self.unless)

    @abstractmethod
    def events(self, ctx: Context) -> Iterable[E]: ...

    @abstractmethod
    def accepts(self, event: E, ctx: Context) -> bool:
        """The event passes this leaf's own fields (`unless` aside)."""

    @abstractmethod
    def describe(self, event: E, ctx: Context) -> str: ...

    def grouped(self, hits: list[E], ctx: Context) -> tuple[str, ...] | None:
        """Evidence for leaves that judge events together (None: one line per event)."""
        return None


def _unless(cls: type[L], value: Any, where: str, problems: Problems) -> tuple[L, ...]:
    items = value if isinstance(value, list) else [value]
    built = []
    for index, item in enumerate(items):
        place = f"{where}[{index}]" if isinstance(value, list) else where
        if not isinstance(item, Mapping) or not item:
            problems.add(place, f"expected a non-empty mapping of `{cls.key}` fields")
            continue
        if "min_count" in item:
            problems.add(place, "`min_count` has no meaning inside `unless`")
            continue
        exception = cls.parse(item, place, problems)
        if exception is not None:
            built.append(exception)
    return tuple(built)


# --- field parsers ------------------------------------------------------------------


def _globs(build: Callable[[str], Glob]) -> Parser:
    return lambda value, where, problems: GlobSet.of(checked(value, where, problems, build))


def _regexes(value: Any, where: str, problems: Problems) -> tuple[Pattern, ...]:
    return checked(value, where, problems, regex)


def _networks(value: Any, where: str, problems: Problems) -> tuple[Network, ...]:
    return checked(value, where, problems, network)


def _boolean(value: Any, where: str, problems: Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.add(where, "expected true or false")
        return None
    return value


def _count(value: Any, where: str, problems: Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(where, "expected a whole number of at least 1")
        return None
    return value


def _choice_of(allowed: Iterable[str]) -> Parser:
    allowed = tuple(allowed)
    return lambda value, where, problems: choices(value, where, problems, allowed)


def _upper_words(value: Any, where: str, problems: Problems) -> frozenset[str]:
    return frozenset(v.upper() for v in checked(value, where, problems, str))


def _text(value: Any, where: str, problems: Problems) -> str | None:
    if not isinstance(value, str) or not value:
        problems.add(where, "expected a non-empty string")
        return None
    return value


def _nested(leaf: type[Leaf[Any]], many: bool = False) -> Parser:
    def parse(value: Any, where: str, problems: Problems) -> Any:
        items = value if many and isinstance(value, list) else [value]
        built = []
        for index, item in enumerate(items):
            place = f"{where}[{index}]" if many and isinstance(value, list) else where
            if not isinstance(item, Mapping) or not item:
                problems.add(place, f"expected a non-empty mapping of `{leaf.key}` fields")
                continue
            built.append(leaf.parse(item, place, problems))
        return tuple(b for b in built if b is not None) if many else (built[0] if built else None)

    return parse


def _ok(accepted: frozenset[str], value: str) -> bool:
    return not accepted or value in accepted


def _history(clauses: tuple[FileLeaf, ...], path: str, ctx: Context,
             not_by: int | None = None) -> bool:
    """Each clause matches some event of this phase on `path` (not made by pid `not_by`)."""
    events = [f for f in ctx.files_by_path.get(path, ()) if f.pid != not_by]
    return all(any(clause.matches(f, ctx) for f in events) for clause in clauses)


def script_paths(argv: tuple[str, ...]) -> Iterator[str]:
    """Absolute paths among the words of the arguments (`sh -c "start python /tmp/x"`
    counts), except the value of a long option (`--record /tmp/...` is an output)."""
    after_option = False
    for word in " ".join(argv[1:]).split():
        word = word.strip("'\"")
        if word.startswith("/") and not after_option:
            yield word
        after_option = word.startswith("--") and "=" not in word


def _by(clause: ProcessLeaf | None, pid: int, ctx: Context) -> bool:
    """No `by` clause, or one of the programs `pid` ran matches it."""
    return clause is None or any(clause.matches(p, ctx) for p in ctx.images.get(pid, ()))


# --- trace leaves -------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessLeaf(Leaf[ProcessEvent]):
    """A program run: `executable` globs (a bare name matches the base name), `argv`
    regexes and `command` globs over the space-joined argv, `root` (started by the
    sandbox driver: pip, npm, the import helper), the `parent` or any `ancestor`
    process, `exe_history`: file clauses the executable's own path must each match in
    the same phase (written, then made executable: a dropper), and `script_history`:
    the same for a path among the arguments, written by another process (a script
    written, then interpreted; see `script_paths`)."""

    key: ClassVar[str] = "process"
    executable: GlobSet = NO_GLOBS
    argv: tuple[Pattern, ...] = ()
    command: GlobSet = NO_GLOBS
    ok: bool | None = None
    root: bool | None = None
    parent: ProcessLeaf | None = None
    ancestor: ProcessLeaf | None = None
    exe_history: tuple[FileLeaf, ...] = ()
    script_history: tuple[FileLeaf, ...] = ()

    def events(self, ctx: Context) -> Iterable[ProcessEvent]:
        return ctx.trace.processes

    def accepts(self, event: ProcessEvent, ctx: Context) -> bool:
        line = command_line(event.argv)
        if self.executable and not self.executable.match(event.executable):
            return False
        if self.argv and not search_any(self.argv, line):
            return False
        if self.command and not self.command.match(line):
            return False
        if self.ok is not None and event.ok is not self.ok:
            return False
        if self.root is not None and ctx.is_root(event) is not self.root:
            return False
        if self.parent is not None:
            parents = ctx.images.get(event.ppid, ()) if event.ppid is not None else ()
            if not any(self.parent.matches(p, ctx) for p in parents):
                return False
        if self.ancestor is not None and not any(
            self.ancestor.matches(p, ctx) for p in ctx.ancestors(event.pid)
        ):
            return False
        if self.exe_history and not _history(self.exe_history, event.executable, ctx):
            return False
        return not self.script_history or any(
            _history(self.script_history, path, ctx, not_by=event.pid)
            for path in script_paths(event.argv))

    def describe(self, event: ProcessEvent, ctx: Context) -> str:
        text = f"ran {clip(command_line(event.argv) or event.executable)}"
        if event.argv and event.executable.rsplit("/", 1)[-1] != event.argv[0].rsplit("/", 1)[-1]:
            text += f" ({clip(event.executable, 120)})"
        parents = ctx.images.get(event.ppid, ()) if event.ppid is not None else ()
        if parents:
            text += f", started by {clip(command_line(parents[-1].argv), 120)}"
        return text + ("" if event.ok else " (exec failed)")


@dataclass(frozen=True)
class FileLeaf(Leaf[FileEvent]):
    """A file event: `path` and rename/link `target` globs (`~` is the sandbox home),
    `access` kinds, `ok`, the `process` name (comm) or `by`, a clause on the program
    the accessing process runs, and `executable_mode` for chmod/create with an x bit."""

    key: ClassVar[str] = "file"
    path: GlobSet = NO_GLOBS
    access: frozenset[str] = frozenset()
    ok: bool | None = None
    process: GlobSet = NO_GLOBS
    by: ProcessLeaf | None = None
    target: GlobSet = NO_GLOBS
    executable_mode: bool | None = None

    def events(self, ctx: Context) -> Iterable[FileEvent]:
        return ctx.trace.files

    def accepts(self, event: FileEvent, ctx: Context) -> bool:
        if not _ok(self.access, event.access.value):
            return False
        if self.ok is not None and event.ok is not self.ok:
            return False
        if self.path and not self.path.match(event.path):
            return False
        if self.process and not self.process.match(event.process):
            return False
        if self.target and not (event.target and self.target.match(event.target)):
            return False
        if self.executable_mode is not None:
            executable = event.mode is not None and bool(event.mode & 0o111)
            if executable is not self.executable_mode:
                return False
        return _by(self.by, event.pid, ctx)

    def describe(self, event: FileEvent, ctx: Context) -> str:
        text = f"{event.access.value} {clip(event.path)}"
        if event.target:
            text += f" -> {clip(event.target)}"
        if event.mode is not None and event.access in (FileAccess.CHMOD, FileAccess.WRITE):
            text += f" (mode {event.mode:o})"
        if not event.ok:
            text += " (failed)"
        return text + f" by {clip(event.process, 40)} (pid {event.pid})"


FileLeaf.FIELDS = {
    "path": _globs(path_glob),
    "access": _choice_of(a.value for a in FileAccess),
    "ok": _boolean,
    "process": _globs(name_glob),
    "by": _nested(ProcessLeaf),
    "target": _globs(path_glob),
    "executable_mode": _boolean,
}
ProcessLeaf.FIELDS = {
    "executable": _globs(name_glob),
    "argv": _regexes,
    "command": _globs(text_glob),
    "ok": _boolean,
    "root": _boolean,
    "parent": _nested(ProcessLeaf),
    "ancestor": _nested(ProcessLeaf),
    "exe_history": _nested(FileLeaf, many=True),
    "script_history": _nested(FileLeaf, many=True),
}


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
        if not _ok(self.qtype, event.qtype.upper()) or not _ok(self.source, event.source):
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
    "name": _globs(host_glob),
    "regex": _regexes,
    "qtype": _upper_words,
    "label_min": _count,
    "subdomains_min": _count,
    "source": _choice_of(("trace", "resolver")),
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
        if not (_ok(self.protocol, event.protocol) and _ok(self.family, event.family)
                and _ok(self.syscall, event.syscall)):
            return False
        if self.outcome and not search_any(self.outcome, event.outcome):
            return False
        if self.process and not self.process.match(event.process):
            return False
        return _by(self.by, event.pid, ctx)

    def describe(self, event: ConnectionEvent, ctx: Context) -> str:
        where = clip(event.address, 80) + (f":{event.port}" if event.port is not None else "")
        return (f"{event.syscall} {event.protocol} {where} ({clip(event.outcome, 60)}) "
                f"by {clip(event.process, 40)} (pid {event.pid})")


ConnectionLeaf.FIELDS = {
    "address": _networks,
    "remote": _boolean,
    "port": ports,
    "protocol": _choice_of(("tcp", "udp", "unix")),
    "family": _choice_of(("inet", "inet6", "unix")),
    "syscall": _choice_of(("connect", "sendto", "bind")),
    "outcome": _regexes,
    "process": _globs(name_glob),
    "by": _nested(ProcessLeaf),
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
        if not _ok(self.method, event.method.upper()):
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
    "method": _upper_words,
    "host": _globs(host_glob),
    "url": _regexes,
    "path": _regexes,
    "body": _regexes,
    "header": _regexes,
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
        return (not self.port or event.port in self.port) and _ok(self.handshake, event.handshake)

    def describe(self, event: TlsHello, ctx: Context) -> str:
        return f"TLS ClientHello for {clip(event.sni or '(no SNI)')} on port {event.port}"


TlsLeaf.FIELDS = {
    "sni": _globs(host_glob), "port": ports, "handshake": _choice_of(("ok", "failed")),
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


StreamLeaf.FIELDS = {"port": ports, "data": _regexes}

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
            and _ok(self.channel, event.channel)
            and (not self.destination or self.destination.match(event.destination))
        )

    def describe(self, event: Leak, ctx: Context) -> str:
        return (f"honeytoken {clip(event.token, 60)} left through {clip(event.channel, 10)} "
                f"to {clip(event.destination, 200)}")


LeakLeaf.FIELDS = {
    "token": _globs(text_glob),
    "channel": _choice_of(LEAK_CHANNELS),
    "destination": _globs(text_glob),
}


# --- phase-less leaves --------------------------------------------------------------


@dataclass(frozen=True)
class SignalLeaf(Leaf[StaticSignal]):
    """A static signal: `kind` (SignalKind values), `path` globs inside the package,
    the file's `role`, regexes over the `excerpt` and the `detail`."""

    key: ClassVar[str] = "signal"
    bound: ClassVar[bool] = False
    kind: frozenset[str] = frozenset()
    path: GlobSet = NO_GLOBS
    role: frozenset[str] = frozenset()
    excerpt: tuple[Pattern, ...] = ()
    detail: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[StaticSignal]:
        return ctx.result.static_signals

    def accepts(self, event: StaticSignal, ctx: Context) -> bool:
        return (
            _ok(self.kind, event.kind.value)
            and (not self.path or self.path.match(event.path))
            and _ok(self.role, event.role.value)
            and (not self.excerpt or search_any(self.excerpt, event.excerpt))
            and (not self.detail or search_any(self.detail, event.detail))
        )

    def describe(self, event: StaticSignal, ctx: Context) -> str:
        where = clip(event.path, 160) + (f":{event.line}" if event.line is not None else "")
        text = f"{where}: {event.kind.value}"
        if event.detail:
            text += f" ({clip(event.detail, 120)})"
        if event.excerpt:
            text += f": {clip(event.excerpt, 160)}"
        return text


SignalLeaf.FIELDS = {
    "kind": _choice_of(k.value for k in SignalKind),
    "path": _globs(path_glob),
    "role": _choice_of(r.value for r in FileRole),
    "excerpt": _regexes,
    "detail": _regexes,
}


@dataclass(frozen=True)
class MetadataLeaf(Leaf[tuple[str, str]]):
    """A registry or archive metadata `field` whose value matches a `regex`
    (without `regex`: the field is present)."""

    key: ClassVar[str] = "metadata"
    bound: ClassVar[bool] = False
    field: str | None = None
    regex: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[tuple[str, str]]:
        return ctx.result.metadata.items()

    def accepts(self, event: tuple[str, str], ctx: Context) -> bool:
        key, value = event
        return (self.field is None or key == self.field) and (
            not self.regex or search_any(self.regex, value)
        )

    def describe(self, event: tuple[str, str], ctx: Context) -> str:
        return f"metadata {clip(event[0], 40)}: {clip(event[1], 200)}"


MetadataLeaf.FIELDS = {"field": _text, "regex": _regexes}


@dataclass(frozen=True)
class TyposquatLeaf(Leaf[Typosquat]):
    """The package name imitates a popular one: `kind` of imitation, `distance_max`."""

    key: ClassVar[str] = "typosquat"
    bound: ClassVar[bool] = False
    kind: frozenset[str] = frozenset()
    distance_max: int | None = None

    def events(self, ctx: Context) -> Iterable[Typosquat]:
        squat = ctx.result.typosquat
        return () if squat is None else (squat,)

    def accepts(self, event: Typosquat, ctx: Context) -> bool:
        return _ok(self.kind, event.kind) and (
            self.distance_max is None or event.distance <= self.distance_max
        )

    def describe(self, event: Typosquat, ctx: Context) -> str:
        return (f"the name {clip(ctx.result.package.name, 100)} imitates the popular package "
                f"{clip(event.target, 100)} ({event.kind}, distance {event.distance})")


TyposquatLeaf.FIELDS = {"kind": _choice_of(k.value for k in SquatKind), "distance_max": _count}

LEAVES: dict[str, type[Leaf[Any]]] = {
    leaf.key: leaf
    for leaf in (FileLeaf, ProcessLeaf, DnsLeaf, ConnectionLeaf, HttpLeaf, TlsLeaf, StreamLeaf,
                 LeakLeaf, SignalLeaf, MetadataLeaf, TyposquatLeaf)
}
