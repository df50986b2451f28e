"""Raw per-line event tuples -> the typed, deduplicated events of each phase."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analyzer.models import (
    ConnectionEvent,
    DnsQuery,
    FileEvent,
    NetworkActivity,
    Phase,
    PhaseTrace,
    ProcessEvent,
)
from analyzer.trace.text import to_text

# While reading, an event is a plain tuple (cheap to make for every line); dataclasses
# are made once, for the events that survive attribution and deduplication.
#   (FILE, pid, comm, path, access, ok, target, mode)
#   (PROC, pid, executable, argv, ok)
#   (CONN, pid, comm, family, protocol, address, port, outcome, syscall)
#   (DNS, pid, name, qtype)
FILE, PROC, CONN, DNS = range(4)
RawEvents = list[tuple[Any, ...]]


class _Phase:
    __slots__ = ("files", "processes", "connections", "dns", "seen")

    def __init__(self) -> None:
        self.files: list[FileEvent] = []
        self.processes: list[ProcessEvent] = []
        self.connections: list[ConnectionEvent] = []
        self.dns: list[DnsQuery] = []
        self.seen: set[tuple[Any, ...]] = set()

    def trace(self) -> PhaseTrace:
        return PhaseTrace(
            files=tuple(self.files),
            processes=tuple(self.processes),
            network=NetworkActivity(dns=tuple(self.dns), connections=tuple(self.connections)),
        )


def build_phases(events: RawEvents, phase_of: Mapping[int, Phase | None],
                 parent: Mapping[int, int]) -> tuple[dict[Phase, PhaseTrace], int]:
    """Each phase's events in first-seen order, and how many events belonged to none.

    Identical file events (pid, path, access, ok), connections and DNS questions are
    kept once per phase; every exec is kept.
    """
    phases = {phase: _Phase() for phase in Phase}
    bucket_of = {pid: phases[phase] for pid, phase in phase_of.items() if phase is not None}
    texts: dict[bytes, str] = {}  # decoded comms and paths: most recur across processes
    dropped = 0
    for event in events:
        bucket = bucket_of.get(event[1])
        if bucket is None:
            dropped += 1
            continue
        kind = event[0]
        if kind == FILE:
            _, pid, comm, path, access, ok, target, mode = event
            key = (pid, path, access, ok)
            if key in bucket.seen:
                continue
            bucket.seen.add(key)
            bucket.files.append(FileEvent(
                pid, _text(texts, comm), _text(texts, path), access, ok,
                None if target is None else to_text(target), mode))
        elif kind == PROC:
            _, pid, executable, argv, ok = event
            bucket.processes.append(
                ProcessEvent(pid, parent.get(pid), to_text(executable), argv, ok))
        elif event not in bucket.seen:
            bucket.seen.add(event)
            if kind == CONN:
                _, pid, comm, family, protocol, address, port, outcome, syscall = event
                bucket.connections.append(ConnectionEvent(
                    pid, _text(texts, comm), family, protocol, address, port, outcome, syscall))
            else:
                _, pid, name, qtype = event
                bucket.dns.append(DnsQuery(name, qtype, pid, "trace"))
    return {phase: bucket.trace() for phase, bucket in phases.items()}, dropped


def _text(cache: dict[bytes, str], raw: bytes) -> str:
    text = cache.get(raw)
    if text is None:
        text = cache[raw] = to_text(raw)
    return text
