"""`scan --analyze`: each pinned dependency version never analysed goes through the sandbox."""

from __future__ import annotations

import time
from typing import IO

from sqlalchemy import select

from analyzer.models import AnalysisResult, Ecosystem, Verdict
from analyzer.scan.interface import Dependency, Level, ScanFinding
from analyzer.store.columns import JobState
from analyzer.store.database import Database
from analyzer.store.releases import package_key
from analyzer.store.results import save_result
from analyzer.store.schema import Job, Package, Result, Version
from analyzer.terminal import printable

_LEVELS = {Verdict.MALICIOUS: Level.MALICIOUS, Verdict.SUSPICIOUS: Level.SUSPICIOUS}


def _version_row(db: Database, dependency: Dependency, now: float) -> tuple[int, bool]:
    """The version's row id (made if new), and whether it has a result already."""
    eco, name, version = dependency.ecosystem.value, dependency.name, str(dependency.version)
    with db.transaction() as session:
        key = package_key(dependency.ecosystem, name)
        package = session.scalars(select(Package).where(
            Package.ecosystem == eco, Package.key == key)).one_or_none()
        if package is None:
            package = Package(ecosystem=eco, key=key, name=name, first_seen_at=now)
            session.add(package)
            session.flush()
        row = session.scalars(select(Version).where(
            Version.package_id == package.id, Version.version == version)).one_or_none()
        if row is None:
            row = Version(package_id=package.id, version=version, feed="scan",
                          published_at=None, discovered_at=now, signals={})
            session.add(row)
            session.flush()
        done = session.scalars(select(Result.id).where(Result.version_id == row.id)).first()
        return row.id, done is not None


def analyze_new(db: Database, dependencies: list[Dependency],
                stream: IO[str] | None = None) -> list[ScanFinding]:
    """Analyse each pinned version the store has no result for; a progress bar on a
    terminal (`stream`, stderr by default), a line per analysis elsewhere."""
    from analyzer.analysis import Analyzer
    from analyzer.fetch.target import parse_target
    from analyzer.live import Bar

    findings: list[ScanFinding] = []
    runner: Analyzer | None = None
    unique = list(dict.fromkeys(dependencies))
    pinned = [d for d in unique if d.version is not None]
    with Bar(len(pinned), stream) as bar:
        for dependency in unique:
            if dependency.version is None:
                shown = printable(dependency.name, limit=80)
                bar.note(f"pkgsandbox: {shown}: a range, not analysed (pin it to analyse it)")
        for dependency in pinned:
            shown = printable(f"{dependency.name} {dependency.version}", limit=80)
            bar.start(f"{dependency.ecosystem.value}:{shown}")
            now = time.time()
            version_id, done = _version_row(db, dependency, now)
            if not done:
                separator = "==" if dependency.ecosystem is Ecosystem.PYPI else "@"
                target = parse_target(f"{dependency.ecosystem.value}:{dependency.name}"
                                      f"{separator}{dependency.version}")
                runner = runner or Analyzer()
                result = runner.analyze(target)
                _save(db, version_id, result, now)
                level = _LEVELS.get(result.verdict) if result.verdict else None
                if level is not None:
                    findings.append(ScanFinding(dependency, "analysis", level,
                                                f"sandbox verdict {level.value}"))
            bar.advance()
    return findings


def _save(db: Database, version_id: int, result: AnalysisResult, started: float) -> None:
    with db.transaction() as session:
        job = Job(version_id=version_id, reason="scan", state=JobState.DONE.value,
                  priority=0, attempts=1, max_attempts=1, available_at=started,
                  created_at=started, started_at=started, finished_at=time.time())
        session.add(job)
        session.flush()
        save_result(session, job.id, version_id, result, time.time())
