"""`pkgsandbox report --out DIR`: the index and every report as static files, no server needed.

Filtering without a server or script: one pre-rendered index page per filter value.
File names come from our own ids and a digest of the filter value, never from package text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import Error
from analyzer.models import AnalysisResult
from analyzer.report import html
from analyzer.report.html_view import IndexRow, index_row, sort_rows, started_at
from analyzer.result_codec import ResultFormatError, result_from_dict, result_to_dict
from analyzer.store.database import Database
from analyzer.web import review_store
from analyzer.web.page_size import MAX_PAGE_JSON_BYTES, cut_for_page

log = logging.getLogger(__name__)
MAX_RESULT_BYTES = 64 * 1024 * 1024
# Told one line for each document the codec cannot read: which one, and which field.
Skipped = Callable[[str], None]


class SiteError(Error):
    """The static reports could not be built."""


@dataclass(frozen=True)
class Entry:
    row: IndexRow
    result: AnalysisResult
    decisions: tuple[html.Decision, ...] = ()


def from_results_dir(folder: Path, skipped: Skipped = log.warning) -> Iterator[Entry]:
    """Every result document under `folder` (an `analyze --out` keeps `result.json`);
    one the codec cannot read is skipped, and `skipped` told why."""
    if not folder.is_dir():
        raise SiteError(f"no such folder: {folder}")
    number = 0
    for path in sorted(folder.rglob("*.json")):
        if path.stat().st_size > MAX_RESULT_BYTES:
            raise SiteError(f"{path} is larger than {MAX_RESULT_BYTES} bytes")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise SiteError(f"{path} is not JSON: {' '.join(str(exc).split())}") from exc
        if not isinstance(document, dict) or "package" not in document \
                or "schema_version" not in document:
            continue  # an OSV record or another JSON file next to the results
        try:
            result = result_from_dict(document)
        except ResultFormatError as exc:
            skipped(f"{path}: {exc.diagnostics()}")
            continue
        number += 1
        key = str(number)
        yield Entry(index_row(key, f"r/{key}.html", result, started_at(result), "unreviewed"),
                    result)


def from_database(db: Database, skipped: Skipped = log.warning) -> Iterator[Entry]:
    """Every result in the index; one the codec cannot read is skipped, `skipped` told why."""
    for row in review_store.index_rows(db, href="r/{id}.html"):
        try:
            result = review_store.result(db, int(row.key))
        except ResultFormatError as exc:
            skipped(exc.diagnostics())
            continue
        if result is not None:  # deleted since the index was read
            yield Entry(row, result, tuple(review_store.decisions(db, int(row.key))))


def write_site(entries: list[Entry], out: Path) -> int:
    """Write index.html, one index per filter value, and r/<id>.html|.json|.osv.json."""
    rows = [entry.row for entry in entries]
    for entry in entries:
        key = entry.row.key
        osv = html.osv_text(entry.result)
        links = html.ReportLinks(index="../index.html", json=f"{key}.json",
                                 osv=f"{key}.osv.json" if osv else None)
        panel = html.ReviewPanel(entry.row.review, entry.decisions) if entry.decisions else None
        raw = json.dumps(result_to_dict(entry.result), indent=2)
        shown = entry.result if len(raw) <= MAX_PAGE_JSON_BYTES \
            else cut_for_page(entry.result, len(raw), f"{key}.json")
        html.write_text(out / "r" / f"{key}.html", html.render_report(shown, links, panel))
        html.write_text(out / "r" / f"{key}.json", raw + "\n")
        if osv:
            html.write_text(out / "r" / f"{key}.osv.json", osv + "\n")

    def href(key: str, value: str | None) -> str:
        return "index.html" if value is None else _filter_page(key, value)

    pages: dict[str, dict[str, str]] = {"index.html": {}}
    for group in html.filter_groups(rows, {}, href):
        for value, page, _ in group.options[1:]:
            pages[page] = {group.label: value}
    for page, selected in pages.items():
        chosen = sort_rows(html.apply_filters(rows, selected))
        text = html.render_index(chosen, html.filter_groups(rows, selected, href),
                                 total=len(rows), active=bool(selected), chart_rows=rows)
        html.write_text(out / page, text)
    return len(entries)


def _filter_page(key: str, value: str) -> str:
    digest = hashlib.sha256(f"{key}\0{value}".encode()).hexdigest()[:12]
    return f"index-{key}-{digest}.html"
