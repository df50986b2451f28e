"""What a rule sees while it is evaluated: one phase of one analysis, with lookups built once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from analyzer.models import AnalysisResult, FileEvent, Phase, PhaseTrace, ProcessEvent

EVIDENCE_CHARS = 240


@dataclass(frozen=True)
class Context:
    """One phase of `result` (or none, for static and metadata clauses).

    `images` holds, per pid, every program that pid ran (a shell that execs a program
    has two); `files_by_path` every file event of the phase on that path, a rename or
    link listed under its target too (a file moved into place was written there).
    """

    result: AnalysisResult
    phase: Phase | None
    trace: PhaseTrace
    images: Mapping[int, tuple[ProcessEvent, ...]]
    files_by_path: Mapping[str, tuple[FileEvent, ...]]
    # The driver starts one process a phase, before the package can start any: it has
    # the phase's lowest pid.
    root_pid: int | None

    @classmethod
    def build(cls, result: AnalysisResult, phase: Phase | None) -> Context:
        found = result.phase(phase) if phase is not None else None
        trace = found.trace if found is not None else PhaseTrace()
        images: defaultdict[int, list[ProcessEvent]] = defaultdict(list)
        for process in trace.processes:
            images[process.pid].append(process)
        files: defaultdict[str, list[FileEvent]] = defaultdict(list)
        for event in trace.files:
            files[event.path].append(event)
            if event.target is not None:
                files[event.target].append(event)
        return cls(
            result=result,
            phase=phase,
            trace=trace,
            images={pid: tuple(found) for pid, found in images.items()},
            files_by_path={path: tuple(found) for path, found in files.items()},
            root_pid=min(images, default=None),
        )

    def is_root(self, process: ProcessEvent) -> bool:
        """Started by the sandbox driver (pip, npm, the import helper), not by the package."""
        return process.pid == self.root_pid

    def parent_pid(self, pid: int) -> int | None:
        return next((p.ppid for p in self.images.get(pid, ()) if p.ppid is not None), None)

    def ancestors(self, pid: int) -> Iterator[ProcessEvent]:
        """Every program run by the parent of `pid`, its parent, and so on up the tree."""
        seen = {pid}
        current = self.parent_pid(pid)
        while current is not None and current not in seen:
            seen.add(current)
            yield from self.images.get(current, ())
            current = self.parent_pid(current)


def command_line(argv: tuple[str, ...]) -> str:
    """argv joined with spaces: what rules' `argv` regexes are written against."""
    return " ".join(argv)


def clip(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """Package-controlled text made safe to quote: one line, visible controls, cut short."""
    head = text[: limit * 2]
    shown = head if head.isprintable() else "".join(
        char if char.isprintable() else repr(char)[1:-1] for char in head
    )
    if len(shown) > limit or len(text) > len(head):
        return shown[:limit] + "..."
    return shown
