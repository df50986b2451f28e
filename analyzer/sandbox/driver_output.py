"""What comes back from the sandbox, validated once: the driver's result line, its progress
log and the network simulator's event log, as the protocol's typed objects.

All of it was written where a hostile package ran. Each entry goes through the protocol's
`from_json` (types and bounds); one that does not fit is counted and left out, and the
rest is kept, so a forged line can neither crash the analysis nor hide what lies around it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from analyzer.protocol import (
    MAX_NETWORK_EVENTS,
    MAX_NETWORK_LOG,
    MAX_NOTE_CHARS,
    MAX_NOTES,
    MAX_PROGRESS_LOG,
    RESULT_PREFIX,
    NetworkEvent,
    Phase,
    PhaseReport,
    PhaseStarted,
    PhaseStatus,
    ProtocolError,
    json_document,
    network_event,
    progress_record,
)

_PREFIX = RESULT_PREFIX.encode()
T = TypeVar("T")


@dataclass(frozen=True)
class DriverOutput:
    """The phases the driver reported, from its result line or, when it gave none, from
    its progress log."""

    phases: tuple[PhaseReport, ...]
    notes: tuple[str, ...] = ()
    malformed: int = 0  # entries that did not fit (a whole unreadable line counts once)
    died_in: Phase | None = None  # the phase it started and never finished (progress log)


@dataclass(frozen=True)
class NetworkLog:
    events: tuple[NetworkEvent, ...]
    malformed: int = 0
    left_out: int = 0  # valid events past MAX_NETWORK_EVENTS


def read_result(output: bytes) -> DriverOutput | None:
    """The driver's last result line on its stdout; None when it wrote none."""
    lines = [line for line in output.splitlines() if line.startswith(_PREFIX)]
    if not lines:
        return None
    try:
        document = json_document(lines[-1][len(_PREFIX):])
    except ProtocolError:
        return DriverOutput((), malformed=1)
    if not isinstance(document, dict):
        return DriverOutput((), malformed=1)
    phases, bad_phases = _entries(document.get("phases"), PhaseReport.from_json)
    notes, bad_notes = _entries(document.get("notes", []), _note)
    return DriverOutput(phases, notes[:MAX_NOTES], bad_phases + bad_notes)


def _note(value: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError("a note is not a string")
    return value[:MAX_NOTE_CHARS]


def _entries(value: object, parse: Callable[[object], T]) -> tuple[tuple[T, ...], int]:
    """The entries of a list that parse, and how many did not (a non-list counts once)."""
    if not isinstance(value, list):
        return (), 1
    kept: list[T] = []
    for item in value:
        try:
            kept.append(parse(item))
        except ProtocolError:
            continue
    return tuple(kept), len(value) - len(kept)


def read_progress(path: Path) -> DriverOutput:
    """The phases the driver finished before it died, from its progress log; the phase it
    had started and not finished is an error (its trace and network still count)."""
    finished: list[PhaseReport] = []
    running: PhaseStarted | None = None
    malformed = 0
    for line in _lines(path, MAX_PROGRESS_LOG):
        try:
            record = progress_record(json_document(line))
        except ProtocolError:
            malformed += 1
            continue
        if isinstance(record, PhaseReport):
            finished.append(record)
            running = None
        else:
            running = record
    if running is not None:
        finished.append(PhaseReport(running.phase, PhaseStatus.ERROR, None, running.started,
                                    time.time()))
    return DriverOutput(tuple(finished), malformed=malformed,
                        died_in=running.phase if running else None)


def started_phases(path: Path) -> list[Phase]:
    """The phases the progress log says the driver has started, in order."""
    started: list[Phase] = []
    for line in _lines(path, MAX_PROGRESS_LOG):
        try:
            record = progress_record(json_document(line))
        except ProtocolError:
            continue
        if isinstance(record, PhaseStarted):
            started.append(record.phase)
    return started


def run_phases(output: DriverOutput | None, phases: tuple[Phase, ...],
               started: float) -> tuple[PhaseReport, ...]:
    """Each phase of the run: as reported, else what its absence means."""
    reported = {p.phase: p for p in output.phases} if output else {}
    now = time.time()
    if output is not None and output.died_in is not None and reported:
        # The driver died in a phase: the ones after it never started.
        return tuple(reported.get(p) or PhaseReport(p, PhaseStatus.SKIPPED, None, now, now)
                     for p in phases)
    # No word of a phase: the driver failed (ERROR); no word at all: the container was
    # ended from outside (TIMEOUT).
    missing = PhaseStatus.ERROR if output is not None else PhaseStatus.TIMEOUT
    return tuple(reported.get(p) or PhaseReport(p, missing, None, started, now) for p in phases)


def read_network_log(path: Path) -> NetworkLog:
    """The simulator's events, the first MAX_NETWORK_EVENTS of them."""
    events: list[NetworkEvent] = []
    malformed = left_out = 0
    for line in _lines(path, MAX_NETWORK_LOG):
        try:
            event = network_event(line)
        except ProtocolError:
            malformed += 1
            continue
        if event is None:
            continue
        if len(events) < MAX_NETWORK_EVENTS:
            events.append(event)
        else:
            left_out += 1
    return NetworkLog(tuple(events), malformed, left_out)


def readback_notes(driver: DriverOutput, network: NetworkLog) -> list[str]:
    """What a reviewer should know of what the sandbox sent back and the host refused."""
    notes = []
    if driver.malformed:
        notes.append(f"the driver's report held {driver.malformed} malformed entries; they "
                     "were left out")
    if network.malformed:
        notes.append(f"the network simulator's log held {network.malformed} malformed lines; "
                     "they were left out")
    if network.left_out:
        notes.append(f"the network simulator logged {MAX_NETWORK_EVENTS + network.left_out} "
                     f"events; the first {MAX_NETWORK_EVENTS} were kept")
    return notes


def _lines(path: Path, limit: int) -> Iterator[bytes]:
    """The non-blank lines of the first `limit` bytes of a file; none if it is missing.

    The folder is a bind mount the sandbox wrote into: a link there would be followed on
    the host, and a FIFO would block the read. So the name is opened without following a
    link, and read only when it is a regular file in a folder that is no link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or path.parent.is_symlink():
            return
        data = f.read(limit)
    yield from (line for line in data.splitlines() if line.strip())
