"""Typed results the tests share: one before rules ran, one with every optional field set."""

from __future__ import annotations

from analyzer.baseline.interface import Change, ChangeKind, ChangeSet, Inventory, PackageFile
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    Dependency,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    Finding,
    HttpRequest,
    Iocs,
    Leak,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
    Severity,
    TcpStream,
    TlsHello,
    TraceStats,
    Typosquat,
    Verdict,
)
from analyzer.signals import FileRole, SignalKind, StaticSignal


def unscored_result() -> AnalysisResult:
    """A recon package as the sandbox leaves it: no verdict yet."""
    trace = PhaseTrace(
        files=(FileEvent(7, "python", "/home/dev/.ssh/id_rsa", FileAccess.READ, False),),
        processes=(ProcessEvent(8, 7, "/usr/bin/sh", ("sh", "-c", "id"), True),),
        network=NetworkActivity(connections=(
            ConnectionEvent(7, "python", "inet", "tcp", "203.0.113.5", 443, "no route to host",
                            "connect"),)),
    )
    phases = (
        PhaseResult(Phase.INSTALL, PhaseStatus.COMPLETED, 2.1, 0, trace, Resources(180.0, 1.2)),
        PhaseResult(Phase.IMPORT, PhaseStatus.TIMEOUT, 5.0, None, PhaseTrace(),
                    Resources(None, None)),
        PhaseResult(Phase.EXECUTE, PhaseStatus.SKIPPED, 0.0, None, PhaseTrace(),
                    Resources(None, None)),
    )
    return AnalysisResult(
        package=PackageRef(Ecosystem.PYPI, "recon-pkg", "0.1.0", "ab" * 32,
                           "recon-pkg-0.1.0.tar.gz"),
        started_at="2026-11-26T15:00:00+00:00", duration_s=9.5, phases=phases,
        dependencies=(Dependency("cryptography", None, None, "no wheel for this platform"),),
        trace_stats=TraceStats(lines=100, syscall_lines=90, unparsed_lines=1, bytes=20_000),
        iocs=Iocs(ips=("203.0.113.5",)),
    )


def full_result() -> AnalysisResult:
    """Every field that may be left out, given a value other than its default or None."""
    network = NetworkActivity(
        dns=(DnsQuery("c2.example", "TXT", 9, "trace"),),
        connections=(ConnectionEvent(9, "node", "inet6", "udp", "2001:db8::1", 53, "connected",
                                     "sendto"),),
        http=(HttpRequest("PUT", "https://c2.example/u", "c2.example", (("A", "1"), ("B", "")),
                          "x" * 10, "cd" * 32, True),),
        tls=(TlsHello("c2.example", ("h2", "http/1.1"), 8443, "failed"),),
        streams=(TcpStream(6667, "NICK bot\r\n\x00\xff", "irc.example"),),
    )
    trace = PhaseTrace(
        files=(FileEvent(9, "node", "/tmp/a", FileAccess.LINK, True, "/tmp/b", 0o4755),),
        processes=(ProcessEvent(9, 8, "/usr/bin/node", ("node", "-e", "1"), False),),
        network=network,
        leaks=(Leak("npm-token", "dns", "c2.example", 9),),
    )
    persona = PhaseResult(Phase.PERSONA, PhaseStatus.ERROR, 1.25, 3, trace, Resources(64.0, 0.5),
                          output_tail="Traceback ...\n",
                          forced=("persona: windows", "stand-in for winreg"))
    return AnalysisResult(
        package=PackageRef(Ecosystem.NPM, "@scope/pkg", "2.0.0-rc.1", "", "pkg-2.0.0-rc.1.tgz"),
        started_at="2025-01-02T03:04:05+00:00", duration_s=12.0, phases=(persona,),
        dependencies=(Dependency("left-pad", "1.3.0", "left-pad-1.3.0.tgz", "not needed"),),
        trace_stats=TraceStats(10, 8, 2, 999, ("garbage line", "\x1b[31mred")),
        verdict=Verdict.SUSPICIOUS, score=42.5,
        findings=(Finding("dns-txt", Severity.MEDIUM, Phase.PERSONA, "TXT lookup", ("a", "b")),),
        iocs=Iocs(("c2.example",), ("2001:db8::1",), ("https://c2.example/u",)),
        typosquat=Typosquat("@scope/pkgs", 1, "deletion"),
        static_signals=(StaticSignal(SignalKind.DNS_BEACON, "package/index.js", 1, "dns(x)",
                                     "a beacon", FileRole.CODE),),
        metadata={"description": "d", "repository": "git+https://example.invalid/r"},
        notes=("the persona pass ran",),
        error="the execute phase could not start",
        inventory=Inventory(
            files=(PackageFile("index.js", 120, "0123456789abcdef"),),
            scripts=(("postinstall", "node x.js"),), entry_points=("pkgs",),
            requirements=(("left-pad", "github:x/left-pad#main"),), truncated=True),
        changes=ChangeSet("1.2.2", (
            Change(ChangeKind.SCRIPT_CHANGED, "postinstall", "tsc", "node x.js"),
            Change(ChangeKind.DESTINATION_ADDED, "c2.example", phase=Phase.INSTALL,
                   detail="dns"),
        ), ("the baseline's execute phase did not complete (timeout)",)),
    )
