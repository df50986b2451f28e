"""Edit distance and the fuzzy index, each checked against a plain computation."""

from __future__ import annotations

import random

import pytest

from analyzer.detect.typosquat.fuzzy import (
    FuzzyIndex,
    differing_length,
    distance,
    plausible_typo,
    within,
)


def _osa(a: str, b: str) -> int:
    """The textbook optimal-string-alignment table, nothing skipped."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        table[i][0] = i
    for j in range(len(b) + 1):
        table[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        previous, row = row, [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
    return row[-1]


def _mutate(rng: random.Random, name: str, alphabet: str) -> str:
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(name) + 1)
        edit = rng.choice(("insert", "delete", "replace", "swap"))
        if edit == "insert":
            name = name[:at] + rng.choice(alphabet) + name[at:]
        elif edit == "delete" and at < len(name):
            name = name[:at] + name[at + 1 :]
        elif edit == "replace" and at < len(name):
            name = name[:at] + rng.choice(alphabet) + name[at + 1 :]
        elif edit == "swap" and at + 1 < len(name):
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    return name


def test_distance_and_within_agree_with_the_table() -> None:
    rng = random.Random(1)
    for _ in range(3000):
        a = "".join(rng.choice("abc-") for _ in range(rng.randint(0, 9)))
        b = (
            _mutate(rng, a, "abc-")
            if rng.random() < 0.7
            else "".join(rng.choice("abc-") for _ in range(rng.randint(0, 9)))
        )
        expected = _osa(a, b)
        assert distance(a, b) == expected, (a, b)
        for limit in range(4):
            assert within(a, b, limit) == (expected <= limit), (a, b, limit)


@pytest.mark.parametrize(
    ("query", "target", "length"),
    [
        ("tensorflow-gpu", "tensorflow-cpu", 3),
        ("mypy-boto3-eks", "mypy-boto3-ecs", 3),
        ("hello-wordl", "hello-world", 5),
        ("crossenv", "cross-env", 8),
        ("reqeusts", "requests", 8),
    ],
)
def test_differing_length_leaves_out_shared_words(query: str, target: str, length: int) -> None:
    assert differing_length(query, target) == length


@pytest.mark.parametrize(
    ("query", "target", "edits"),
    [
        ("reqeusts", "requests", 1),
        ("selemiumm", "selenium", 2),
        ("pyts", "pytz", 1),
        ("google-aut", "google-auth", 1),
        ("slack", "black", None),  # another word, not a slip of the hand
        ("fetch", "ofetch", None),
        ("tensorflow-gpu", "tensorflow-cpu", None),
        ("urllib4", "urllib3", None),  # another version
        ("six", "sax", None),
        ("djang", "django", 1),
        ("djanga", "django", 1),
        ("dj", "django", None),
    ],
)
def test_plausible_typo(query: str, target: str, edits: int | None) -> None:
    assert plausible_typo(query, target) == edits


def test_index_finds_what_a_full_scan_finds() -> None:
    rng = random.Random(2)
    alphabet = "abcde-"
    names = sorted(
        {"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 14))) for _ in range(800)}
    )
    index = FuzzyIndex(names)
    for _ in range(800):
        query = _mutate(rng, rng.choice(names), alphabet)
        found = dict(index.search(query))
        expected = {
            i: e for i, n in enumerate(names) if (e := plausible_typo(query, n)) is not None
        }
        assert found.items() <= expected.items()
        # Complete for Levenshtein distance; a swap plus another edit may be missed.
        for i, edits in expected.items():
            if _levenshtein(query, names[i]) <= edits:
                assert found.get(i) == edits, (query, names[i])
