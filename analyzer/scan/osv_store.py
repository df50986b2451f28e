"""OSV records in the store: `osv import DIR` writes them, the scan reads them with ours."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from analyzer.scan.interface import ScanError
from analyzer.scan.osv_match import OsvRecord
from analyzer.store.database import Database
from analyzer.store.schema import OsvRecordRow


def import_dir(db: Database, directory: Path, problem: Callable[[str], None]) -> tuple[int, int]:
    """Every `*.json` under `directory` upserted by id; (imported, bad)."""
    if not directory.is_dir():
        raise ScanError(f"no such directory: {directory}")
    imported = bad = 0
    now = time.time()
    with db.transaction() as session:
        for path in sorted(directory.rglob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                record = OsvRecord.from_json(data)
            except (ValueError, OSError, AttributeError, TypeError) as exc:
                bad += 1
                problem(f"{path}: bad OSV record: {' '.join(str(exc).split())[:160]}")
                continue
            row = session.get(OsvRecordRow, record.id)
            if row is None:
                session.add(OsvRecordRow(id=record.id, modified=str(data.get("modified")),
                                         imported_at=now, document=data))
            else:
                row.modified, row.imported_at, row.document = (
                    str(data.get("modified")), now, data)
            session.flush()
            imported += 1
    return imported, bad


def load_records(db: Database, own_dir: Path | None) -> list[OsvRecord]:
    """Imported records, and the project's own in `own_dir` (reports/osv) when it exists."""
    records: dict[str, OsvRecord] = {}
    with db.reading() as session:
        for row in session.query(OsvRecordRow):
            try:
                records[row.id] = OsvRecord.from_json(row.document)
            except ValueError:
                continue
    if own_dir is not None and own_dir.is_dir():
        for path in sorted(own_dir.glob("*.json")):
            try:
                record = OsvRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, OSError):
                continue
            records.setdefault(record.id, record)
    return list(records.values())
