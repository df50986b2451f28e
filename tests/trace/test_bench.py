"""The speed probe the benchmark script calls."""

from __future__ import annotations

import math

from analyzer.trace.bench import measure_parse_speed
from tests.trace.logs import DATA


def test_measure_parse_speed_reports_megabytes_per_second() -> None:
    # A figure, not a bound: `make bench` prints it beside its target. (A bound here failed
    # CI once: one timed parse of 77 kB took 0.28 s late in a long test run.)
    speed = measure_parse_speed(DATA / "phases.boot.txt", min_seconds=0.0, max_runs=1)
    assert math.isfinite(speed) and speed > 0
