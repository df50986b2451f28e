"""What the HTML pages draw, derived from a JSON result document: timeline, tree, sensitive paths.

The document is the JSON contract (`result_codec`), read back from files or the store, so
every field is read defensively: an older or partial document still renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from analyzer.baits import HONEYTOKEN_FILES
from analyzer.models import AnalysisResult, Phase, Verdict
from analyzer.result_codec import ResultFormatError, result_from_dict

FLAGGED = (Verdict.MALICIOUS.value, Verdict.SUSPICIOUS.value)
VERDICT_ORDER = {"malicious": 0, "suspicious": 1, "error": 2, "benign": 3}
REVIEW_STATES = ("unreviewed", "confirmed", "dismissed")
# Credential stores, browser profiles and wallets: reading one is what a stealer does.
_SENSITIVE = re.compile(
    r"/\.ssh/|/\.aws/|/\.npmrc$|/\.pypirc$|/\.git-credentials$|/\.docker/config\.json$|"
    r"/\.config/gh/|/\.kube/|/\.gnupg/|/\.netrc$|/\.bash_history$|/\.zsh_history$|"
    r"/etc/shadow$|/\.env$|google-chrome|chromium|BraveSoftware|/\.mozilla/|firefox|"
    r"discord|Exodus|electrum|/\.bitcoin/|/\.ethereum/|wallet|keychain|Login Data|Cookies",
    re.IGNORECASE)
TREE_ROW = 22
TREE_INDENT = 18
TREE_LABEL_CHARS = 110
TIMELINE_WIDTH = 720


@dataclass(frozen=True)
class Bar:
    """One phase in the timeline: geometry in SVG user units, label as plain text."""

    phase: str
    status: str
    duration_s: float
    x: float
    width: float
    y: int


@dataclass(frozen=True)
class TreeNode:
    """One process drawn in the tree: row, depth and the elbow up to its parent."""

    pid: int
    label: str
    ok: bool
    phase: str
    row: int
    depth: int
    parent_row: int | None


@dataclass(frozen=True)
class IndexRow:
    """One analysis in the index; `href` is built from our own id, never from package text."""

    key: str
    href: str
    ecosystem: str
    name: str
    version: str
    verdict: str
    score: float | None
    created_at: float
    review: str
    rules: tuple[str, ...]
    typosquat: str | None

    @property
    def flagged(self) -> bool:
        return self.verdict in FLAGGED

    @property
    def when(self) -> str:
        return iso(self.created_at)


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def is_sensitive(path: str) -> bool:
    """A honeytoken or a credential/browser/wallet path."""
    if any(path.endswith("/" + bait) for bait in HONEYTOKEN_FILES):
        return True
    return bool(_SENSITIVE.search(path))


def phases(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The phases in pipeline order (install, import, execute), then any unknown ones."""
    found = document.get("phases") or {}
    if not isinstance(found, Mapping):
        return []
    order = [p.value for p in Phase] + sorted(k for k in found if k not in set(Phase))
    return [(name, found[name]) for name in order
            if name in found and isinstance(found[name], Mapping)]


def timeline(document: Mapping[str, Any]) -> list[Bar]:
    """Phases laid end to end on one time axis, `TIMELINE_WIDTH` units wide."""
    durations = [(name, str(p.get("status", "")), _number(p.get("duration_s")))
                 for name, p in phases(document)]
    total = sum(d for _, _, d in durations) or 1.0
    bars, x = [], 0.0
    for row, (name, status, duration) in enumerate(durations):
        width = max(duration / total * TIMELINE_WIDTH, 2.0)
        bars.append(Bar(name, status, duration, round(x, 1), round(width, 1), row * 26))
        x += duration / total * TIMELINE_WIDTH
    return bars


def process_tree(document: Mapping[str, Any]) -> list[TreeNode]:
    """Processes of every phase as one forest, children under their parent, in pid order."""
    entries: list[tuple[str, Mapping[str, Any]]] = [
        (name, proc) for name, phase in phases(document)
        for proc in phase.get("processes") or () if isinstance(proc, Mapping)]
    pids = {_int(p.get("pid")) for _, p in entries}
    children: dict[int | None, list[tuple[str, Mapping[str, Any]]]] = {}
    for name, proc in entries:
        ppid = _int(proc.get("ppid"))
        children.setdefault(ppid if ppid in pids else None, []).append((name, proc))
    nodes: list[TreeNode] = []
    seen: set[int] = set()

    def visit(parent: int | None, depth: int, parent_row: int | None) -> None:
        for name, proc in sorted(children.get(parent, ()), key=lambda e: _int(e[1].get("pid"))):
            pid = _int(proc.get("pid"))
            if pid in seen:  # a pid reused across phases: draw it once
                continue
            seen.add(pid)
            argv = " ".join(str(a) for a in proc.get("argv") or ()) or str(
                proc.get("executable", ""))
            label = argv if len(argv) <= TREE_LABEL_CHARS else argv[:TREE_LABEL_CHARS] + "…"
            row = len(nodes)
            nodes.append(TreeNode(pid, label, bool(proc.get("ok", True)), name, row, depth,
                                  parent_row))
            visit(pid, depth + 1, row)

    visit(None, 0, None)
    return nodes


def sort_rows(rows: Iterable[IndexRow], by: str = "score") -> list[IndexRow]:
    """Flagged first; then by score (highest first) or by time (newest first)."""
    if by == "time":
        return sorted(rows, key=lambda r: (not r.flagged, -r.created_at))
    return sorted(rows, key=lambda r: (VERDICT_ORDER.get(r.verdict, 4), -(r.score or 0.0),
                                       -r.created_at))


def daily_counts(rows: Iterable[IndexRow], days: int = 30) -> list[tuple[str, int, int]]:
    """(day, analyses, flagged) for the last `days` days that have analyses."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        day = iso(row.created_at)[:10]
        entry = counts.setdefault(day, [0, 0])
        entry[0] += 1
        entry[1] += int(row.flagged)
    return [(day, counts[day][0], counts[day][1]) for day in sorted(counts)[-days:]]


def index_row(key: str, href: str, document: Mapping[str, Any], created_at: float,
              review: str) -> IndexRow:
    package = document.get("package") or {}
    squat = document.get("typosquat") or {}
    findings = document.get("findings") or ()
    return IndexRow(
        key=key, href=href, ecosystem=str(package.get("ecosystem", "")),
        name=str(package.get("name", "")), version=str(package.get("version", "")),
        verdict=str(document.get("verdict") or "unscored"),
        score=_number(document.get("score")) if document.get("score") is not None else None,
        created_at=created_at, review=review,
        rules=tuple(sorted({str(f.get("rule", "")) for f in findings if isinstance(f, Mapping)})),
        typosquat=str(squat["target"]) if isinstance(squat, Mapping) and "target" in squat
        else None)


def started_at(document: Mapping[str, Any]) -> float:
    """`started_at` as Unix seconds (0 when the document has none)."""
    try:
        moment = datetime.fromisoformat(str(document.get("started_at")))
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def result_for_osv(document: Mapping[str, Any]) -> AnalysisResult | None:
    """The `AnalysisResult` of a malicious document, for `osv_record`; None when the
    document is not malicious or not one this version reads."""
    if document.get("verdict") != Verdict.MALICIOUS.value:
        return None
    try:
        return result_from_dict(document)
    except ResultFormatError:
        return None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _int(value: Any) -> int:
    return value if isinstance(value, int) else -1
