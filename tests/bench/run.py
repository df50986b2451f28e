"""`make bench`: sandbox speed and memory on this machine, printed as a table and as JSON.

Figures: per-phase wall time (median and p95 of N runs) of small and large PyPI and npm
packages analysed end to end, with the sandbox's peak memory; time to verdict on a fixed
random draw of real recent releases (real_mix.py); the traced-gVisor install
against the same install under runc; what the network simulator and the execute phase
add; analyses per hour with 1 and 2 workers; trace parsing speed on the biggest trace;
the scheduler's cost per job; what `--baseline auto` adds, with the baseline analysed
first and already stored; typosquat checks per second; the peak memory of
`pkgsandbox watch` and its workers; host-side dependency time for real PyPI and npm packages,
without and with the shared wheel cache, and its hit rate on a second pass. Targets
from the issues are printed beside.
`--quick` (CI) runs each measurement once or twice, with smaller large packages. A
measurement that fails makes the exit status 1; a missed target does not.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analyzer.analysis import RUN_PHASES, Analyzer  # noqa: E402
from analyzer.detect.typosquat.checker import measure_checks_per_second  # noqa: E402
from analyzer.fetch import fetcher_for  # noqa: E402
from analyzer.fetch.interface import RegistryUrls  # noqa: E402
from analyzer.fetch.target import parse_target  # noqa: E402
from analyzer.models import Ecosystem, FetchedPackage, Phase, PhaseStatus  # noqa: E402
from analyzer.sandbox.docker_runner import DockerSandbox  # noqa: E402
from analyzer.trace.bench import measure_parse_speed  # noqa: E402
from tests.bench import large  # noqa: E402
from tests.bench.baseline_bench import measure_baseline_cost  # noqa: E402
from tests.bench.cli_start import measure_cli_start  # noqa: E402
from tests.bench.deps_bench import measure_dependencies  # noqa: E402
from tests.bench.figures import Figure, Target, render, spread  # noqa: E402
from tests.bench.memory import PeakMemorySandbox  # noqa: E402
from tests.bench.real_mix import REAL_MIX, measure_real_mix  # noqa: E402
from tests.bench.scheduler_bench import measure_overhead  # noqa: E402
from tests.bench.watcher_bench import measure_watcher  # noqa: E402
from tests.packages import PACKAGES, build_package  # noqa: E402


@dataclass(frozen=True)
class Plan:
    """How much of each measurement a run makes."""

    small_runs: int
    large_runs: int
    large_size: large.LargeSize
    analyses: int  # per worker count, for analyses per hour
    watch_releases: int
    scheduler_jobs: int
    real_mix: int  # the first N of real_mix.REAL_MIX
    real_mix_one_worker: bool  # also the warm path at 1 worker
    dependency_packages: int  # of each of deps_bench's fixed lists


FULL_PLAN = Plan(small_runs=5, large_runs=3, large_size=large.FULL, analyses=10,
                 watch_releases=8, scheduler_jobs=200, real_mix=len(REAL_MIX),
                 real_mix_one_worker=True, dependency_packages=3)
QUICK_PLAN = Plan(small_runs=1, large_runs=1, large_size=large.QUICK, analyses=2,
                  watch_releases=4, scheduler_jobs=100, real_mix=4, real_mix_one_worker=False,
                  dependency_packages=2)


# --- end to end ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    label: str
    build: Callable[[Path, Plan], Path]  # (scratch folder, plan) -> the artifact
    large: bool


def _source(scratch: Path, name: str) -> Path:
    (scratch / name).mkdir()
    return scratch / name


CASES = (
    Case("small wheel", lambda s, _: build_package(PACKAGES / "pypi-small", s, "wheel"), False),
    Case("small npm", lambda s, _: build_package(PACKAGES / "npm-small", s, "npm"), False),
    Case("large sdist", lambda s, p: large.large_sdist(_source(s, "src-sdist"), s,
                                                       p.large_size), True),
    Case("large npm", lambda s, p: large.large_npm(_source(s, "src-npm"), s,
                                                   p.large_size), True),
)


def bench_end_to_end(label: str, artifact: Path, runs: int, keep: Path,
                     total_target: Target | None) -> list[Figure]:
    """Seconds per phase and in total over `runs` full analyses, and the sandbox's peak
    memory: its cgroup's counter (each page once, page cache included), and the sum of
    RSS over the Sentry and its stubs that results report, sampled at 4 Hz (shared pages
    count once per process)."""
    sandbox = PeakMemorySandbox()
    target = parse_target(str(artifact))
    totals: list[float] = []
    phases: dict[Phase, list[float]] = {phase: [] for phase in RUN_PHASES}
    outside: list[float] = []
    sampled: list[float] = []
    for index in range(runs):
        started = time.monotonic()
        # The first run keeps its gVisor logs, for the parsing figure.
        result = Analyzer(sandbox=sandbox, keep_dir=keep if index == 0 else None).analyze(target)
        totals.append(time.monotonic() - started)
        for phase in result.phases:
            if phase.phase in phases:
                if phase.status is not PhaseStatus.COMPLETED:
                    raise RuntimeError(f"{label}: the {phase.phase.value} phase ended"
                                       f" {phase.status.value}: {phase.output_tail[-500:]}")
                phases[phase.phase].append(phase.duration_s)
        outside.append(totals[-1] - sum(values[-1] for values in phases.values()))
        sampled.append(max(p.resources.peak_memory_mb or 0.0 for p in result.phases))
    return [spread(label, "total", totals, target=total_target),
            *(spread(label, f"{phase.value} phase", values) for phase, values in phases.items()),
            spread(label, "outside the phases", outside),
            spread(label, "sandbox peak memory (cgroup)", sandbox.peaks_mb, "MB"),
            spread(label, "sandbox peak PSS, as results report", sampled, "MB")]


def _sandbox_runs(package: FetchedPackage, sandbox: DockerSandbox, phases: tuple[Phase, ...],
                  runs: int) -> tuple[list[float], list[float]]:
    """Seconds of each whole container run, and of its install phase."""
    totals, installs = [], []
    for _ in range(runs):
        started = time.monotonic()
        run = sandbox.run(package, phases)
        totals.append(time.monotonic() - started)
        shutil.rmtree(run.trace_dir, ignore_errors=True)
        install = next(p for p in run.phases if p.phase is Phase.INSTALL)
        installs.append(install.ended - install.started)
    return totals, installs


def bench_sandbox_costs(label: str, artifact: Path, runs: int) -> list[Figure]:
    """gVisor against runc (same image and driver), and what the simulator and the
    execute phase add to one container run."""
    workdir = Path(tempfile.mkdtemp(prefix="pkgsandbox-bench-"))
    try:
        target = parse_target(str(artifact))
        package = fetcher_for(target, RegistryUrls()).fetch(target, workdir)
        _, gvisor = _sandbox_runs(package, DockerSandbox(), (Phase.INSTALL,), runs)
        _, runc = _sandbox_runs(package, DockerSandbox(runtime="runc"), (Phase.INSTALL,), runs)
        two = (Phase.INSTALL, Phase.IMPORT)
        bare, _ = _sandbox_runs(package, DockerSandbox(simulate_network=False), two, runs)
        simulated, _ = _sandbox_runs(package, DockerSandbox(), two, runs)
        full, _ = _sandbox_runs(package, DockerSandbox(), RUN_PHASES, runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    median = statistics.median
    return [
        spread(label, "install, traced gVisor", gvisor),
        spread(label, "install, runc", runc),
        Figure(label, "gVisor/runc install ratio", round(median(gvisor) / median(runc), 2),
               "x", runs, target=Target("<=", 1.5)),
        spread(label, "container: install+import", bare),
        Figure(label, "simulator adds", round(median(simulated) - median(bare), 2), "s", runs),
        Figure(label, "execute phase adds", round(median(full) - median(simulated), 2), "s",
               runs),
    ]


def bench_throughput(artifact: Path, analyses: int) -> list[Figure]:
    """Small-package analyses per hour with 1 and 2 concurrent workers (the sandbox side;
    the scheduler's own cost is measured apart and is milliseconds a job)."""
    figures = []
    target = parse_target(str(artifact))
    for workers in (1, 2):
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda _: Analyzer().analyze(target), range(analyses)))
        per_hour = round(analyses / (time.monotonic() - started) * 3600)
        figures.append(Figure("throughput", f"analyses/h, {workers} worker(s)", per_hour,
                              "per h", analyses,
                              target=Target(">=", 1000) if workers == 2 else None))
    return figures


# --- the rest -----------------------------------------------------------------------------

def bench_parsing(scratch: Path) -> list[Figure]:
    traces = sorted(scratch.glob("*/trace/*.boot.txt"), key=lambda p: p.stat().st_size)
    if not traces:
        raise RuntimeError("no gVisor log was kept to time the parser on")
    biggest = traces[-1]
    return [Figure("trace parsing", "speed, biggest trace", round(measure_parse_speed(biggest), 1),
                   "MB/s", target=Target(">=", 50)),
            Figure("trace parsing", f"size of that trace ({biggest.parent.parent.name})",
                   round(biggest.stat().st_size / 1e6, 1), "MB")]


def bench_scheduler(jobs: int) -> list[Figure]:
    return [Figure("scheduler", f"overhead per job, {workers} worker(s)",
                   measure_overhead(workers, jobs=jobs)["overhead_ms_per_job"], "ms", jobs)
            for workers in (1, 2)]


def bench_typosquat() -> list[Figure]:
    return [Figure("typosquat", f"{eco.value} checks", round(measure_checks_per_second(eco)),
                   "per s", target=Target(">=", 1000)) for eco in Ecosystem]


def bench_watcher(releases: int, scratch: Path) -> list[Figure]:
    peak = measure_watcher(releases, scratch)
    group = f"watch --once, {peak.releases} releases"
    return [Figure(group, "wall time", peak.seconds, "s"),
            Figure(group, "peak RSS, watcher process", peak.watcher_mb, "MB"),
            Figure(group, "peak RSS, largest worker", peak.worker_mb, "MB"),
            Figure(group, "peak RSS, whole tree (sum)", peak.tree_mb, "MB")]


def run_all(plan: Plan, scratch: Path) -> tuple[list[Figure], list[str]]:
    """Every measurement; one that raises is reported and the others still run."""
    figures: list[Figure] = []
    failures: list[str] = []

    def measure(name: str, step: Callable[[], list[Figure]]) -> None:
        print(f"bench: {name}", file=sys.stderr, flush=True)
        try:
            figures.extend(step())
        except Exception as exc:  # noqa: BLE001 (printed in full, and the exit status is 1)
            traceback.print_exc()
            failures.append(f"{name}: {type(exc).__name__}: {exc}")

    artifacts = {case.label: case.build(scratch, plan) for case in CASES}
    for case in CASES:
        keep = scratch / case.label.replace(" ", "-")
        runs = plan.large_runs if case.large else plan.small_runs
        measure(case.label, partial(bench_end_to_end, case.label, artifacts[case.label], runs,
                                    keep, None if case.large else Target("<", 10)))
        if not case.large:
            measure(f"{case.label} sandbox costs", partial(
                bench_sandbox_costs, case.label, artifacts[case.label], plan.small_runs))
    measure("throughput", lambda: bench_throughput(artifacts["small wheel"], plan.analyses))
    measure("real mix", lambda: measure_real_mix(REAL_MIX[:plan.real_mix], scratch,
                                                 plan.real_mix_one_worker))
    measure("baseline", lambda: measure_baseline_cost(plan.small_runs))
    measure("trace parsing", lambda: bench_parsing(scratch))
    measure("scheduler", lambda: bench_scheduler(plan.scheduler_jobs))
    measure("typosquat", bench_typosquat)
    measure("cli start", lambda: measure_cli_start(scratch, plan.small_runs))
    measure("dependencies", lambda: measure_dependencies(scratch, plan.dependency_packages))
    watch_dir = scratch / "watch"
    watch_dir.mkdir()
    measure("watcher", lambda: bench_watcher(plan.watch_releases, watch_dir))
    return figures, failures


def document(figures: list[Figure], failures: list[str], mode: str, plan: Plan,
             seconds: float) -> dict[str, object]:
    return {
        "schema_version": 2, "mode": mode, "failures": failures,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(seconds, 1), "cpus": os.cpu_count(), "plan": asdict(plan),
        "figures": [{**asdict(f), "target": None if f.target is None else str(f.target),
                     "met": None if f.target is None else f.target.met(f.value)}
                    for f in figures],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a reduced run for CI: one run each, smaller large packages")
    parser.add_argument("--runs", type=int, help="runs per median for the small packages"
                        " (default 5, or 1 with --quick)")
    parser.add_argument("--json", type=Path, default=Path("reports/bench.json"),
                        help="where to write the figures (default reports/bench.json)")
    args = parser.parse_args()
    plan = QUICK_PLAN if args.quick else FULL_PLAN
    if args.runs:
        plan = replace(plan, small_runs=args.runs)
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="pkgsandbox-bench-"))
    try:
        figures, failures = run_all(plan, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.monotonic() - started
    print(render(figures))
    missed = [f for f in figures if f.target is not None and not f.target.met(f.value)]
    print(f"{len(missed)} of {sum(f.target is not None for f in figures)} targets missed;"
          f" {'quick' if args.quick else 'full'} run took {seconds:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document(figures, failures, "quick" if args.quick else "full",
                                             plan, seconds), indent=2) + "\n")
    print(f"written to {args.json}")
    for failure in failures:
        print(f"measurement failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
