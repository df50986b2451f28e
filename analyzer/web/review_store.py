"""Reading results for the pages and recording review decisions, on the store's tables."""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from analyzer.errors import Error
from analyzer.models import AnalysisResult
from analyzer.report.html import Decision
from analyzer.report.html_view import IndexRow, iso
from analyzer.result_codec import ResultFormatError, result_from_dict
from analyzer.store.allow_list import allow_result, revoke_result
from analyzer.store.database import Database
from analyzer.store.schema import FindingRow, Package, Result, ReviewDecision, Version

MAX_INDEX_ROWS = 5000  # newest first; older analyses stay reachable by their URL
MAX_NOTE_CHARS = 4000
MAX_REVIEWER_CHARS = 128


class ReviewError(Error):
    """A review decision could not be recorded."""


class DecisionKind(enum.StrEnum):
    CONFIRMED = "confirmed"  # malicious, as the rules said
    DISMISSED = "dismissed"  # a false positive; the note says why
    NOTE = "note"  # a remark, no change of state


def review_state(decisions: Iterable[tuple[str, float]]) -> str:
    """The latest confirm or dismiss decides; notes do not change the state."""
    final = [(at, kind) for kind, at in decisions if kind != DecisionKind.NOTE]
    return max(final)[1] if final else "unreviewed"


def index_rows(db: Database, href: str = "/report/{id}") -> list[IndexRow]:
    """The newest results, from the stored columns: no result document is read, however
    large (the package is the release the job was for, the typosquat target the one seen
    when it was discovered)."""
    with db.reading() as session:
        results = session.execute(
            select(Result.id, Result.verdict, Result.score, Result.created_at, Package.ecosystem,
                   Package.name, Version.version, Version.signals)
            .join(Version, Version.id == Result.version_id)
            .join(Package, Package.id == Version.package_id)
            .order_by(Result.created_at.desc(), Result.id.desc()).limit(MAX_INDEX_ROWS)).all()
        ids = [row.id for row in results]
        rules, by_result = _rules(session, ids), _decided(session, ids)
    return [IndexRow(
        key=str(row.id), href=href.format(id=row.id), ecosystem=row.ecosystem, name=row.name,
        version=row.version, verdict=row.verdict or "unscored", score=row.score,
        created_at=row.created_at, review=review_state(by_result.get(row.id, ())),
        rules=tuple(sorted(rules.get(row.id, ()))), typosquat=_typosquat(row.signals))
        for row in results]


def _rules(session: Session, ids: list[int]) -> dict[int, set[str]]:
    rules: dict[int, set[str]] = {}
    for result_id, rule in session.execute(select(FindingRow.result_id, FindingRow.rule)
                                           .where(FindingRow.result_id.in_(ids)).distinct()):
        rules.setdefault(result_id, set()).add(rule)
    return rules


def _decided(session: Session, ids: list[int]) -> dict[int, list[tuple[str, float]]]:
    by_result: dict[int, list[tuple[str, float]]] = {}
    for result_id, kind, at in session.execute(
            select(ReviewDecision.result_id, ReviewDecision.decision, ReviewDecision.decided_at)
            .where(ReviewDecision.result_id.in_(ids))):
        by_result.setdefault(result_id, []).append((kind, at))
    return by_result


def result(db: Database, result_id: int) -> AnalysisResult | None:
    """The stored result, decoded; None if there is none.

    Raises `ResultFormatError` (one line naming the result and the field) for a document
    this version cannot read.
    """
    with db.reading() as session:
        row = session.get(Result, result_id)
        if row is None:
            return None
        document = row.document
    return decode(result_id, document)


def document_text(db: Database, result_id: int) -> str | None:
    """The stored JSON text of a result, unparsed (its length decides how to show it)."""
    with db.reading() as session:
        text = session.scalar(select(cast(Result.document, Text)).where(Result.id == result_id))
        return None if text is None else str(text)


def load(result_id: int, text: str) -> object:
    """The JSON value of `document_text`; `ResultFormatError` if it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the stack
        raise ResultFormatError(f"result {result_id}: the stored document is not JSON") \
            from None


def decode(result_id: int, document: object) -> AnalysisResult:
    """A stored document as the codec reads it; its error names the result."""
    try:
        return result_from_dict(document)
    except ResultFormatError as exc:
        raise ResultFormatError(f"result {result_id}: {exc.diagnostics()}") from None


def decisions(db: Database, result_id: int) -> list[Decision]:
    with db.reading() as session:
        rows = session.scalars(select(ReviewDecision).where(
            ReviewDecision.result_id == result_id)
            .order_by(ReviewDecision.decided_at, ReviewDecision.id)).all()
        return [Decision(iso(r.decided_at), r.reviewer, r.decision, r.note) for r in rows]


def record_decision(db: Database, result_id: int, kind: DecisionKind, reviewer: str,
                    note: str | None, now: float | None = None) -> int:
    """Store who decided what and when; the decision's id.

    A dismissal allow-lists, for the package, every rule that fired on the result; a
    confirmation takes back what an earlier dismissal of the same result allow-listed.
    """
    note = (note or "").strip() or None
    if kind in (DecisionKind.DISMISSED, DecisionKind.NOTE) and note is None:
        raise ReviewError(f"a {kind.value} decision needs a reason or note")
    if not reviewer.strip():
        raise ReviewError("a decision needs a reviewer name")
    decided_at = time.time() if now is None else now
    with db.transaction() as session:
        if session.get(Result, result_id) is None:
            raise ReviewError(f"no result {result_id}")
        row = ReviewDecision(result_id=result_id, decision=kind.value,
                             reviewer=reviewer.strip()[:MAX_REVIEWER_CHARS],
                             note=note[:MAX_NOTE_CHARS] if note else None,
                             decided_at=decided_at)
        session.add(row)
        if kind is DecisionKind.DISMISSED and note is not None:
            allow_result(session, result_id, note, row.reviewer, decided_at)
        elif kind is DecisionKind.CONFIRMED:
            revoke_result(session, result_id)
        session.flush()
        return row.id


def _typosquat(signals: Any) -> str | None:
    squat = signals.get("typosquat") if isinstance(signals, dict) else None
    target = squat.get("target") if isinstance(squat, dict) else None
    return str(target) if target is not None else None
