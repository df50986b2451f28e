"""One `Analyzer` does one analysis: fetch -> static scan -> sandbox -> trace -> result.

The CLI, the watcher and the web UI all call it. With a baseline (an earlier release of
the same package, from the store or analysed first) the result carries the change set too,
and the rules judge both.
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
from analyzer.baseline.compare import compare
from analyzer.baseline.interface import BaselineError
from analyzer.baseline.inventory import InventoryTaker
from analyzer.baseline.previous import AUTO, previous_release
from analyzer.detect.judge import judge
from analyzer.detect.rules.ruleset import RuleSet, default_rules
from analyzer.detect.static.scan import scan_package
from analyzer.errors import FetchError
from analyzer.fetch import fetcher_for
from analyzer.fetch.archive import read_members
from analyzer.fetch.interface import DependencyPrep, RegistryUrls, Target
from analyzer.httpclient import NotFound
from analyzer.models import (
    AnalysisResult,
    Ecosystem,
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
# A stored analysis of (ecosystem, name, version), or None: where baselines come from first.
StoredLookup = Callable[[Ecosystem, str, str], AnalysisResult | None]


def _quiet(_: str) -> None:
    pass


class Analyzer:
    """Analyses packages one at a time; holds the sandbox and registry settings."""

    def __init__(self, sandbox: DockerSandbox | None = None, urls: RegistryUrls | None = None,
                 keep_dir: Path | None = None, progress: Progress = _quiet,
                 rules: RuleSet | None = None, deps: DependencyPrep | None = None,
                 stored: StoredLookup | None = None) -> None:
        self.sandbox = sandbox or DockerSandbox()
        self.urls = urls or RegistryUrls()
        self.deps = deps or DependencyPrep()
        self.keep_dir = keep_dir
        self.progress = progress
        self.rules = rules or default_rules()
        self.stored = stored

    def analyze(self, target: Target, baseline: str | None = None) -> AnalysisResult:
        """`target` analysed and judged; with `baseline` (a version, or `auto` for the
        release before) judged against that release too, its changes in the result.

        The baseline is settled first, so that a wrong one fails before the long run."""
        if baseline is None:
            return judge(self._run(target), self.rules)
        target, version, notes = self._baseline_version(target, baseline)
        if version is None:
            result = self._run(target)
            return judge(replace(result, notes=result.notes + notes), self.rules)
        earlier, how = self._baseline(replace(target, version=version), baseline == AUTO)
        result = self._run(target)
        if earlier is None:  # `how` says why
            return judge(replace(result, notes=(*result.notes, how)), self.rules)
        changes = compare(result, earlier)
        changes = replace(changes, notes=(how, *changes.notes))
        return judge(replace(result, changes=changes), self.rules)

    def _baseline(self, before: Target, auto: bool) -> tuple[AnalysisResult | None, str]:
        """The baseline's result and where it came from, or None and why there is none."""
        earlier = self._stored(before)
        if earlier is not None:
            return earlier, f"the baseline {before.version} was taken from the store"
        self.progress(f"baseline: {printable(_describe(before))} first")
        try:
            return self._run(before), f"the baseline {before.version} was analysed first"
        except (FetchError, NotFound) as exc:
            if not auto:
                raise  # the version asked for cannot be had: said before the long run
            # The release before cannot be had (yanked, no file for this platform): this
            # release is still analysed, on its own.
            return None, f"the baseline {before.version} could not be fetched: " \
                         f"{exc.diagnostics()}"

    def _baseline_version(self, target: Target,
                          baseline: str) -> tuple[Target, str | None, tuple[str, ...]]:
        """The target pinned to one version, the baseline's version, and why there is none."""
        if target.path is not None or target.ecosystem is None or target.name is None:
            raise BaselineError("a baseline needs a registry target (pypi:NAME==VER or "
                                "npm:NAME@VER), not a local file")
        if baseline != AUTO:
            if baseline == target.version:
                raise BaselineError(f"the baseline {baseline!r:.60} is the release analysed")
            return target, baseline, ()
        current, previous = previous_release(target.ecosystem, target.name, target.version,
                                             self.urls)
        pinned = replace(target, version=current)
        if previous is None:
            return pinned, None, (f"no release before {current}: nothing to compare it with",)
        return pinned, previous, ()

    def _stored(self, target: Target) -> AnalysisResult | None:
        if self.stored is None or target.ecosystem is None or target.name is None \
                or target.version is None:
            return None
        return self.stored(target.ecosystem, target.name, target.version)

    def _run(self, target: Target) -> AnalysisResult:
        """One analysis, not yet judged."""
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        clock = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix="pkgsandbox-"))
        try:
            self.progress(f"fetching {printable(_describe(target))}")
            package = fetcher_for(target, self.urls, self.deps).fetch(target, workdir)
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
            return replace(result, notes=result.notes + kept)
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
