"""Typed objects that pass between the stages: fetch -> sandbox -> trace -> detect -> report."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# Ecosystems, verdicts and severities are named by command parsers too: kept light.
from analyzer.kinds import FLAGGED as FLAGGED
from analyzer.kinds import Ecosystem as Ecosystem
from analyzer.kinds import Severity as Severity
from analyzer.kinds import Verdict as Verdict

# The phases and their outcomes are the driver's words too: defined with the protocol.
from analyzer.protocol import Phase as Phase
from analyzer.protocol import PhaseStatus as PhaseStatus

if TYPE_CHECKING:
    from analyzer.baseline.interface import ChangeSet, Inventory
    from analyzer.signals import StaticSignal


class FileAccess(enum.StrEnum):
    READ = "read"
    WRITE = "write"  # opened for writing an existing file, or created
    DELETE = "delete"
    RENAME = "rename"
    CHMOD = "chmod"
    MKDIR = "mkdir"
    LINK = "link"


# --- what fetch hands to the sandbox -------------------------------------------------


@dataclass(frozen=True)
class PackageRef:
    """Which package version this is; `sha256` is of the artifact that was analysed."""

    ecosystem: Ecosystem
    name: str
    version: str
    sha256: str
    filename: str


@dataclass(frozen=True)
class Dependency:
    """A dependency prepared on the host, or the reason it could not be."""

    name: str
    version: str | None
    filename: str | None
    missing_reason: str | None = None


@dataclass(frozen=True)
class FetchedPackage:
    """A package ready for the sandbox: the artifact plus its dependencies, all on local disk.

    `dependency_dir` holds wheels (PyPI) or an npm cache (npm) the sandbox installs
    from offline.
    """

    ref: PackageRef
    artifact: Path
    dependency_dir: Path
    dependencies: tuple[Dependency, ...]
    metadata: dict[str, str] = field(default_factory=dict)


# --- what the trace says happened ----------------------------------------------------


@dataclass(frozen=True)
class FileEvent:
    pid: int
    process: str
    path: str
    access: FileAccess
    ok: bool
    target: str | None = None  # rename/link destination
    mode: int | None = None  # chmod mode, or create mode


@dataclass(frozen=True)
class ProcessEvent:
    pid: int
    ppid: int | None
    executable: str
    argv: tuple[str, ...]
    ok: bool


@dataclass(frozen=True)
class ConnectionEvent:
    pid: int
    process: str
    family: str  # "inet" | "inet6" | "unix"
    protocol: str  # "tcp" | "udp" | "unix"
    address: str
    port: int | None
    outcome: str  # "connected" | "in-progress" | errno text
    syscall: str  # "connect" | "sendto" | "bind"


@dataclass(frozen=True)
class DnsQuery:
    name: str
    qtype: str
    pid: int | None
    source: str  # "trace" (seen leaving a process) | "resolver" (answered by the simulator)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    host: str
    headers: tuple[tuple[str, str], ...]
    body: str
    body_sha256: str
    body_truncated: bool


@dataclass(frozen=True)
class TlsHello:
    sni: str | None
    alpn: tuple[str, ...]
    port: int
    handshake: str = "ok"  # "failed": the client refused the sandbox's certificate


@dataclass(frozen=True)
class TcpStream:
    """The first bytes of a connection that was neither HTTP nor TLS (a reverse shell, IRC...)."""

    port: int
    data: str  # decoded as latin-1 so every byte survives; shown as text, never run
    sni: str | None = None


@dataclass(frozen=True)
class NetworkActivity:
    dns: tuple[DnsQuery, ...] = ()
    connections: tuple[ConnectionEvent, ...] = ()
    http: tuple[HttpRequest, ...] = ()
    tls: tuple[TlsHello, ...] = ()
    streams: tuple[TcpStream, ...] = ()


@dataclass(frozen=True)
class Leak:
    """A honeytoken's canary value seen leaving the package's hands: proof of theft."""

    token: str  # which bait, e.g. "aws-secret-access-key", "ssh-private-key"
    channel: str  # "http" | "dns" | "tls" | "tcp" | "argv" | "file"
    destination: str  # host, URL, file path or command line it went to
    pid: int | None


@dataclass(frozen=True)
class PhaseTrace:
    """Everything the package's processes did in one phase (the driver's own work excluded)."""

    files: tuple[FileEvent, ...] = ()
    processes: tuple[ProcessEvent, ...] = ()
    network: NetworkActivity = NetworkActivity()
    leaks: tuple[Leak, ...] = ()


@dataclass(frozen=True)
class TraceStats:
    lines: int
    syscall_lines: int
    unparsed_lines: int
    bytes: int
    unparsed_samples: tuple[str, ...] = ()  # up to 20 raw lines that did not parse, as data


# --- what the sandbox run produced ---------------------------------------------------


@dataclass(frozen=True)
class Resources:
    peak_memory_mb: float | None
    cpu_s: float | None


@dataclass(frozen=True)
class PhaseResult:
    phase: Phase
    status: PhaseStatus
    duration_s: float
    exit_code: int | None
    trace: PhaseTrace
    resources: Resources
    output_tail: str = ""  # last lines of the phase's stdout+stderr, for a reviewer
    # What was forced for the package's code to run: stand-ins handed out for missing
    # modules and Windows-only names, an install without dependencies, the persona.
    forced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    phase: Phase | None  # None: a static or metadata finding
    title: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Typosquat:
    target: str
    distance: int
    kind: str


@dataclass(frozen=True)
class Iocs:
    domains: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysisResult:
    """One analysis of one package version. `verdict` is None until rules have been applied."""

    package: PackageRef
    started_at: str  # ISO 8601, UTC
    duration_s: float
    phases: tuple[PhaseResult, ...]
    dependencies: tuple[Dependency, ...]
    trace_stats: TraceStats
    verdict: Verdict | None = None
    score: float | None = None
    findings: tuple[Finding, ...] = ()
    iocs: Iocs = Iocs()
    typosquat: Typosquat | None = None
    static_signals: tuple[StaticSignal, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)  # registry/archive metadata
    notes: tuple[str, ...] = ()  # what the sandbox could not do, for a reviewer to weigh
    error: str | None = None
    inventory: Inventory | None = None  # the artifact's files, scripts, entry points
    changes: ChangeSet | None = None  # against the previous release, when one was compared

    def phase(self, phase: Phase) -> PhaseResult | None:
        return next((p for p in self.phases if p.phase is phase), None)
