"""The speed probe the benchmark script calls."""

from __future__ import annotations

from analyzer.trace.bench import measure_parse_speed
from tests.trace.logs import DATA


def test_measure_parse_speed_reports_megabytes_per_second() -> None:
    speed = measure_parse_speed(DATA / "phases.boot.txt", min_seconds=0.0, max_runs=1)
    assert speed > 1.0
