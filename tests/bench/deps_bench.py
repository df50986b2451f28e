"""Host-side dependency time for fixed real PyPI and npm packages, and the caches' hit rates.

Each package stands for a release that depends on it: its dependency set is prepared as
an analysis prepares one (real pip or npm, the real registries), first by today's path
without the host cache (pip's own per-user HTTP cache, as before, still applies), then
twice through an empty shared cache. A pass's hit rate is the share of its wheels (or
npm tarballs) that came from the shared cache instead of the registry; the issue wants
a dependency downloaded once per host. Run alone: `python tests/bench/deps_bench.py
[--quick]`.
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
from analyzer.fetch.npm_cache import NPM_CACHE_DIRNAME, prepare_npm_dependencies  # noqa: E402
from analyzer.fetch.npm_shared import NpmCache  # noqa: E402
from analyzer.fetch.wheel_cache import WheelCache  # noqa: E402
from analyzer.fetch.wheelhouse import prepare_python_dependencies  # noqa: E402
from tests.bench.figures import Figure, Target, render, spread  # noqa: E402

# Pinned, so every run prepares the same files: 4, 3, 2 and 5 dependencies of their own;
# npm: 5, 1 and 30 or so.
REAL_SET = ("requests==2.32.3", "rich==13.9.4", "python-dateutil==2.9.0.post0",
            "jsonschema==4.23.0")
NPM_SET = (("chalk", "4.1.2"), ("debug", "4.3.7"), ("express", "4.21.1"))
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


def _tarballs(cacache: Path) -> set[str]:
    """The gzip content (tarballs, not packuments) of an npm cache, by content path."""
    found = set()
    for path in (cacache / "content-v2").glob("*/*/*/*"):
        with path.open("rb") as data:
            if data.read(2) == b"\x1f\x8b":
                found.add(str(path.relative_to(cacache)))
    return found


def _npm_pass(packages: tuple[tuple[str, str], ...], scratch: Path, label: str,
              cache: NpmCache | None) -> tuple[list[float], int, int]:
    """Seconds per package, tarballs that came from the shared cache, tarballs in all."""
    url = RegistryUrls().npm
    shared = cache.for_registry(url).root / "_cacache" if cache is not None else None
    seconds, hits, tarballs = [], 0, 0
    for index, (name, version) in enumerate(packages):
        dest = scratch / f"npm-{label}-{index}"
        before = _tarballs(shared) if shared is not None else set()
        started = time.monotonic()
        deps = prepare_npm_dependencies({name: version}, dest, url, shared=cache)
        seconds.append(time.monotonic() - started)
        missing = [f"{d.name}: {d.missing_reason}" for d in deps if d.missing_reason]
        if missing:
            raise RuntimeError(f"{name}@{version}: not all prepared: {'; '.join(missing)}")
        own = _tarballs(dest / NPM_CACHE_DIRNAME / "_cacache")
        tarballs += len(own)
        hits += len(own & before)
        shutil.rmtree(dest, ignore_errors=True)
    return seconds, hits, tarballs


def _figures(kind: str, unit: str, passes: dict[str, tuple[list[float], int, int]]
             ) -> list[Figure]:
    figures = [spread(GROUP, f"{kind}: {label}", seconds, target=BUDGET)
               for label, (seconds, _, _) in passes.items()]
    for label in ("shared cache, first pass", "shared cache, second pass"):
        seconds, hits, total = passes[label]
        figures.append(Figure(GROUP, f"{kind}: hits, {label[14:]} ({total} {unit})",
                              round(hits / total, 2) if total else 0.0, "ratio", len(seconds),
                              target=Target(">=", 1.0) if "second" in label else None))
    return figures


def measure_dependencies(scratch: Path, count: int) -> list[Figure]:
    """`count` packages of each ecosystem, by today's path and twice through the caches."""
    bound = DEPENDENCY_CACHE_MB * 2**20
    wheels = WheelCache(scratch / "dependency-cache" / "pypi", bound)
    pypi = REAL_SET[:count]
    figures = _figures("pypi", "whl", {
        "no host cache (today's path)": _pass(pypi, scratch, "today", None),
        "shared cache, first pass": _pass(pypi, scratch, "cold", wheels),
        "shared cache, second pass": _pass(pypi, scratch, "warm", wheels)})
    tarballs = NpmCache(scratch / "dependency-cache" / "npm", bound)
    npm = NPM_SET[:count]
    return figures + _figures("npm", "tgz", {
        "no host cache (today's path)": _npm_pass(npm, scratch, "today", None),
        "shared cache, first pass": _npm_pass(npm, scratch, "cold", tarballs),
        "shared cache, second pass": _npm_pass(npm, scratch, "warm", tarballs)})


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="pkgsandbox-deps-bench-"))
    try:
        print(render(measure_dependencies(folder, 2 if "--quick" in sys.argv else 3)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
