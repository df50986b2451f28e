"""A baseline from the store: the newest stored analysis of one release, if it is readable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from analyzer.models import AnalysisResult, Ecosystem
from analyzer.result_codec import ResultFormatError, result_from_dict
from analyzer.store.database import Database, StoreError
from analyzer.store.releases import package_key
from analyzer.store.schema import Package, Result, Version


def stored_result(db: Database, ecosystem: Ecosystem, name: str,
                  version: str) -> AnalysisResult | None:
    """The newest result of `name` `version`; None when there is none, or the stored
    document is one this version cannot read (then the release is analysed again)."""
    query = (select(Result.document)
             .join(Version, Version.id == Result.version_id)
             .join(Package, Package.id == Version.package_id)
             .where(Package.ecosystem == ecosystem.value,
                    Package.key == package_key(ecosystem, name), Version.version == version)
             .order_by(Result.created_at.desc(), Result.id.desc()).limit(1))
    try:
        with db.reading() as session:
            document = session.scalars(query).first()
    except (SQLAlchemyError, StoreError):
        return None  # a store of another schema: the baseline is analysed instead
    if document is None:
        return None
    try:
        return result_from_dict(document)
    except ResultFormatError:
        return None
