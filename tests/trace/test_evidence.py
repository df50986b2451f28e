"""The trace stage hands back each phase's evidence: both sources merged, leaks found."""

from __future__ import annotations

from pathlib import Path

from analyzer.baits import Canary
from analyzer.models import Phase
from analyzer.protocol import DnsEvent, HttpEvent
from analyzer.trace.evidence import phase_evidence
from analyzer.trace.network_log import PhaseWindow
from analyzer.trace.parse import parse_trace_file

PHASES_LOG = Path(__file__).parents[1] / "data" / "strace" / "phases.boot.txt"
SECRET = Canary("aws-secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY0001")


def test_simulator_events_join_the_phase_they_fell_in_and_a_sent_canary_is_a_leak() -> None:
    trace = parse_trace_file(PHASES_LOG)
    windows = [PhaseWindow(Phase.INSTALL, 10.0, 20.0), PhaseWindow(Phase.IMPORT, 20.0, 30.0)]
    events = [
        DnsEvent(12.0, "files.example.net", "A"),
        HttpEvent(25.0, 80, False, None, "POST", "/c", "collect.example.net",
                  (("Content-Type", "text/plain"),), SECRET.value.encode(), False),
        DnsEvent(5.0, "before.example.net", "A"),  # before any phase: no phase's
        DnsEvent(45.0, "after.example.net", "A"),  # a straggler: the last phase's
    ]
    evidence = phase_evidence(trace, windows, events, [SECRET])
    assert list(evidence.phases) == [Phase.INSTALL, Phase.IMPORT]
    install, imported = evidence.phases[Phase.INSTALL], evidence.phases[Phase.IMPORT]
    assert "files.example.net" in {q.name for q in install.network.dns}
    assert "before.example.net" not in {q.name for p in evidence.phases.values()
                                        for q in p.network.dns}
    assert "after.example.net" in {q.name for q in imported.network.dns}
    assert [r.host for r in imported.network.http] == ["collect.example.net"]
    assert [leak.token for leak in imported.leaks] == ["aws-secret-access-key"]
    assert install.leaks == ()
    assert "collect.example.net" in evidence.iocs.domains
    assert evidence.stats == trace.stats
