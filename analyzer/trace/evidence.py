"""The trace stage's output: each phase's evidence, ready for the rules.

The syscall trace (connects, DNS packets, files, processes) and what the network
simulator heard are merged per phase window, bounded (with a note when a bound cut
something), condensed, and searched for the run's honeytoken canaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from analyzer.baits import Canary
from analyzer.models import Iocs, NetworkActivity, Phase, PhaseTrace, TraceStats
from analyzer.protocol import NetworkEvent
from analyzer.trace.condense import bound_notes, collect_iocs, condense
from analyzer.trace.leaks import find_leaks
from analyzer.trace.network_log import PhaseWindow, network_by_phase
from analyzer.trace.parse import ParsedTrace


@dataclass(frozen=True)
class Evidence:
    phases: Mapping[Phase, PhaseTrace]  # each phase that ran; leaks found
    notes: tuple[str, ...]  # what a bound cut, phase by phase
    iocs: Iocs
    stats: TraceStats  # how the log read


def phase_evidence(trace: ParsedTrace, windows: Sequence[PhaseWindow],
                   simulator_events: Iterable[NetworkEvent],
                   canaries: Sequence[Canary]) -> Evidence:
    """The evidence of the phases in `windows`, in their order."""
    simulated = network_by_phase(simulator_events, windows)
    phases: dict[Phase, PhaseTrace] = {}
    notes: list[str] = []
    for window in windows:
        traced = _merge(trace.phases.get(window.phase, PhaseTrace()), simulated.get(window.phase))
        notes += bound_notes(window.phase.value, traced)
        condensed = condense(traced)
        phases[window.phase] = replace(condensed, leaks=find_leaks(condensed, canaries))
    return Evidence(phases, tuple(notes), collect_iocs(tuple(phases.values())), trace.stats)


def _merge(trace: PhaseTrace, simulated: NetworkActivity | None) -> PhaseTrace:
    """Syscall evidence (connects, DNS packets) plus what the simulator heard."""
    if simulated is None:
        return trace
    network = trace.network
    return replace(trace, network=replace(
        network,
        dns=network.dns + simulated.dns,
        http=network.http + simulated.http,
        tls=network.tls + simulated.tls,
        streams=network.streams + simulated.streams,
    ))
