"""The allow-list: rules dismissed as false positives for a package, written by reviews."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analyzer.models import Ecosystem
from analyzer.store.database import Database
from analyzer.store.releases import package_key
from analyzer.store.schema import AllowListEntry, FindingRow, Package, Result, Version

MAX_REASON_CHARS = 4000


def allow_list(db: Database, ecosystem: Ecosystem | str, name: str) -> dict[str, str]:
    """Each allow-listed rule of the package, with the latest reason given for it."""
    with db.reading() as session:
        rows = session.execute(
            select(AllowListEntry.rule, AllowListEntry.reason)
            .where(AllowListEntry.ecosystem == Ecosystem(ecosystem).value,
                   AllowListEntry.key == package_key(ecosystem, name))
            .order_by(AllowListEntry.created_at, AllowListEntry.id)).all()
    return {row.rule: row.reason for row in rows}


def allowed_rules(db: Database, ecosystem: Ecosystem | str, name: str) -> frozenset[str]:
    """The rules that must not count for this package any more."""
    return frozenset(allow_list(db, ecosystem, name))


def allow_result(session: Session, result_id: int, reason: str, reviewer: str,
                 now: float) -> list[str]:
    """Allow-list every rule that fired on the result, for its package, inside the
    caller's transaction; the rules newly added."""
    package = session.execute(
        select(Package.ecosystem, Package.key)
        .join(Version, Version.package_id == Package.id)
        .join(Result, Result.version_id == Version.id)
        .where(Result.id == result_id)).one_or_none()
    if package is None:
        return []
    fired = set(session.scalars(select(FindingRow.rule).where(FindingRow.result_id == result_id)))
    already = set(session.scalars(select(AllowListEntry.rule).where(
        AllowListEntry.result_id == result_id)))
    added = sorted(fired - already)
    session.add_all(
        AllowListEntry(ecosystem=package.ecosystem, key=package.key, rule=rule,
                       reason=reason[:MAX_REASON_CHARS], reviewer=reviewer, created_at=now,
                       result_id=result_id)
        for rule in added)
    return added


def revoke_result(session: Session, result_id: int) -> int:
    """Take back the entries a dismissal of this result made (it was confirmed after all)."""
    done = session.execute(delete(AllowListEntry).where(AllowListEntry.result_id == result_id))
    return int(getattr(done, "rowcount", 0) or 0)
