"""Storing one finished analysis: the JSON result document, its findings, the artifact digest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.models import AnalysisResult
from analyzer.result_codec import result_to_dict
from analyzer.store.schema import Artifact, FindingRow, Result


def save_result(session: Session, job_id: int, version_id: int, result: AnalysisResult,
                now: float) -> int:
    """Insert the result and its findings inside the caller's transaction; the result id."""
    row = Result(
        job_id=job_id, version_id=version_id,
        verdict=result.verdict.value if result.verdict else None, score=result.score,
        sha256=result.package.sha256 or None, duration_s=result.duration_s, created_at=now,
        document=result_to_dict(result))
    session.add(row)
    session.flush()
    session.add_all(
        FindingRow(result_id=row.id, rule=f.rule[:128], severity=f.severity.value,
                   phase=f.phase.value if f.phase else None, title=f.title,
                   evidence=list(f.evidence))
        for f in result.findings)
    _record_digest(session, version_id, result)
    return row.id


def _record_digest(session: Session, version_id: int, result: AnalysisResult) -> None:
    """The sha256 of the artifact that was analysed (npm publishes none) goes on its row."""
    ref = result.package
    if not ref.sha256 or not ref.filename:
        return
    artifact = session.scalars(select(Artifact).where(
        Artifact.version_id == version_id, Artifact.filename == ref.filename)).one_or_none()
    if artifact is None:
        session.add(Artifact(version_id=version_id, filename=ref.filename[:512],
                             kind="analysed", sha256=ref.sha256))
    elif artifact.sha256 is None:
        artifact.sha256 = ref.sha256
