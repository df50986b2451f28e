"""Typosquat check: does a new package name imitate a popular one of its ecosystem?"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from analyzer.detect.typosquat.cache import cached
from analyzer.detect.typosquat.fuzzy import FuzzyIndex, distance
from analyzer.detect.typosquat.lists import (
    FILENAMES,
    SHIPPED_DIR,
    PopularListError,
    copy_popular_lists,
    load_popular,
)
from analyzer.detect.typosquat.variants import (
    Kind,
    affix_form,
    classify,
    combo_cores,
    normalize,
    own_core,
    reorder_key,
    sepless,
    skeleton,
    split_scope,
)
from analyzer.models import Ecosystem, Typosquat

__all__ = [
    "PopularListError",
    "TyposquatChecker",
    "check_name",
    "checker_for",
    "load_popular",
    "measure_checks_per_second",
    "refresh_popular_lists",
]

# A combosquat (`python-requests`) or a copy across npm scopes (`@evil/lodash`) keeps
# the target's name whole, so the target must be worth imitating and not a plain
# word: `py` + `test` or `node-` + `fetch` are how honest projects are named.
COMBO_MIN_LENGTH = 5
COMBO_MAX_RANK = 3000
# The core of a popular name (`dotenv` of `python-dotenv`) stands for it from 6 letters:
# `fetch` of `node-fetch` is a word.
OWN_CORE_MIN_LENGTH = 6
# `d3.js`, `jquery.js`: how people write the library's name, however short the name.
JS_SUFFIX_MAX_RANK = 3000
# Two edits turn many honest names into other honest names (`graphyte`, `graphene`);
# only the names worth that much effort are compared that loosely.
TWO_EDITS_MAX_RANK = 1000

_Key = TypeVar("_Key", str, tuple[str, ...])


# Match strength, strongest first: a look-alike of the same shape (`crossenv`), one
# edit or a copy across npm scopes or a combosquat, then two edits or a scoped copy.
LOOKALIKE, CLOSE, FAR = 0, 1, 2


class _Match(NamedTuple):
    """One way the query imitates a popular name; the lowest (tier, rank) wins."""

    tier: int
    rank: int  # position in the popularity list, 0 = most popular
    kind: Kind | None  # None: decided by `classify`


class TyposquatChecker:
    """Compares names against one ecosystem's popular names, through indexes built once.

    `popular` is ordered most popular first; a name in it is never flagged.
    """

    def __init__(self, popular: Sequence[str], ecosystem: Ecosystem) -> None:
        self.ecosystem = ecosystem
        self._display: list[str] = []
        self._names: list[str] = []
        self._rank: dict[str, int] = {}
        for name in popular:
            normal = normalize(name, ecosystem)
            if normal not in self._rank:
                self._rank[normal] = len(self._names)
                self._names.append(normal)
                self._display.append(name)
        self._sepless = self._by_shape(sepless)
        self._skeleton = self._by_shape(skeleton)
        self._reordered = _first_wins(
            (key, i) for i, n in enumerate(self._names) if (key := reorder_key(n)) is not None
        )
        self._fuzzy = FuzzyIndex(self._names)
        self._combo = _first_wins(self._combo_targets())
        self._affixes = _first_wins((affix_form(n), i) for i, n in enumerate(self._names))
        self._dotted_js = _first_wins(
            (sepless(n), i) for i, n in enumerate(self._names[:JS_SUFFIX_MAX_RANK])
        )
        self._build_scopes()

    def _by_shape(self, form: Callable[[str], str]) -> tuple[dict[str, int], dict[str, int]]:
        """Two lookup tables of `form(name)`: for unscoped names, and for scoped names."""
        shapes = [(form(n), i, split_scope(n)[0] is not None) for i, n in enumerate(self._names)]
        return (
            _first_wins((key, i) for key, i, scoped in shapes if not scoped),
            _first_wins((key, i) for key, i, scoped in shapes if scoped),
        )

    def _combo_targets(self) -> Iterable[tuple[str, int]]:
        for index, name in enumerate(self._names[:COMBO_MAX_RANK]):
            if split_scope(name)[0] is not None:
                continue
            if len(key := sepless(name)) >= COMBO_MIN_LENGTH:
                yield key, index
            core = own_core(name)
            if core != name and len(key := sepless(core)) >= OWN_CORE_MIN_LENGTH:
                yield key, index

    def _build_scopes(self) -> None:
        self._scopes: dict[str, list[int]] = {}
        scopes_using: dict[str, set[str]] = {}
        for index, name in enumerate(self._names):
            scope, rest = split_scope(name)
            if scope is not None:
                self._scopes.setdefault(scope, []).append(index)
                scopes_using.setdefault(rest, set()).add(scope)
        # `@sentry/react`, `@mdi/react`: a name part that several established scopes
        # use is a convention for bindings, so `@acme/react` copies nothing. `@types/x`
        # mirrors every package `x`, so it does not count.
        self._conventional = {
            rest for rest, scopes in scopes_using.items() if len(scopes - {"types"}) > 1
        }
        self._scope_list = list(self._scopes)
        scope_forms = [sepless(scope) for scope in self._scope_list]
        self._scope_sepless = _first_wins((form, i) for i, form in enumerate(scope_forms))
        self._scope_fuzzy = FuzzyIndex(scope_forms)

    def check(self, name: str) -> Typosquat | None:
        """The popular name that `name` imitates, or None."""
        query = normalize(name, self.ecosystem)
        if query in self._rank:
            return None
        scope, rest = split_scope(query) if self.ecosystem is Ecosystem.NPM else (None, query)
        if scope is not None and scope in self._scopes:
            return None  # only the owner of an established npm scope publishes in it
        matches = list(self._lookalikes(query, scoped=scope is not None))
        matches.extend(
            _Match(CLOSE if edits == 1 else FAR, i, None)
            for i, edits in self._fuzzy.search(query)
            if edits == 1 or i < TWO_EDITS_MAX_RANK
        )
        if scope is None:
            matches.extend(self._combosquats(query))
        else:
            matches.extend(self._scope_squats(scope, rest))
        if not matches:
            return None
        best = min(matches, key=lambda match: (match.tier, match.rank))
        target = self._names[best.rank]
        kind = best.kind or classify(query, target)
        return Typosquat(
            target=self._display[best.rank], distance=distance(query, target), kind=kind.value
        )

    def _lookalikes(self, query: str, scoped: bool) -> Iterable[_Match]:
        """Same name to a reader: separators, glyphs, word order. Across shapes, a scope trick."""
        for tables, key in ((self._sepless, sepless(query)), (self._skeleton, skeleton(query))):
            for shape, table in enumerate(tables):
                if (found := table.get(key)) is not None:
                    yield _Match(LOOKALIKE if bool(shape) == scoped else CLOSE, found, None)
        order = reorder_key(query)
        if order is not None and (found := self._reordered.get(order)) is not None:
            yield _Match(LOOKALIKE, found, None)

    def _combosquats(self, query: str) -> Iterable[_Match]:
        form = affix_form(query)
        if form != sepless(query) and (found := self._affixes.get(form)) is not None:
            yield _Match(CLOSE, found, Kind.COMBOSQUAT)
        for core in combo_cores(query):
            if (found := self._combo.get(sepless(core))) is not None:
                yield _Match(CLOSE, found, Kind.COMBOSQUAT)
        dotted = self.ecosystem is Ecosystem.NPM and query.endswith(".js")
        if dotted and (found := self._dotted_js.get(sepless(query[:-3]))) is not None:
            yield _Match(CLOSE, found, Kind.COMBOSQUAT)

    def _scope_squats(self, scope: str, rest: str) -> Iterable[_Match]:
        """`@typescript_eslinter/eslint`, `@types-node/x`, `@evil/lodash`: the scope deceives."""
        flat = sepless(scope)
        if (found := self._scope_sepless.get(flat)) is not None:
            members = self._scopes[self._scope_list[found]]
            member = self._member_named(members, rest)
            yield _Match(LOOKALIKE, members[0] if member is None else member, Kind.SCOPE)
        for index, _ in self._scope_fuzzy.search(flat):
            # A scope one letter off an established one is often just another project
            # (`@storyblok`, `@storybook`): only a name from that scope gives it away.
            member = self._member_named(self._scopes[self._scope_list[index]], rest)
            if member is not None:
                yield _Match(CLOSE, member, Kind.SCOPE)
        if (found := self._sepless[1].get(flat)) is not None:
            yield _Match(CLOSE, found, Kind.SCOPE)
        found = self._rank.get(rest) if len(rest) >= COMBO_MIN_LENGTH else None
        if found is not None and found < COMBO_MAX_RANK and rest not in self._conventional:
            yield _Match(FAR, found, Kind.SCOPE)

    def _member_named(self, members: list[int], rest: str) -> int | None:
        """The scope member called `rest`, else one whose name starts with it or it with."""
        parts = [(split_scope(self._names[i])[1], i) for i in members]
        for part, index in parts:
            if part == rest:
                return index
        for part, index in parts:
            if min(len(part), len(rest)) >= 4 and (part.startswith(rest) or rest.startswith(part)):
                return index
        return None


def _first_wins(pairs: Iterable[tuple[_Key, int]]) -> dict[_Key, int]:
    """A lookup table that keeps, for each key, the first (most popular) index given."""
    table: dict[_Key, int] = {}
    for key, index in pairs:
        table.setdefault(key, index)
    return table


@functools.cache
def checker_for(ecosystem: Ecosystem) -> TyposquatChecker:
    """The checker for the shipped popularity list, built once per process, and once per
    list and user across processes (the per-user cache)."""
    return cached(f"typosquat-{ecosystem.value}", SHIPPED_DIR / FILENAMES[ecosystem],
                  lambda: TyposquatChecker(load_popular(ecosystem), ecosystem),
                  TyposquatChecker)


def refresh_popular_lists(source_dir: Path, dest_dir: Path = SHIPPED_DIR) -> dict[Ecosystem, int]:
    """Validate the lists in `source_dir` and make them the ones the checks use.

    Returns how many names each list holds; raises `PopularListError` naming every
    problem, and changes nothing, if either list is invalid.
    """
    counts = copy_popular_lists(source_dir, dest_dir)
    load_popular.cache_clear()
    checker_for.cache_clear()
    return counts


def check_name(name: str, ecosystem: Ecosystem) -> Typosquat | None:
    """The popular package `name` imitates in `ecosystem`, or None."""
    return checker_for(ecosystem).check(name)


def measure_checks_per_second(ecosystem: Ecosystem, seconds: float = 1.0) -> float:
    """Names checked a second against the shipped list, index building excluded.

    The names are misspellings, combosquats and unrelated names in equal parts, made
    from the popular list itself so the figure is the same from run to run.
    """
    checker = checker_for(ecosystem)
    popular = load_popular(ecosystem)
    queries: list[str] = []
    for position in range(0, len(popular), 7):
        name = popular[position]
        cut = position % max(len(name), 1)
        queries += [name[:cut] + name[cut + 1 :], f"{name}-sdk", f"zq{name[::-1]}x"]
    checked, started = 0, time.perf_counter()
    while True:
        batch = queries[checked % len(queries) :][:256]
        for query in batch:
            checker.check(query)
        checked += len(batch)
        if (elapsed := time.perf_counter() - started) >= seconds:
            return checked / elapsed
