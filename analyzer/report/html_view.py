"""What the HTML pages draw, derived from an `AnalysisResult`: timeline, tree, sensitive paths.

A stored document reaches here only decoded by `result_codec`, which gives an older
document's missing fields their defaults: nothing here reads JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from analyzer.baits import HONEYTOKEN_FILES
from analyzer.models import FLAGGED, AnalysisResult, Leak, Phase, PhaseResult, ProcessEvent

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


def phases(result: AnalysisResult) -> list[PhaseResult]:
    """The phases in pipeline order (install, import, execute, persona)."""
    order = list(Phase)
    return sorted(result.phases, key=lambda p: order.index(p.phase))


def leaks(result: AnalysisResult) -> list[tuple[Phase, Leak]]:
    return [(p.phase, leak) for p in phases(result) for leak in p.trace.leaks]


def timeline(result: AnalysisResult) -> list[Bar]:
    """Phases laid end to end on one time axis, `TIMELINE_WIDTH` units wide."""
    durations = [(p.phase.value, p.status.value, p.duration_s) for p in phases(result)]
    total = sum(d for _, _, d in durations) or 1.0
    bars, x = [], 0.0
    for row, (name, status, duration) in enumerate(durations):
        width = max(duration / total * TIMELINE_WIDTH, 2.0)
        bars.append(Bar(name, status, duration, round(x, 1), round(width, 1), row * 26))
        x += duration / total * TIMELINE_WIDTH
    return bars


def process_tree(result: AnalysisResult) -> list[TreeNode]:
    """Processes of every phase as one forest, children under their parent, in pid order."""
    entries = [(p.phase.value, proc) for p in phases(result) for proc in p.trace.processes]
    pids = {proc.pid for _, proc in entries}
    children: dict[int | None, list[tuple[str, ProcessEvent]]] = {}
    for name, proc in entries:
        children.setdefault(proc.ppid if proc.ppid in pids else None, []).append((name, proc))
    nodes: list[TreeNode] = []
    seen: set[int] = set()

    def visit(parent: int | None, depth: int, parent_row: int | None) -> None:
        for name, proc in sorted(children.get(parent, ()), key=lambda e: e[1].pid):
            if proc.pid in seen:  # a pid reused across phases: draw it once
                continue
            seen.add(proc.pid)
            argv = " ".join(proc.argv) or proc.executable
            label = argv if len(argv) <= TREE_LABEL_CHARS else argv[:TREE_LABEL_CHARS] + "…"
            row = len(nodes)
            nodes.append(TreeNode(proc.pid, label, proc.ok, name, row, depth, parent_row))
            visit(proc.pid, depth + 1, row)

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


def index_row(key: str, href: str, result: AnalysisResult, created_at: float,
              review: str) -> IndexRow:
    ref = result.package
    return IndexRow(
        key=key, href=href, ecosystem=ref.ecosystem.value, name=ref.name, version=ref.version,
        verdict=result.verdict.value if result.verdict else "unscored", score=result.score,
        created_at=created_at, review=review,
        rules=tuple(sorted({f.rule for f in result.findings})),
        typosquat=result.typosquat.target if result.typosquat else None)


def started_at(result: AnalysisResult) -> float:
    """`started_at` as Unix seconds (0 when it is not an ISO 8601 time)."""
    try:
        moment = datetime.fromisoformat(result.started_at)
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
