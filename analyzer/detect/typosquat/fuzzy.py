"""Fuzzy matching for the typosquat check: bounded edit distance and an index to avoid a scan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from analyzer.detect.typosquat.variants import Kind, classify, trim

_WORD_SEPARATORS = "-_./"


def within(a: str, b: str, limit: int) -> bool:
    """Whether the optimal-string-alignment distance of `a` and `b` is at most `limit`.

    Branches only at the first difference, so it costs a few slices for limits of 1-2.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if limit == 0:
        return a == b
    _, a, b = trim(a, b)
    if not a or not b:
        return len(a) + len(b) <= limit
    rest = limit - 1
    if len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0] and within(a[2:], b[2:], rest):
        return True
    return within(a[1:], b[1:], rest) or within(a[1:], b, rest) or within(a, b[1:], rest)


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance: Levenshtein plus adjacent swaps, each edit once."""
    _, a, b = trim(a, b)
    previous: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


# Edits allowed, by length: none for names of 3 characters or fewer (`six`); one from
# 4; two when the words that differ have 8 or more (`tensoflqw`). When the words that
# differ are short, only slips of the hand count: `pyts` for `pytz` or `google-aut`
# are typos, `slack` for `black` or `tensorflow-gpu` for `tensorflow-cpu` other words.
ONE_EDIT_FROM = 4
TWO_EDITS_FROM = 8
ANY_EDIT_FROM = 6
_SLIPS = frozenset(
    (Kind.SWAP, Kind.KEYBOARD, Kind.HOMOGLYPH, Kind.REPEAT, Kind.OMISSION, Kind.SEPARATOR)
)


def fuzzy_limit(length: int) -> int:
    """The most edits `plausible_typo` allows between names of at least `length` characters."""
    return 0 if length < ONE_EDIT_FROM else 1 if length < TWO_EDITS_FROM else 2


def differing_length(query: str, target: str) -> int:
    """Length of the shorter name without the whole words both share at either end.

    `mypy-boto3-eks` against `mypy-boto3-ecs` is judged on `eks`, not on 14 characters.
    """
    start, query_middle, _ = trim(query, target)
    head = max(query.rfind(sep, 0, start) for sep in _WORD_SEPARATORS) + 1
    common_tail = len(query) - start - len(query_middle)
    tail = min(
        (i for sep in _WORD_SEPARATORS if (i := query.find(sep, len(query) - common_tail)) >= 0),
        default=len(query),
    )
    shared = head + len(query) - tail
    return min(len(query), len(target)) - shared


def plausible_typo(query: str, target: str) -> int | None:
    """The edits (1 or 2) that turn `target` into `query` if few enough to be a typo, else None."""
    limit = fuzzy_limit(min(len(query), len(target)))
    if not limit or not within(query, target, limit):
        return None
    length = differing_length(query, target)
    if limit == 2 and length < TWO_EDITS_FROM:
        limit = 1
        if not within(query, target, 1):
            return None
    start, added, dropped = trim(query, target)
    if added.isdigit() and dropped.isdigit():
        return None  # another version (`cupy-cuda12x`, `newspaper4k`), not a typo
    if length < ANY_EDIT_FROM:
        # A first letter gained or lost makes another word (`fetch`, `ofetch`), rarely a slip.
        if start == 0 and not (added and dropped):
            return None
        if classify(query, target) not in _SLIPS:
            return None
    return 1 if limit == 1 or within(query, target, 1) else 2


class FuzzyIndex:
    """Finds the indexed names a query is a `plausible_typo` of, without a full scan.

    Names of 4-7 characters allow one edit: they go into a one-deletion neighbourhood
    (SymSpell), which also catches a swap. Longer names are cut into four pieces; two
    edits leave two pieces whole, each at most two places from where it was, so a query
    looks up only its substrings near those places and keeps the names it finds at
    least two pieces of (the pigeonhole filter of Pass-Join). Every candidate is then
    checked with `plausible_typo`. Complete for Levenshtein distance; a swap across two
    pieces together with a second edit can be missed.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self._names = names
        self._short: dict[str, list[int]] = {}
        self._pieces: dict[int, tuple[dict[str, list[int]], ...]] = {}
        for index, name in enumerate(names):
            size = len(name)
            if size >= TWO_EDITS_FROM:
                tables = self._pieces.setdefault(size, ({}, {}, {}, {}))
                for table, (start, length) in zip(tables, _quarters(size), strict=True):
                    table.setdefault(name[start : start + length], []).append(index)
            elif size >= ONE_EDIT_FROM:
                for variant in _deletions(name):
                    self._short.setdefault(variant, []).append(index)

    def search(self, query: str) -> Iterator[tuple[int, int]]:
        """(index, edits) of every indexed name `query` is a plausible typo of, unordered."""
        size = len(query)
        if size < ONE_EDIT_FROM:
            return
        found: set[int] = set()
        if size <= TWO_EDITS_FROM:
            for variant in _deletions(query):
                found.update(self._short.get(variant, ()))
        for other in range(max(TWO_EDITS_FROM, size - 2), size + 3):
            tables = self._pieces.get(other)
            limit = fuzzy_limit(min(size, other))
            drift = size - other
            if tables is None or abs(drift) > limit:
                continue
            whole: dict[int, int] = {}  # index -> bit set of its pieces found in the query
            for piece, (start, length) in enumerate(_quarters(other)):
                table = tables[piece]
                for shift in range(-limit, limit + 1):
                    at = start + shift
                    if abs(shift) + abs(drift - shift) <= limit and 0 <= at <= size - length:
                        for index in table.get(query[at : at + length], ()):
                            whole[index] = whole.get(index, 0) | 1 << piece
            found.update(i for i, pieces in whole.items() if pieces.bit_count() >= 4 - limit)
        for index in found:
            if (edits := plausible_typo(query, self._names[index])) is not None:
                yield index, edits


def _quarters(size: int) -> tuple[tuple[int, int], ...]:
    """(start, length) of four pieces of a name of `size` characters, the longer ones last."""
    short, longer = divmod(size, 4)
    lengths = [short] * (4 - longer) + [short + 1] * longer
    starts = [sum(lengths[:i]) for i in range(4)]
    return tuple(zip(starts, lengths, strict=True))


def _deletions(name: str) -> set[str]:
    return {name} | {name[:i] + name[i + 1 :] for i in range(len(name))}
