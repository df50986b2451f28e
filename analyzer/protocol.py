"""The host<->sandbox protocol: the spec the host gives the driver, what the driver and the
network simulator send back, and the names and bounds both sides use.

Stdlib only and self-contained: the images hold it next to driver.py (sandbox_images/driver/
protocol.py links here), where the driver imports it as `protocol`; the host imports it as
`analyzer.protocol`. What comes back was written where a hostile package ran: each
`from_json` checks types and bounds and raises ProtocolError, and never takes a string
for a path. The host counts what it refuses (analyzer/sandbox/driver_output.py).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
import re
from dataclasses import dataclass
from typing import Any, TypeVar


class Phase(enum.StrEnum):
    INSTALL = "install"
    IMPORT = "import"
    EXECUTE = "execute"
    PERSONA = "persona"  # install scripts and imports once more, as if on Windows


class PhaseStatus(enum.StrEnum):
    COMPLETED = "completed"
    ERROR = "error"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"


# Where the host binds each folder inside the sandbox.
SPEC_DIR = "/in/spec"  # read-only, root-only inside: the run's CA key and canaries
SPEC_FILE = "spec.json"
ARTIFACT_DIR = "/in/artifact"
DEPS_DIR = "/in/deps"
OUT_DIR = "/out"  # the one writable bind mount: on the host's disk, it outlives the sandbox
# In OUT_DIR: the driver's progress, one line per phase start and end, and the simulator's
# event log (netsim.py writes it, up to MAX_NETWORK_LOG).
PROGRESS_LOG = "progress.jsonl"
NETSIM_LOG = "netsim/events.jsonl"

# The driver's one result line on its stdout.
RESULT_PREFIX = "PKGSANDBOX-RESULT "
# The driver opens MARKER_DIR/<state> (the path does not exist; the failed open in the
# strace log is the marker) right before it starts that state's processes: SETUP_STATE
# (the driver's own helpers), each Phase value, then DONE_STATE. The trace parser
# (analyzer/trace/tree.py) takes the first process that opens a marker as the driver,
# honours its markers only, and puts each process the driver starts afterwards, with
# its descendants, in the current state; setup's, and the driver's own, are left out.
MARKER_DIR = "/.pkgsandbox-marker"
SETUP_STATE = "setup"
DONE_STATE = "done"

# Bounds on what comes back.
TAIL_CHARS = 8192  # of a phase's output (the driver keeps as many bytes)
MAX_FORCED = 200
MAX_FORCED_CHARS = 200
MAX_NOTES = 20
MAX_NOTE_CHARS = 500
MAX_RESULT_BYTES = 2**20  # the result line: tails and notes, a few tens of kB
MAX_PROGRESS_LOG = 2**20
MAX_NETWORK_LOG = 16 * 2**20
MAX_NETWORK_EVENTS = 5000
MAX_HEADERS = 100

# A login name and a file name: nothing that could climb out of a folder.
_LOGIN = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_FILE_NAME = re.compile(r"[^/\0]{1,255}")


class ProtocolError(ValueError):
    """A message that does not fit the protocol."""


E = TypeVar("E", bound=enum.StrEnum)


# --- checks -------------------------------------------------------------------------


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not an object")
    return value


def _field(item: dict[str, Any], key: str, default: object = ...) -> object:
    if key in item:
        return item[key]
    if default is ...:
        raise ProtocolError(f"{key} is missing")
    return default


def _text(item: dict[str, Any], key: str, limit: int, default: object = ...) -> str:
    value = _field(item, key, default)
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not a string")
    return value[:limit]


def _optional_text(item: dict[str, Any], key: str, limit: int) -> str | None:
    value = _field(item, key, None)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"{key} is not a string")
    return value[:limit]


def _integer(item: dict[str, Any], key: str, low: int, high: int) -> int:
    value = _field(item, key)
    # bool is an int to Python, not to the protocol.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ProtocolError(f"{key} is not an integer in [{low}, {high}]")
    return value


def _moment(item: dict[str, Any], key: str) -> float:
    value = _field(item, key)
    try:
        # An integer of 400 digits is JSON too: float() overflows on it.
        moment = float(value) if isinstance(value, int | float) \
            and not isinstance(value, bool) else math.nan
    except OverflowError:
        moment = math.nan
    if not math.isfinite(moment):
        raise ProtocolError(f"{key} is not a finite number")
    return moment


def _flag(item: dict[str, Any], key: str, default: object = ...) -> bool:
    value = _field(item, key, default)
    if not isinstance(value, bool):
        raise ProtocolError(f"{key} is not a boolean")
    return value


def _texts(item: dict[str, Any], key: str, count: int, limit: int) -> tuple[str, ...]:
    value = _field(item, key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProtocolError(f"{key} is not a list of strings")
    return tuple(v[:limit] for v in value[:count])


def _base64(item: dict[str, Any], key: str) -> bytes:
    value = _text(item, key, MAX_NETWORK_LOG)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(f"{key} is not base64") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _enum(item: dict[str, Any], key: str, kind: type[E]) -> E:
    value = _field(item, key)
    if not isinstance(value, str) or value not in kind.__members__.values():
        raise ProtocolError(f"{key} is not a {kind.__name__}")
    return kind(value)


def json_document(text: str | bytes) -> object:
    """A JSON value, or ProtocolError; a value nested a million deep is one too."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("not JSON") from None


# --- host -> driver: the spec -------------------------------------------------------


@dataclass(frozen=True)
class PlantedFile:
    path: str  # relative to the home folder
    content: str
    mode: int = 0o600

    def __post_init__(self) -> None:
        if not self.path or self.path.startswith("/") or "\0" in self.path \
                or ".." in self.path.split("/"):
            raise ProtocolError(f"planted file path {self.path[:100]!r} leaves the home")

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "content": self.content, "mode": self.mode}

    @classmethod
    def from_json(cls, value: object) -> PlantedFile:
        item = _object(value, "a planted file")
        return cls(_text(item, "path", 4096), _text(item, "content", 2**24),
                   _integer(item, "mode", 0, 0o777))


@dataclass(frozen=True)
class Spec:
    """What the driver is to do in one run; root-only inside (it holds the CA key)."""

    ecosystem: str  # an Ecosystem value
    user: str  # the login the package runs as
    name: str  # the package's name
    artifact: str  # a file name in ARTIFACT_DIR
    phases: tuple[Phase, ...]
    timeouts: tuple[tuple[Phase, float], ...]
    ca_cert: str
    ca_key: str
    files: tuple[PlantedFile, ...] = ()
    windows_files: tuple[PlantedFile, ...] = ()  # laid only for the persona pass
    env: tuple[tuple[str, str], ...] = ()
    simulate_network: bool = True  # off only to measure what the simulator costs

    def __post_init__(self) -> None:
        if not _LOGIN.fullmatch(self.user):
            raise ProtocolError(f"user {self.user[:40]!r} is not a login name")
        if not _FILE_NAME.fullmatch(self.artifact) or self.artifact in (".", ".."):
            raise ProtocolError(f"artifact {self.artifact[:100]!r} is not a file name")
        if set(self.phases) - {p for p, _ in self.timeouts}:
            raise ProtocolError("a phase has no timeout")

    def timeout(self, phase: Phase) -> float:
        return dict(self.timeouts)[phase]

    def to_json(self) -> str:
        return json.dumps({
            "ecosystem": self.ecosystem, "user": self.user, "name": self.name,
            "artifact": self.artifact, "phases": list(self.phases),
            "timeouts": dict(self.timeouts), "ca_cert": self.ca_cert, "ca_key": self.ca_key,
            "bait": {"files": [f.to_json() for f in self.files],
                     "windows_files": [f.to_json() for f in self.windows_files],
                     "env": dict(self.env)},
            "simulate_network": self.simulate_network,
        })

    @classmethod
    def from_json(cls, text: str | bytes) -> Spec:
        item = _object(json_document(text), "the spec")
        phases = item.get("phases")
        timeouts = _object(item.get("timeouts"), "timeouts")
        bait = _object(item.get("bait", {}), "bait")
        env = _object(bait.get("env", {}), "env")
        if not isinstance(phases, list) or not all(isinstance(v, str) for v in env.values()):
            raise ProtocolError("phases is not a list, or env holds a non-string")
        try:
            parsed = tuple(Phase(p) for p in phases)
            limits = tuple((Phase(p), float(s)) for p, s in timeouts.items())
        except (ValueError, TypeError):
            raise ProtocolError("a phase or a timeout is not one") from None
        return cls(
            ecosystem=_text(item, "ecosystem", 20), user=_text(item, "user", 40),
            name=_text(item, "name", 1024), artifact=_text(item, "artifact", 255),
            phases=parsed, timeouts=limits,
            ca_cert=_text(item, "ca_cert", 2**16), ca_key=_text(item, "ca_key", 2**16),
            files=tuple(PlantedFile.from_json(f) for f in _list(bait, "files")),
            windows_files=tuple(PlantedFile.from_json(f) for f in _list(bait, "windows_files")),
            env=tuple(env.items()),
            simulate_network=_flag(item, "simulate_network", True),
        )


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key, [])
    if not isinstance(value, list):
        raise ProtocolError(f"{key} is not a list")
    return value


# --- driver -> host: phases ---------------------------------------------------------


@dataclass(frozen=True)
class PhaseStarted:
    """A progress line: the driver starts a phase."""

    phase: Phase
    started: float

    def to_json(self) -> str:
        return json.dumps({"phase": self.phase, "started": self.started})

    @classmethod
    def from_json(cls, value: object) -> PhaseStarted:
        item = _object(value, "a phase start")
        return cls(_enum(item, "phase", Phase), _moment(item, "started"))


@dataclass(frozen=True)
class PhaseReport:
    """One phase as the driver saw it: status, exit code, wall-clock bounds, output tail,
    and what the exercisers forced to run (stand-ins, an install without dependencies)."""

    phase: Phase
    status: PhaseStatus
    exit_code: int | None
    started: float
    ended: float
    output_tail: str = ""
    forced: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(self.to_json_object())

    def to_json_object(self) -> dict[str, object]:
        return {"phase": self.phase, "status": self.status, "exit_code": self.exit_code,
                "started": self.started, "ended": self.ended, "output_tail": self.output_tail,
                "forced": list(self.forced)}

    @classmethod
    def from_json(cls, value: object) -> PhaseReport:
        item = _object(value, "a phase report")
        tail = _field(item, "output_tail", "")
        if not isinstance(tail, str):
            raise ProtocolError("output_tail is not a string")
        exit_code = None if item.get("exit_code") is None else \
            _integer(item, "exit_code", -2**31, 2**31)
        return cls(
            phase=_enum(item, "phase", Phase), status=_enum(item, "status", PhaseStatus),
            exit_code=exit_code, started=_moment(item, "started"), ended=_moment(item, "ended"),
            output_tail=tail[-TAIL_CHARS:],
            forced=_texts(item, "forced", MAX_FORCED, MAX_FORCED_CHARS),
        )


def progress_record(value: object) -> PhaseStarted | PhaseReport:
    """A progress line: a report once the phase has a status, a start before."""
    return PhaseReport.from_json(value) if isinstance(value, dict) and "status" in value \
        else PhaseStarted.from_json(value)


@dataclass(frozen=True)
class DriverResult:
    """The driver's last word: its phases and what it could not do (notes)."""

    phases: tuple[PhaseReport, ...]
    notes: tuple[str, ...] = ()

    def to_line(self) -> str:
        document = {"phases": [p.to_json_object() for p in self.phases],
                    "notes": list(self.notes)}
        return RESULT_PREFIX + json.dumps(document) + "\n"


# --- simulator -> host: network events ----------------------------------------------


@dataclass(frozen=True)
class DnsEvent:
    t: float
    name: str
    qtype: str
    transport: str = "udp"

    def to_json(self) -> str:
        return json.dumps({"kind": "dns", "t": self.t, "name": self.name, "qtype": self.qtype,
                           "transport": self.transport})

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> DnsEvent:
        return cls(_moment(item, "t"), _text(item, "name", 1024), _text(item, "qtype", 16),
                   _text(item, "transport", 8, "udp"))


@dataclass(frozen=True)
class HttpEvent:
    t: float
    port: int
    tls: bool
    sni: str | None
    method: str
    path: str
    host: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool

    def to_json(self) -> str:
        return json.dumps({
            "kind": "http", "t": self.t, "port": self.port, "tls": self.tls, "sni": self.sni,
            "method": self.method, "path": self.path, "host": self.host,
            "headers": [list(h) for h in self.headers], "body": _b64(self.body),
            "truncated": self.truncated})

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> HttpEvent:
        headers = _field(item, "headers", [])
        if not isinstance(headers, list) or not all(
                isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h)
                for h in headers):
            raise ProtocolError("headers is not a list of [name, value] strings")
        return cls(
            t=_moment(item, "t"), port=_integer(item, "port", 0, 65535),
            tls=_flag(item, "tls", False), sni=_optional_text(item, "sni", 255),
            method=_text(item, "method", 16), path=_text(item, "path", 4096),
            host=_text(item, "host", 255, ""),
            headers=tuple((k[:256], v[:4096]) for k, v in headers[:MAX_HEADERS]),
            body=_base64(item, "body"), truncated=_flag(item, "truncated", False),
        )


@dataclass(frozen=True)
class TlsEvent:
    t: float
    port: int
    sni: str | None
    alpn: tuple[str, ...]
    handshake: str  # "ok", or "failed": the client refused the run's certificate
    error: str = ""  # why it failed, as the simulator's TLS library said

    def to_json(self) -> str:
        return json.dumps({"kind": "tls", "t": self.t, "port": self.port, "sni": self.sni,
                           "alpn": list(self.alpn), "handshake": self.handshake,
                           "error": self.error})

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> TlsEvent:
        handshake = _text(item, "handshake", 8)
        if handshake not in ("ok", "failed"):
            raise ProtocolError("handshake is neither ok nor failed")
        return cls(_moment(item, "t"), _integer(item, "port", 0, 65535),
                   _optional_text(item, "sni", 255), _texts(item, "alpn", 10, 32), handshake,
                   _text(item, "error", 200, ""))


@dataclass(frozen=True)
class TcpEvent:
    """The first bytes of a stream that was neither HTTP nor TLS (or TLS, then not HTTP)."""

    t: float
    port: int
    data: bytes
    sni: str | None = None

    def to_json(self) -> str:
        return json.dumps({"kind": "tcp", "t": self.t, "port": self.port,
                           "bytes": _b64(self.data), "sni": self.sni})

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> TcpEvent:
        return cls(_moment(item, "t"), _integer(item, "port", 0, 65535),
                   _base64(item, "bytes"), _optional_text(item, "sni", 255))


NetworkEvent = DnsEvent | HttpEvent | TlsEvent | TcpEvent
EVENT_KINDS: dict[str, type[DnsEvent] | type[HttpEvent] | type[TlsEvent] | type[TcpEvent]] = {
    "dns": DnsEvent, "http": HttpEvent, "tls": TlsEvent, "tcp": TcpEvent}
# Written by the simulator for its own diagnosis (a failed stream, an unreadable DNS
# packet); not evidence the host reads.
DIAGNOSTIC_KINDS = frozenset({"tcp-error", "dns-malformed"})


def network_event(line: str | bytes) -> NetworkEvent | None:
    """One line of the simulator's log; None for a diagnostic line, ProtocolError when it
    is not an event."""
    item = _object(json_document(line), "an event")
    kind = item.get("kind")
    if not isinstance(kind, str):  # a list cannot even be looked up
        raise ProtocolError("kind is not a string")
    if kind in DIAGNOSTIC_KINDS:
        return None
    if kind not in EVENT_KINDS:
        raise ProtocolError("kind is not an event kind")
    return EVENT_KINDS[kind].from_json(item)
