"""gVisor strace logs -> typed events per phase: the trace stage's entry points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from analyzer.errors import TraceError
from analyzer.models import NetworkActivity, Phase, PhaseTrace, TraceStats
from analyzer.trace.events import build_phases
from analyzer.trace.reader import MAX_SAMPLES, TraceReader

BOOT_LOG_GLOB = "*.boot.txt"  # runsc's other logs (gofer, create, start...) hold no syscalls

# What this runsc (2022-12) does not print, so no trace can show: the data of sendto
# and sendmmsg (glibc's resolver sends its queries with them: the DNS names come from
# the network simulator's log, the trace shows the connect to port 53), and the
# address of a sendmsg. Relative paths of non-*at calls resolve only when chdir and
# fchdir are traced; otherwise they stay relative.


@dataclass(frozen=True)
class ParsedTrace:
    """Every phase's events (driver and setup helpers excluded) and how the log read.

    `orphan_processes`: process subtrees whose top never had its fork seen (a new pid
    namespace, a lost line); each is placed, descendants included, in the phase that
    was running when its top process first appeared.
    `forged_lines`: lines claiming to come from another runsc process, which only a
    traced program writing newlines into paths can produce: a tampering attempt.
    `unattributed_events`: events of the driver, its helpers, or from before the
    first phase marker.
    """

    phases: Mapping[Phase, PhaseTrace]
    stats: TraceStats
    driver_pid: int | None
    orphan_processes: int = 0
    forged_lines: int = 0
    unattributed_events: int = 0
    files: tuple[str, ...] = field(default=())  # the logs read, for a reviewer


def parse_trace_lines(lines: Iterable[str]) -> ParsedTrace:
    """Parse log lines given as text (with or without their newlines)."""
    reader = TraceReader()
    # surrogateescape gives back the exact bytes of a line that was decoded that way.
    reader.feed(line.encode("utf-8", "surrogateescape") for line in lines)
    return _finish(reader)


def parse_trace_file(path: Path) -> ParsedTrace:
    """Parse one runsc boot log. TraceError when it cannot be read at all."""
    reader = TraceReader()
    try:
        with open(path, "rb") as handle:
            reader.feed(handle)
    except OSError as error:
        reason = error.strerror or str(error)
        raise TraceError(f"cannot read the gVisor trace {path}: {reason}") from error
    return _finish(reader, (str(path),))


def parse_trace_dir(path: Path) -> ParsedTrace:
    """Parse the boot logs (`*.boot.txt`) runsc wrote into `path`, one per container."""
    if not path.is_dir():
        raise TraceError(f"no gVisor trace folder at {path}")
    logs = sorted(path.glob(BOOT_LOG_GLOB))
    if not logs:
        raise TraceError(
            f"no gVisor boot log ({BOOT_LOG_GLOB}) in {path}: was runsc run with --strace?")
    return merge([parse_trace_file(log) for log in logs])


def merge(traces: list[ParsedTrace]) -> ParsedTrace:
    """Several containers' traces as one: events concatenated, counts added."""
    if len(traces) == 1:
        return traces[0]
    phases = {}
    for phase in Phase:
        parts = [t.phases[phase] for t in traces if phase in t.phases]
        phases[phase] = PhaseTrace(
            files=tuple(e for p in parts for e in p.files),
            processes=tuple(e for p in parts for e in p.processes),
            network=NetworkActivity(
                dns=tuple(e for p in parts for e in p.network.dns),
                connections=tuple(e for p in parts for e in p.network.connections),
            ),
        )
    return ParsedTrace(
        phases=MappingProxyType(phases),
        stats=TraceStats(
            lines=sum(t.stats.lines for t in traces),
            syscall_lines=sum(t.stats.syscall_lines for t in traces),
            unparsed_lines=sum(t.stats.unparsed_lines for t in traces),
            bytes=sum(t.stats.bytes for t in traces),
            unparsed_samples=tuple(
                s for t in traces for s in t.stats.unparsed_samples)[:MAX_SAMPLES],
        ),
        driver_pid=next((t.driver_pid for t in traces if t.driver_pid is not None), None),
        orphan_processes=sum(t.orphan_processes for t in traces),
        forged_lines=sum(t.forged_lines for t in traces),
        unattributed_events=sum(t.unattributed_events for t in traces),
        files=tuple(name for t in traces for name in t.files),
    )


def _finish(reader: TraceReader, files: tuple[str, ...] = ()) -> ParsedTrace:
    tree = reader.tree
    phase_of, orphans = tree.phases({event[1] for event in reader.events})
    phases, dropped = build_phases(reader.events, phase_of, tree.parent)
    return ParsedTrace(
        phases=MappingProxyType(phases),
        stats=TraceStats(
            lines=reader.lines,
            syscall_lines=reader.syscall_lines,
            unparsed_lines=reader.unparsed_lines,
            bytes=reader.bytes,
            unparsed_samples=tuple(reader.unparsed_samples),
        ),
        driver_pid=tree.driver,
        orphan_processes=orphans,
        forged_lines=reader.forged_lines,
        unattributed_events=dropped,
        files=files,
    )
