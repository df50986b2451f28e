"""HTML pages of analyses, rendered from `AnalysisResult`s; the only place they are built.

Everything a package wrote (names, paths, argv, HTTP bodies) is data: Jinja2 autoescapes
every template, package text never becomes a URL, and the pages carry no script at all.
The one <style> block is allowed by its hash, so the Content-Security-Policy needs neither
'unsafe-inline' nor any source other than the page itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from analyzer.atomic import write_atomic
from analyzer.models import AnalysisResult, Verdict
from analyzer.report import html_view
from analyzer.report.html_view import IndexRow
from analyzer.report.osv import osv_record
from analyzer.result_codec import result_to_dict

HERE = Path(__file__).parent
CSS = (HERE / "static" / "report.css").read_text(encoding="utf-8")
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode()
# For <meta> in static files (which cannot carry frame-ancestors) and as the HTTP header.
PAGE_CSP = (f"default-src 'none'; style-src '{STYLE_HASH}'; img-src data:; "
            "form-action 'self'; base-uri 'none'")
HTTP_CSP = PAGE_CSP + "; frame-ancestors 'none'"
MAX_FILE_ROWS = 500  # per phase; a package that walks the disk would make the page useless

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every template, whatever its extension
    undefined=jinja2.StrictUndefined,  # a misspelt field fails the tests, not renders empty
    trim_blocks=True, lstrip_blocks=True,
)


@dataclass(frozen=True)
class ReportLinks:
    """Our own URLs next to a report; None leaves the link out."""

    index: str | None = None
    json: str | None = None
    osv: str | None = None


@dataclass(frozen=True)
class Decision:
    when: str
    reviewer: str
    decision: str
    note: str | None


@dataclass(frozen=True)
class ReviewPanel:
    """The review state of one result and, for a signed-in reviewer, the forms to change it."""

    state: str
    decisions: tuple[Decision, ...]
    action: str | None = None  # where the forms post
    csrf: str | None = None  # None: no forms, only a sign-in link
    login: str | None = None


@dataclass(frozen=True)
class FilterGroup:
    label: str
    options: tuple[tuple[str, str, bool], ...]  # (value shown, href, selected)


def osv_text(result: AnalysisResult) -> str | None:
    """The OSV record of a malicious result as indented JSON, or None."""
    if result.verdict is not Verdict.MALICIOUS:
        return None
    return json.dumps(osv_record(result), indent=2)


def render_report(result: AnalysisResult, links: ReportLinks = ReportLinks(),
                  review: ReviewPanel | None = None, meta_csp: bool = True) -> str:
    """One analysis as a self-contained page.

    `meta_csp` puts the policy in the page too, for files opened from disk.
    """
    return _ENV.get_template("report.html.j2").render(
        doc=result, phases=html_view.phases(result), leaks=html_view.leaks(result),
        bars=html_view.timeline(result), timeline_width=html_view.TIMELINE_WIDTH,
        tree=html_view.process_tree(result), row_h=html_view.TREE_ROW,
        indent=html_view.TREE_INDENT, max_rows=MAX_FILE_ROWS, sensitive=html_view.is_sensitive,
        osv=osv_text(result), raw=json.dumps(result_to_dict(result), indent=2, ensure_ascii=False),
        links=links, review=review, **_page(meta_csp))


def render_index(rows: Sequence[IndexRow], filters: Sequence[FilterGroup] = (),
                 total: int | None = None, active: bool = False,
                 chart_rows: Sequence[IndexRow] | None = None, login_href: str | None = None,
                 reviewer: str | None = None, meta_csp: bool = True) -> str:
    """The table of analyses (already filtered and sorted) and a chart of the days."""
    chart = html_view.daily_counts(rows if chart_rows is None else chart_rows)
    return _ENV.get_template("index.html.j2").render(
        rows=rows, filters=filters, total=len(rows) if total is None else total, active=active,
        chart=chart, chart_max=max((c[1] for c in chart), default=1), login_href=login_href,
        reviewer=reviewer, **_page(meta_csp))


def filter_groups(rows: Sequence[IndexRow], selected: Mapping[str, str],
                  href: Callable[[str, str | None], str]) -> list[FilterGroup]:
    """Links that narrow the index by verdict, ecosystem, review state and rule.

    `href(key, value)` makes the link (value None clears that filter).
    """
    values = {
        "verdict": sorted({r.verdict for r in rows}, key=lambda v: html_view.VERDICT_ORDER.get(
            v, 9)),
        "ecosystem": sorted({r.ecosystem for r in rows}),
        "review": list(html_view.REVIEW_STATES),
        "rule": sorted({rule for r in rows for rule in r.rules}),
    }
    groups = []
    for key, options in values.items():
        if not options:
            continue
        entries = [("all", href(key, None), key not in selected)]
        entries += [(value, href(key, value), selected.get(key) == value) for value in options]
        groups.append(FilterGroup(key, tuple(entries)))
    return groups


def apply_filters(rows: Sequence[IndexRow], selected: Mapping[str, str]) -> list[IndexRow]:
    def keep(row: IndexRow) -> bool:
        return all((
            selected.get("verdict") in (None, row.verdict),
            selected.get("ecosystem") in (None, row.ecosystem),
            selected.get("review") in (None, row.review),
            "rule" not in selected or selected["rule"] in row.rules,
        ))
    return [row for row in rows if keep(row)]


def write_report(result: AnalysisResult, path: Path) -> None:
    """Write the self-contained report of one analysis (`analyze --html FILE`)."""
    write_text(path, render_report(result))


def write_text(path: Path, text: str) -> None:
    """Replace `path` whole, so a reader never sees half a page."""
    write_atomic(path, text)


def _page(meta_csp: bool) -> dict[str, Any]:
    return {"css": Markup(CSS), "meta_csp": PAGE_CSP if meta_csp else None}  # noqa: S704


def render_login(message: str | None = None) -> str:
    """The sign-in form of the review server."""
    return _ENV.get_template("login.html.j2").render(message=message, **_page(False))
