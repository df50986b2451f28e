"""A package that floods the trace must not make the result unbounded, nor hide in it."""

from __future__ import annotations

from analyzer.models import ConnectionEvent, FileAccess, FileEvent, NetworkActivity, PhaseTrace
from analyzer.trace.condense import MAX_CONNECTIONS, MAX_FILE_EVENTS, bound_notes, condense


def miss(index: int) -> FileEvent:
    return FileEvent(7, "python3", f"/home/dev/.c{index}/x{index}", FileAccess.READ, False)


def test_a_flood_of_misses_is_bounded_and_a_later_credential_read_survives() -> None:
    flood = [miss(i) for i in range(200_000)]
    same_folder = [FileEvent(7, "python3", f"/home/dev/.cache/f{i}", FileAccess.READ, False)
                   for i in range(50_000)]
    key = FileEvent(7, "python3", "/home/dev/.aws/credentials", FileAccess.READ, True)
    written = FileEvent(7, "python3", "/tmp/.x/run", FileAccess.WRITE, True)
    traced = PhaseTrace(files=(*flood, *same_folder, key, written))
    trace = condense(traced)

    assert len(trace.files) <= MAX_FILE_EVENTS
    assert key in trace.files and written in trace.files
    assert sum(1 for f in trace.files if f.path.startswith("/home/dev/.cache/")) <= 1
    assert bound_notes("install", traced)[0].startswith("install: 250002 file events were traced")


def test_connections_are_bounded_and_an_ordinary_phase_gets_no_note() -> None:
    dials = tuple(ConnectionEvent(7, "python3", "inet", "tcp", "203.0.113.9", port, "refused",
                                  "connect") for port in range(1, 60_000))
    traced = PhaseTrace(network=NetworkActivity(connections=dials))
    assert len(condense(traced).network.connections) == MAX_CONNECTIONS
    assert bound_notes("import", traced)[0].startswith("import: 59999 connection events")
    assert bound_notes("import", PhaseTrace(files=(miss(1),))) == []
