"""The JSON result keeps the contract of ARCHITECTURE.md."""

from __future__ import annotations

import json

from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    Dependency,
    Ecosystem,
    FileAccess,
    FileEvent,
    Iocs,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
    TraceStats,
)
from analyzer.report.json_result import SCHEMA_VERSION, result_to_dict
from analyzer.report.summary import render_summary


def sample_result() -> AnalysisResult:
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


def test_contract_fields_are_present_and_typed() -> None:
    document = json.loads(json.dumps(result_to_dict(sample_result())))
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["package"] == {"ecosystem": "pypi", "name": "recon-pkg", "version": "0.1.0",
                                   "sha256": "ab" * 32, "filename": "recon-pkg-0.1.0.tar.gz"}
    assert document["verdict"] is None and document["score"] is None
    assert document["findings"] == [] and document["typosquat"] is None
    assert set(document["phases"]) == {"install", "import", "execute"}
    install = document["phases"]["install"]
    assert {"status", "duration_s", "exit_code", "files", "processes", "network"} <= set(install)
    assert set(install["network"]) == {"dns", "connections", "http", "tls", "streams"}
    assert install["processes"][0]["argv"] == ["sh", "-c", "id"]
    assert install["network"]["connections"][0]["outcome"] == "no route to host"
    assert document["phases"]["import"]["status"] == "timeout"
    assert document["iocs"] == {"domains": [], "ips": ["203.0.113.5"], "urls": []}
    assert document["dependencies"][0]["missing_reason"] == "no wheel for this platform"


def test_summary_says_what_happened_and_escapes_control_characters() -> None:
    result = sample_result()
    text = render_summary(result)
    assert "verdict: none (no rules applied)" in text
    assert "sh -c id" in text and "203.0.113.5:443" in text
    assert "import: timeout" in text
    hostile = result.package.__class__(Ecosystem.PYPI, "evil\x1b[2J", "1", "00" * 32, "x")
    assert "\x1b" not in render_summary(type(result)(**{**result.__dict__, "package": hostile}))
