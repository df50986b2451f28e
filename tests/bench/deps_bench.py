"""Host-side dependency time for a fixed set of real PyPI packages, and the cache's hit rate.

Each package stands for a release that depends on it: its dependency set is prepared as
an analysis prepares one (real pip, real PyPI), first by today's path without the host
cache (pip's own per-user HTTP cache, as before, still applies), then twice through an
empty shared cache. The second pass's hit rate is the share of its wheels that came from
the cache instead of the index; the issue wants a dependency downloaded once per host.
Run alone: `python tests/bench/deps_bench.py [--quick]`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analyzer.defaults import DEPENDENCY_BUDGET_S, DEPENDENCY_CACHE_MB  # noqa: E402
from analyzer.fetch.interface import RegistryUrls  # noqa: E402
from analyzer.fetch.wheel_cache import WheelCache  # noqa: E402
from analyzer.fetch.wheelhouse import prepare_python_dependencies  # noqa: E402
from tests.bench.figures import Figure, Target, render, spread  # noqa: E402

# Pinned, so every run prepares the same wheels: 4, 3, 2 and 5 dependencies of their own.
REAL_SET = ("requests==2.32.3", "rich==13.9.4", "python-dateutil==2.9.0.post0",
            "jsonschema==4.23.0")
GROUP = "host dependency time"
BUDGET = Target("<=", DEPENDENCY_BUDGET_S)


def _pass(packages: tuple[str, ...], scratch: Path, label: str,
          cache: WheelCache | None) -> tuple[list[float], int, int]:
    """Seconds per package, wheels that came from the cache, wheels in all."""
    url = RegistryUrls().pypi
    seconds, hits, wheels = [], 0, 0
    for index, requirement in enumerate(packages):
        dest = scratch / f"deps-{label}-{index}"
        before = cache.for_index(url).names() if cache is not None else frozenset()
        started = time.monotonic()
        deps = prepare_python_dependencies([requirement], [], dest, url, cache=cache)
        seconds.append(time.monotonic() - started)
        missing = [f"{d.name}: {d.missing_reason}" for d in deps if d.missing_reason]
        if missing:
            raise RuntimeError(f"{requirement}: not all prepared: {'; '.join(missing)}")
        names = [d.filename for d in deps if d.filename]
        wheels += len(names)
        hits += sum(name in before for name in names)
        shutil.rmtree(dest, ignore_errors=True)
    return seconds, hits, wheels


def measure_dependencies(scratch: Path, count: int) -> list[Figure]:
    packages = REAL_SET[:count]
    today, _, _ = _pass(packages, scratch, "today", None)
    cache = WheelCache(scratch / "dependency-cache", DEPENDENCY_CACHE_MB * 2**20)
    cold, cold_hits, cold_wheels = _pass(packages, scratch, "cold", cache)
    warm, warm_hits, warm_wheels = _pass(packages, scratch, "warm", cache)
    runs = len(packages)
    return [
        spread(GROUP, "no host cache (today's path)", today, target=BUDGET),
        spread(GROUP, "shared cache, first pass", cold, target=BUDGET),
        spread(GROUP, "shared cache, second pass", warm, target=BUDGET),
        Figure(GROUP, f"cache hits, first pass ({cold_wheels} whl)",
               round(cold_hits / cold_wheels, 2), "ratio", runs),
        Figure(GROUP, f"cache hits, second pass ({warm_wheels} whl)",
               round(warm_hits / warm_wheels, 2), "ratio", runs, target=Target(">=", 1.0)),
    ]


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="pkgsandbox-deps-bench-"))
    try:
        print(render(measure_dependencies(folder, 3 if "--quick" in sys.argv else len(REAL_SET))))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
