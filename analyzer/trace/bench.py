"""How fast the trace parser reads a log here: `python -m analyzer.trace.bench LOG...`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from analyzer.trace.parse import parse_trace_file


def measure_parse_speed(path: Path | str, *, min_seconds: float = 1.0, max_runs: int = 5) -> float:
    """Parsing speed of one boot log in MB/s (10**6 bytes), best of a few runs.

    Runs until `min_seconds` have passed or `max_runs` runs are done (at least one),
    so a small log is timed more than once and a large one is not read five times.
    The best run is the one least disturbed by the rest of the machine.
    """
    log = Path(path)
    size = log.stat().st_size
    best = float("inf")
    spent = 0.0
    runs = 0
    while runs < max_runs and (runs == 0 or spent < min_seconds):
        started = time.perf_counter()
        parse_trace_file(log)
        elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return size / 1e6 / max(best, 1e-9)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m analyzer.trace.bench BOOT_LOG...", file=sys.stderr)
        return 2
    for name in argv:
        size = Path(name).stat().st_size / 1e6
        print(f"{measure_parse_speed(name):8.1f} MB/s  {size:8.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
