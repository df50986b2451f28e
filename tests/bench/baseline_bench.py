"""What a baseline costs: one small npm release analysed alone, against a baseline that must
be analysed first, and against one already analysed (the store's case: the lookup is handed
the earlier result, so the figure is the release-list read plus the comparison)."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from analyzer.analysis import Analyzer
from analyzer.fetch.interface import Target
from analyzer.models import AnalysisResult, Ecosystem
from tests.bench.figures import Figure, spread
from tests.fetch.conftest import FakeRegistry, serving
from tests.packages import build_npm_tgz

NAME = "bench-baseline"


def _publish(registry: FakeRegistry, scratch: Path, version: str) -> None:
    source = scratch / version
    source.mkdir()
    (source / "package.json").write_text(json.dumps(
        {"name": NAME, "version": version, "main": "index.js"}))
    (source / "index.js").write_text(f"module.exports = {{version: {version!r}}};\n")
    registry.add_npm(NAME, version, build_npm_tgz(source, scratch))


def measure_baseline_cost(runs: int) -> list[Figure]:
    alone: list[float] = []
    analysed: list[float] = []
    stored: list[float] = []
    with serving() as registry, tempfile.TemporaryDirectory(prefix="pkgsandbox-bench-") as tmp:
        scratch = Path(tmp)
        _publish(registry, scratch, "1.0.0")
        _publish(registry, scratch, "1.0.1")
        current = Target(Ecosystem.NPM, NAME, "1.0.1")
        earlier: dict[str, AnalysisResult] = {}
        for _ in range(runs):
            for figures, baseline in ((alone, None), (analysed, "auto")):
                started = time.monotonic()
                result = Analyzer(urls=registry.urls).analyze(current, baseline)
                figures.append(time.monotonic() - started)
            if result.changes is None:
                raise RuntimeError(f"no change set: {result.notes}")
            earlier.setdefault("1.0.0", Analyzer(urls=registry.urls).analyze(
                Target(Ecosystem.NPM, NAME, "1.0.0")))
            started = time.monotonic()
            Analyzer(urls=registry.urls, stored=lambda _e, _n, v: earlier.get(v)).analyze(
                current, "auto")
            stored.append(time.monotonic() - started)
    group = "baseline (small npm)"
    return [spread(group, "analysis, no baseline", alone),
            spread(group, "baseline analysed first", analysed),
            spread(group, "baseline already stored", stored)]
