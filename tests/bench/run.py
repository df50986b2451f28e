"""`make bench`: sandbox speed on this machine, printed as a table and written as JSON.

Figures: per-phase wall time (median of N runs) of a small wheel and a small npm
package analysed end to end; the traced-gVisor install against the same install
under runc; what the network simulator and the execute phase add; trace parsing
speed; typosquat checks per second. Targets from the issues are printed beside.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analyzer.analysis import RUN_PHASES, Analyzer  # noqa: E402
from analyzer.detect.typosquat import measure_checks_per_second  # noqa: E402
from analyzer.fetch import fetcher_for  # noqa: E402
from analyzer.fetch.interface import RegistryUrls  # noqa: E402
from analyzer.fetch.target import parse_target  # noqa: E402
from analyzer.models import Ecosystem, FetchedPackage, Phase  # noqa: E402
from analyzer.sandbox.docker_runner import DockerSandbox  # noqa: E402
from analyzer.trace.bench import measure_parse_speed  # noqa: E402
from tests.bench.scheduler_bench import measure_overhead  # noqa: E402
from tests.packages import PACKAGES, build_package  # noqa: E402

CASES = {"small wheel": ("pypi-small", "wheel"), "small npm": ("npm-small", "npm")}



def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def bench_end_to_end(artifact: Path, runs: int, keep: Path) -> dict[str, float]:
    """Median seconds per phase and in total, over `runs` full analyses."""
    totals, install, imports = [], [], []
    for index in range(runs):
        out = keep / f"run{index}"
        started = time.monotonic()
        result = Analyzer(keep_dir=out).analyze(parse_target(str(artifact)))
        totals.append(time.monotonic() - started)
        by_phase = {p.phase: p for p in result.phases}
        install.append(by_phase[Phase.INSTALL].duration_s)
        imports.append(by_phase[Phase.IMPORT].duration_s)
    return {"total_s": _median(totals), "install_s": _median(install),
            "import_s": _median(imports)}


def _sandbox_runs(package: FetchedPackage, sandbox: DockerSandbox, phases: tuple[Phase, ...],
                  runs: int) -> tuple[float, float]:
    """Median (whole container run, install phase) seconds."""
    totals, installs = [], []
    for _ in range(runs):
        started = time.monotonic()
        run = sandbox.run(package, phases)
        totals.append(time.monotonic() - started)
        shutil.rmtree(run.trace_dir, ignore_errors=True)
        install = next(p for p in run.phases if p.phase is Phase.INSTALL)
        installs.append(install.ended - install.started)
    return statistics.median(totals), statistics.median(installs)


def bench_sandbox_costs(artifact: Path, runs: int) -> dict[str, dict[str, float]]:
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
        return {
            "gVisor vs runc": {"gvisor_install_s": round(gvisor, 2),
                               "runc_install_s": round(runc, 2),
                               "ratio": round(gvisor / runc, 2)},
            "simulator and execute": {"install+import_s": round(bare, 2),
                                      "simulator_adds_s": round(simulated - bare, 2),
                                      "execute_adds_s": round(full - simulated, 2)},
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bench_throughput(artifact: Path, analyses: int) -> dict[str, float]:
    """Small-package analyses per hour with 1 and 2 concurrent workers (the sandbox side;
    the scheduler's own cost is measured apart and is milliseconds a job)."""
    figures = {}
    target = parse_target(str(artifact))
    for workers in (1, 2):
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda _: Analyzer().analyze(target), range(analyses)))
        elapsed = time.monotonic() - started
        figures[f"{workers}_worker{'s' if workers > 1 else ''}_per_hour"] = round(
            analyses / elapsed * 3600)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--json", type=Path, default=Path("reports/bench.json"),
                        help="where to write the figures (default reports/bench.json)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="pkgsandbox-bench-"))
    figures: dict[str, dict[str, float]] = {}
    try:
        for label, (folder, kind) in CASES.items():
            artifact = build_package(PACKAGES / folder, scratch, kind)
            figures[label] = bench_end_to_end(artifact, args.runs, scratch / folder)
            for name, values in bench_sandbox_costs(artifact, args.runs).items():
                figures[f"{label}: {name}"] = values
        figures["analyses per hour"] = bench_throughput(
            build_package(PACKAGES / "pypi-small", scratch, "wheel"), max(4, args.runs * 2))
        traces = sorted(scratch.glob("*/run*/trace/*.boot.txt"), key=lambda p: p.stat().st_size)
        figures["trace parsing"] = {"mb_per_s": round(measure_parse_speed(traces[-1]), 1),
                                    "log_mb": round(traces[-1].stat().st_size / 2**20, 2)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    figures["scheduler overhead"] = {
        f"{workers}_worker{'s' if workers > 1 else ''}_ms_per_job":
            measure_overhead(workers, jobs=200)["overhead_ms_per_job"]
        for workers in (1, 2)}
    figures["typosquat"] = {
        f"{eco.value}_checks_per_s": round(measure_checks_per_second(eco)) for eco in Ecosystem}

    targets = {"total_s": "< 10", "ratio": "<= 1.5", "mb_per_s": ">= 50",
               "2_workers_per_hour": ">= 1000",
               "pypi_checks_per_s": ">= 1000", "npm_checks_per_s": ">= 1000"}
    print(f"{'benchmark':34} {'figure':18} {'value':>9}  target")
    for label, values in figures.items():
        for name, value in values.items():
            print(f"{label:34} {name:18} {value:>9}  {targets.get(name, '')}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
