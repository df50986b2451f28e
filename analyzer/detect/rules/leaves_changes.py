"""The leaf over the change set: what this release has that its baseline had not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from analyzer.baseline.compare import BUILD, CHANNELS, DOMAIN
from analyzer.baseline.interface import Change, ChangeKind, DependencySource
from analyzer.detect.rules.context import Context, clip
from analyzer.detect.rules.leaf import Leaf, Pattern, allows, choice_of, count, globs, regexes
from analyzer.detect.rules.patterns import NO_GLOBS, GlobSet, path_glob, search_any
from analyzer.models import Phase
from analyzer.signals import SignalKind

# What `detail` may name: a dependency's source, a signal's kind, a destination's channel.
DETAILS = (*(s.value for s in DependencySource), *(k.value for k in SignalKind), *CHANNELS,
           DOMAIN, BUILD)


@dataclass(frozen=True)
class ChangedLeaf(Leaf[Change]):
    """A change since the baseline: `kind` (ChangeKind values), `subject` globs (a path,
    a script's, dependency's or program's name, a host, a metadata field), the `phase`
    it was seen in, `detail` (a dependency's source, a signal's kind, a destination's
    channel, `domain` for an email on another domain, `build` for a script of build
    tools only), `after` and `before` regexes
    over the new and old value, and `grown_min` bytes a file added or grew by. Without
    a baseline there are no changes, and the leaf never holds."""

    key: ClassVar[str] = "changed"
    bound: ClassVar[bool] = False
    kind: frozenset[str] = frozenset()
    subject: GlobSet = NO_GLOBS
    phase: frozenset[str] = frozenset()
    detail: frozenset[str] = frozenset()
    after: tuple[Pattern, ...] = ()
    before: tuple[Pattern, ...] = ()
    grown_min: int | None = None

    def events(self, ctx: Context) -> Iterable[Change]:
        changes = ctx.result.changes
        return () if changes is None else changes.changes

    def accepts(self, event: Change, ctx: Context) -> bool:
        return (
            allows(self.kind, event.kind.value)
            and (not self.subject or self.subject.match(event.subject))
            and (not self.phase or (event.phase is not None and event.phase.value in self.phase))
            and allows(self.detail, event.detail)
            and (not self.after or search_any(self.after, event.after or ""))
            and (not self.before or search_any(self.before, event.before or ""))
            and (self.grown_min is None or _growth(event) >= self.grown_min)
        )

    def describe(self, event: Change, ctx: Context) -> str:
        baseline = ctx.result.changes.baseline if ctx.result.changes else "?"
        text = f"since {clip(baseline, 40)}: {event.kind.value} {clip(event.subject, 160)}"
        if event.phase is not None:
            text += f" ({event.phase.value})"
        if event.detail:
            text += f" [{clip(event.detail, 40)}]"
        if event.before is not None:
            text += f": was {clip(event.before, 120)}"
        if event.after is not None:
            text += f"{',' if event.before is not None else ':'} now {clip(event.after, 160)}"
        return text


def _growth(change: Change) -> int:
    """Bytes a file was added with or grew by (0 for any other change)."""
    if change.kind not in (ChangeKind.FILE_ADDED, ChangeKind.FILE_GROWN):
        return 0
    try:
        return int(change.after or 0) - int(change.before or 0)
    except ValueError:
        return 0


ChangedLeaf.FIELDS = {
    "kind": choice_of(k.value for k in ChangeKind),
    "subject": globs(path_glob),
    "phase": choice_of(p.value for p in Phase),
    "detail": choice_of(DETAILS),
    "after": regexes,
    "before": regexes,
    "grown_min": count,
}
