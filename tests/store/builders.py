"""Real model objects for tests: releases as feeds report them, results as analyses end."""

from __future__ import annotations

import hashlib

from analyzer.feeds.interface import Release, ReleaseFile
from analyzer.models import (
    AnalysisResult,
    Ecosystem,
    Finding,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    Resources,
    Severity,
    TraceStats,
    Verdict,
)
from analyzer.store.releases import PlannedRelease


def release(name: str, version: str = "1.0.0", ecosystem: Ecosystem = Ecosystem.PYPI,
            gone: bool = False) -> Release:
    filename = f"{name}-{version}.tar.gz" if ecosystem is Ecosystem.PYPI else f"{name}.tgz"
    return Release(ecosystem, name, version, 1_700_000_000.0,
                   (ReleaseFile(filename, "sdist", f"https://example/{filename}"),), gone=gone)


def planned(name: str, version: str = "1.0.0", ecosystem: Ecosystem = Ecosystem.PYPI,
            priority: int = 0, gone: bool = False) -> PlannedRelease:
    return PlannedRelease(release(name, version, ecosystem, gone), priority,
                          {"install_hooks": False, "first_release": False, "typosquat": None})


def analysis_result(ecosystem: Ecosystem, name: str, version: str,
                    verdict: Verdict | None = Verdict.BENIGN, filename: str | None = None,
                    findings: tuple[Finding, ...] = ()) -> AnalysisResult:
    """What `Analyzer.analyze` returns for a package that installed and imported quietly."""
    filename = filename or f"{name}-{version}.tar.gz"
    sha256 = hashlib.sha256(f"{ecosystem.value}:{name}:{version}".encode()).hexdigest()
    phases = tuple(
        PhaseResult(phase, PhaseStatus.SKIPPED if phase is Phase.EXECUTE else PhaseStatus.COMPLETED,
                    0.01, None if phase is Phase.EXECUTE else 0, PhaseTrace(),
                    Resources(None, None))
        for phase in Phase)
    return AnalysisResult(
        package=PackageRef(ecosystem, name, version, sha256, filename),
        started_at="2024-01-01T00:00:00+00:00", duration_s=0.02, phases=phases,
        dependencies=(), trace_stats=TraceStats(0, 0, 0, 0), verdict=verdict,
        score=90.0 if verdict is Verdict.MALICIOUS else 0.0, findings=findings)


EXFIL = Finding("exfiltrates-secrets", Severity.CRITICAL, Phase.INSTALL,
                "sends ~/.aws/credentials to a remote host", ("POST http://evil.example/x",))
