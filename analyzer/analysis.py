"""One `Analyzer` does one analysis: fetch -> static scan -> sandbox -> trace -> result.

The CLI, the watcher and the web UI all call it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from analyzer.atomic import OutputError, copy_atomic
from analyzer.baseline.inventory import InventoryTaker
from analyzer.detect.judge import judge
from analyzer.detect.rules.ruleset import RuleSet, default_rules
from analyzer.detect.static.scan import scan_package
from analyzer.fetch import fetcher_for
from analyzer.fetch.archive import read_members
from analyzer.fetch.interface import RegistryUrls, Target
from analyzer.models import (
    AnalysisResult,
    FetchedPackage,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    Resources,
)
from analyzer.sandbox.docker_runner import DockerSandbox, SandboxRun
from analyzer.sandbox.resources import resources_between
from analyzer.signals import MAX_FILE_BYTES, StaticSignal
from analyzer.terminal import printable
from analyzer.trace.evidence import phase_evidence
from analyzer.trace.network_log import PhaseWindow
from analyzer.trace.parse import ParsedTrace, parse_trace_dir

RUN_PHASES = (Phase.INSTALL, Phase.IMPORT, Phase.EXECUTE, Phase.PERSONA)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


class Analyzer:
    """Analyses packages one at a time; holds the sandbox and registry settings."""

    def __init__(self, sandbox: DockerSandbox | None = None, urls: RegistryUrls | None = None,
                 keep_dir: Path | None = None, progress: Progress = _quiet,
                 rules: RuleSet | None = None) -> None:
        self.sandbox = sandbox or DockerSandbox()
        self.urls = urls or RegistryUrls()
        self.keep_dir = keep_dir
        self.progress = progress
        self.rules = rules or default_rules()

    def analyze(self, target: Target) -> AnalysisResult:
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="pkgsandbox-"))
        try:
            self.progress(f"fetching {printable(_describe(target))}")
            package = fetcher_for(target, self.urls).fetch(target, workdir)
            taker = InventoryTaker(package.ref)
            signals = scan_package(
                taker.watch(read_members(package.artifact, lambda _: True, MAX_FILE_BYTES)),
                package.ref.ecosystem)
            self.progress(
                f"analysing {package.ref.ecosystem.value}:{printable(package.ref.name)} "
                f"{printable(package.ref.version)} ({printable(package.ref.filename)}) in gVisor"
            )
            run = self.sandbox.run(package, RUN_PHASES,
                                   on_phase=lambda phase: self.progress(f"{phase} phase"))
            kept: tuple[str, ...] = ()
            try:
                trace = parse_trace_dir(run.trace_dir)
                if self.keep_dir is not None:
                    kept = _keep_trace(run, self.keep_dir)
            finally:
                shutil.rmtree(run.trace_dir, ignore_errors=True)
            result = replace(_result(package, run, trace, signals, started_at,
                                     time.monotonic() - clock), inventory=taker.inventory())
            return judge(replace(result, notes=result.notes + kept), self.rules)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _describe(target: Target) -> str:
    if target.path is not None:
        return str(target.path)
    ecosystem = target.ecosystem.value if target.ecosystem else "?"
    return f"{ecosystem}:{target.name}" + (f" {target.version}" if target.version else "")


def _keep_trace(run: SandboxRun, keep_dir: Path) -> tuple[str, ...]:
    """Copy the raw gVisor logs next to the result, for a reviewer or a re-parse.

    A copy that fails (a full disk) is a note, not the end of the analysis: the result
    still reaches the person, and says what is missing."""
    try:
        for log in sorted(run.trace_dir.glob("*.boot.txt")):
            copy_atomic(log, keep_dir / "trace" / log.name)
    except OutputError as exc:
        return (f"the raw trace was not kept: {exc.diagnostics()}",)
    return ()


def _result(package: FetchedPackage, run: SandboxRun, trace: ParsedTrace,
            signals: tuple[StaticSignal, ...], started_at: str,
            duration_s: float) -> AnalysisResult:
    """The sandbox's phases with the trace stage's evidence of each."""
    windows = [PhaseWindow(p.phase, p.started, p.ended) for p in run.phases
               if p.status is not PhaseStatus.SKIPPED]
    evidence = phase_evidence(trace, windows, run.network_events, run.bait.canaries)
    by_phase = {p.phase: p for p in run.phases}
    phases = []
    for phase in Phase:
        driver = by_phase.get(phase)
        if driver is None or phase not in evidence.phases:
            phases.append(PhaseResult(phase, PhaseStatus.SKIPPED, 0.0, None, PhaseTrace(),
                                      Resources(None, None)))
            continue
        phases.append(PhaseResult(
            phase=phase,
            status=driver.status,
            duration_s=round(driver.ended - driver.started, 3),
            exit_code=driver.exit_code,
            trace=evidence.phases[phase],
            resources=resources_between(run.samples, driver.started, driver.ended),
            output_tail=driver.output_tail,
            forced=driver.forced,
        ))
    return AnalysisResult(
        package=package.ref,
        started_at=started_at,
        duration_s=round(duration_s, 3),
        phases=tuple(phases),
        dependencies=package.dependencies,
        trace_stats=evidence.stats,
        iocs=evidence.iocs,
        static_signals=signals,
        metadata=dict(package.metadata),
        notes=run.notes + evidence.notes,
    )
