"""Leaves that belong to no phase: static signals, metadata, the trace, the typosquat check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from analyzer.detect.rules.context import Context, clip
from analyzer.detect.rules.leaf import (
    Leaf,
    Pattern,
    allows,
    choice_of,
    count,
    globs,
    regexes,
    text_field,
)
from analyzer.detect.rules.patterns import NO_GLOBS, GlobSet, path_glob, search_any
from analyzer.detect.typosquat.variants import Kind as SquatKind
from analyzer.models import PhaseStatus, TraceStats, Typosquat
from analyzer.signals import FileRole, SignalKind, StaticSignal


@dataclass(frozen=True)
class SignalLeaf(Leaf[StaticSignal]):
    """A static signal: `kind` (SignalKind values), `path` globs inside the package,
    the file's `role`, regexes over the `excerpt` and the `detail`."""

    key: ClassVar[str] = "signal"
    bound: ClassVar[bool] = False
    kind: frozenset[str] = frozenset()
    path: GlobSet = NO_GLOBS
    role: frozenset[str] = frozenset()
    excerpt: tuple[Pattern, ...] = ()
    detail: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[StaticSignal]:
        return ctx.result.static_signals

    def accepts(self, event: StaticSignal, ctx: Context) -> bool:
        return (
            allows(self.kind, event.kind.value)
            and (not self.path or self.path.match(event.path))
            and allows(self.role, event.role.value)
            and (not self.excerpt or search_any(self.excerpt, event.excerpt))
            and (not self.detail or search_any(self.detail, event.detail))
        )

    def describe(self, event: StaticSignal, ctx: Context) -> str:
        where = clip(event.path, 160) + (f":{event.line}" if event.line is not None else "")
        text = f"{where}: {event.kind.value}"
        if event.detail:
            text += f" ({clip(event.detail, 120)})"
        if event.excerpt:
            text += f": {clip(event.excerpt, 160)}"
        return text


SignalLeaf.FIELDS = {
    "kind": choice_of(k.value for k in SignalKind),
    "path": globs(path_glob),
    "role": choice_of(r.value for r in FileRole),
    "excerpt": regexes,
    "detail": regexes,
}


@dataclass(frozen=True)
class MetadataLeaf(Leaf[tuple[str, str]]):
    """A registry or archive metadata `field` whose value matches a `regex`
    (without `regex`: the field is present)."""

    key: ClassVar[str] = "metadata"
    bound: ClassVar[bool] = False
    field: str | None = None
    regex: tuple[Pattern, ...] = ()

    def events(self, ctx: Context) -> Iterable[tuple[str, str]]:
        return ctx.result.metadata.items()

    def accepts(self, event: tuple[str, str], ctx: Context) -> bool:
        key, value = event
        return (self.field is None or key == self.field) and (
            not self.regex or search_any(self.regex, value)
        )

    def describe(self, event: tuple[str, str], ctx: Context) -> str:
        return f"metadata {clip(event[0], 40)}: {clip(event[1], 200)}"


MetadataLeaf.FIELDS = {"field": text_field, "regex": regexes}


@dataclass(frozen=True)
class TraceLeaf(Leaf[TraceStats]):
    """At least `unparsed_min` trace lines could not be parsed while package code ran
    (some phase not skipped): only a package can write what breaks a line."""

    key: ClassVar[str] = "trace"
    bound: ClassVar[bool] = False
    unparsed_min: int | None = None

    def events(self, ctx: Context) -> Iterable[TraceStats]:
        ran = any(p.status is not PhaseStatus.SKIPPED for p in ctx.result.phases)
        return (ctx.result.trace_stats,) if ran else ()

    def accepts(self, event: TraceStats, ctx: Context) -> bool:
        return event.unparsed_lines >= (self.unparsed_min or 1)

    def describe(self, event: TraceStats, ctx: Context) -> str:
        sample = f": {clip(event.unparsed_samples[0], 200)}" if event.unparsed_samples else ""
        return f"{event.unparsed_lines} unparsed trace lines{sample}"


TraceLeaf.FIELDS = {"unparsed_min": count}


@dataclass(frozen=True)
class TyposquatLeaf(Leaf[Typosquat]):
    """The package name imitates a popular one: `kind` of imitation, `distance_max`."""

    key: ClassVar[str] = "typosquat"
    bound: ClassVar[bool] = False
    kind: frozenset[str] = frozenset()
    distance_max: int | None = None

    def events(self, ctx: Context) -> Iterable[Typosquat]:
        squat = ctx.result.typosquat
        return () if squat is None else (squat,)

    def accepts(self, event: Typosquat, ctx: Context) -> bool:
        return allows(self.kind, event.kind) and (
            self.distance_max is None or event.distance <= self.distance_max
        )

    def describe(self, event: Typosquat, ctx: Context) -> str:
        return (f"the name {clip(ctx.result.package.name, 100)} imitates the popular package "
                f"{clip(event.target, 100)} ({event.kind}, distance {event.distance})")


TyposquatLeaf.FIELDS = {"kind": choice_of(k.value for k in SquatKind), "distance_max": count}
