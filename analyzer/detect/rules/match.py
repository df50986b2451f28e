"""The `match` part of a rule: clauses over one phase of the analysis, combined with
`all`, `any` and `not`, each hit quoted as evidence a reviewer can read.

A clause that looks at the trace (files, processes, network, leaks) is *bound*: it is
evaluated in one phase at a time, so `all: [file..., process...]` means both in the
same phase. Static signals, metadata and the typosquat check belong to no phase and
hold in every one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from analyzer.detect.rules.context import Context
from analyzer.detect.rules.leaves import LEAVES, Leaf
from analyzer.detect.rules.patterns import Problems

E = TypeVar("E")

# More quoted events than this in one finding are counted, not listed.
MAX_EVIDENCE = 20


@dataclass(frozen=True)
class Outcome:
    matched: bool
    evidence: tuple[str, ...] = ()


NO_MATCH = Outcome(False)


class Clause(ABC):
    """A node of a rule's `match` tree."""

    @property
    @abstractmethod
    def bound(self) -> bool:
        """True when the clause looks at a phase's trace."""

    @property
    @abstractmethod
    def positive(self) -> bool:
        """True when the clause can only hold because of some event (not by absence),
        so a match always has evidence to quote."""

    @abstractmethod
    def evaluate(self, ctx: Context) -> Outcome: ...


@dataclass(frozen=True)
class AllOf(Clause):
    clauses: tuple[Clause, ...]

    @property
    def bound(self) -> bool:
        return any(c.bound for c in self.clauses)

    @property
    def positive(self) -> bool:
        return any(c.positive for c in self.clauses)

    def evaluate(self, ctx: Context) -> Outcome:
        evidence: list[str] = []
        for clause in self.clauses:
            outcome = clause.evaluate(ctx)
            if not outcome.matched:
                return NO_MATCH
            evidence.extend(outcome.evidence)
        return Outcome(True, unique(evidence))


@dataclass(frozen=True)
class AnyOf(Clause):
    clauses: tuple[Clause, ...]

    @property
    def bound(self) -> bool:
        return any(c.bound for c in self.clauses)

    @property
    def positive(self) -> bool:
        return all(c.positive for c in self.clauses)

    def evaluate(self, ctx: Context) -> Outcome:
        # Every matching branch is evaluated: a reviewer wants all the evidence.
        outcomes = [o for o in (c.evaluate(ctx) for c in self.clauses) if o.matched]
        if not outcomes:
            return NO_MATCH
        return Outcome(True, unique(e for o in outcomes for e in o.evidence))


@dataclass(frozen=True)
class Not(Clause):
    clause: Clause

    @property
    def bound(self) -> bool:
        return self.clause.bound

    @property
    def positive(self) -> bool:
        return False

    def evaluate(self, ctx: Context) -> Outcome:
        return Outcome(not self.clause.evaluate(ctx).matched)


@dataclass(frozen=True)
class LeafClause(Clause, Generic[E]):
    """One leaf (`file`, `process`...) and how many distinct hits it needs (`min_count`)."""

    leaf: Leaf[E]
    min_count: int = 1

    @property
    def bound(self) -> bool:
        return self.leaf.bound

    @property
    def positive(self) -> bool:
        return True

    def evaluate(self, ctx: Context) -> Outcome:
        if self.leaf.bound and ctx.phase is None:
            return NO_MATCH
        hits = [event for event in self.leaf.events(ctx) if self.leaf.matches(event, ctx)]
        grouped = self.leaf.grouped(hits, ctx)
        evidence = grouped if grouped is not None else unique(
            self.leaf.describe(event, ctx) for event in hits)
        if len(evidence) < self.min_count:
            return NO_MATCH
        return Outcome(True, evidence)


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def cap_evidence(evidence: tuple[str, ...]) -> tuple[str, ...]:
    if len(evidence) <= MAX_EVIDENCE:
        return evidence
    return (*evidence[: MAX_EVIDENCE - 1], f"... and {len(evidence) - MAX_EVIDENCE + 1} more")


# --- reading a `match` tree from YAML ------------------------------------------------

COMBINATORS = ("all", "any", "not")


def parse_clause(data: Any, where: str, problems: Problems) -> Clause | None:
    """One node: a mapping with exactly one key, a combinator or a leaf kind."""
    keys = ", ".join((*COMBINATORS, *LEAVES))
    if not isinstance(data, Mapping) or len(data) != 1:
        problems.add(where, f"expected a mapping with exactly one of: {keys}")
        return None
    (key, value), = data.items()
    place = f"{where}.{key}"
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            problems.add(place, "expected a non-empty list of clauses")
            return None
        children = [parse_clause(item, f"{place}[{i}]", problems) for i, item in enumerate(value)]
        if any(child is None for child in children):
            return None
        built = tuple(c for c in children if c is not None)
        return AllOf(built) if key == "all" else AnyOf(built)
    if key == "not":
        child = parse_clause(value, place, problems)
        return None if child is None else Not(child)
    if key in LEAVES:
        return _parse_leaf(key, value, place, problems)
    problems.add(where, f"unknown clause {key!r} (expected one of: {keys})")
    return None


def _parse_leaf(kind: str, value: Any, where: str, problems: Problems) -> Clause | None:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        problems.add(where, "expected a mapping of fields")
        return None
    before = len(problems.items)
    leaf = LEAVES[kind].parse({k: v for k, v in value.items() if k != "min_count"}, where,
                              problems)
    min_count = value.get("min_count", 1)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        problems.add(f"{where}.min_count", "expected a whole number of at least 1")
    if leaf is None or len(problems.items) != before:
        return None
    return LeafClause(leaf, min_count)
