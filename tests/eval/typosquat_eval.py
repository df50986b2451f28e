"""Typosquatting figures on name pairs: how many misspellings of popular names the check
catches, by kind of trick, and how many honest names it wrongly flags.

Positives are made from the 1,000 most popular names of each ecosystem, one of each trick
per name, by a seeded generator of its own (it shares only the keyboard layout and the
registries' name normalisation with the checker, so the figure is not the checker
grading itself). Negatives are real names the checker has never seen: the
least popular part of each shipped list is held out, the checker is built from the rest,
and every held-out name is checked. Those are honest packages, many named close to a
popular one by design (`types-requests`, `pytest-django`, `@babel/preset-env`).

    .venv/bin/python -m tests.eval.typosquat_eval
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analyzer.detect.typosquat.checker import TyposquatChecker, load_popular
from analyzer.detect.typosquat.variants import KEYBOARD_NEIGHBOURS, normalize
from analyzer.models import Ecosystem

TARGETS = 1000  # the names worth squatting
HELD_OUT = {Ecosystem.PYPI: 3000, Ecosystem.NPM: 3000}
MIN_TARGET_LENGTH = 5  # the checker compares shorter names only for look-alikes, by design
SEED = 2026

Trick = Callable[[str, random.Random], str | None]


def _omission(name: str, rng: random.Random) -> str | None:
    at = rng.randrange(1, len(name))
    return name[:at] + name[at + 1:] if name[at].isalnum() else None


def _repeat(name: str, rng: random.Random) -> str | None:
    at = rng.randrange(len(name))
    return name[:at + 1] + name[at:] if name[at].isalpha() else None


def _swap(name: str, rng: random.Random) -> str | None:
    at = rng.randrange(len(name) - 1)
    a, b = name[at], name[at + 1]
    return name[:at] + b + a + name[at + 2:] if a != b and a.isalnum() and b.isalnum() else None


def _keyboard(name: str, rng: random.Random) -> str | None:
    at = rng.randrange(1, len(name))
    near = sorted(KEYBOARD_NEIGHBOURS.get(name[at], ()))
    return name[:at] + rng.choice(near) + name[at + 1:] if near else None


def _homoglyph(name: str, rng: random.Random) -> str | None:
    swaps = [(i, glyph) for i, char in enumerate(name)
             for glyph in {"l": "1", "o": "0", "i": "1", "m": "rn"}.get(char, "")]
    if not swaps:
        return None
    at, glyph = rng.choice(swaps)
    return name[:at] + glyph + name[at + 1:]


def _separator(name: str, rng: random.Random) -> str | None:
    seps = [i for i, char in enumerate(name) if char in "-_."]
    if seps:
        at = rng.choice(seps)
        return name[:at] + name[at + 1:]
    at = rng.randrange(2, len(name) - 1)
    return name[:at] + "-" + name[at:]


_AFFIXES = {Ecosystem.PYPI: ("python-{}", "py{}", "{}-sdk", "{}-utils", "{}3", "{}-dev"),
            Ecosystem.NPM: ("{}-js", "node-{}", "{}-utils", "{}.js", "{}-cli", "{}-core")}


def _combosquat(ecosystem: Ecosystem) -> Trick:
    def trick(name: str, rng: random.Random) -> str | None:
        return rng.choice(_AFFIXES[ecosystem]).format(name)
    return trick


def _scope_copy(name: str, rng: random.Random) -> str | None:
    scope = rng.choice(("@dev-tools", "@npmjs-utils", "@secure-pkg", "@corp-internal"))
    return f"{scope}/{name}" if not name.startswith("@") else None


TRICKS: dict[Ecosystem, dict[str, Trick]] = {
    eco: {"omission": _omission, "repeat": _repeat, "swap": _swap, "keyboard": _keyboard,
          "homoglyph": _homoglyph, "separator": _separator, "combosquat": _combosquat(eco),
          **({"scope": _scope_copy} if eco is Ecosystem.NPM else {})}
    for eco in Ecosystem
}


@dataclass(frozen=True)
class Pair:
    name: str
    target: str | None  # the popular name it imitates; None for an honest name
    trick: str  # how it was made, or "held-out" for an honest name


def squats(ecosystem: Ecosystem, popular: tuple[str, ...]) -> list[Pair]:
    """One misspelling of each kind per popular target, none of them a real name."""
    rng = random.Random(SEED)
    known = {normalize(name, ecosystem) for name in popular}
    pairs = []
    for target in popular[:TARGETS]:
        if len(target) < MIN_TARGET_LENGTH:
            continue
        for trick, make in TRICKS[ecosystem].items():
            made = _made(target, trick, make, rng)
            if made and normalize(made, ecosystem) not in known:
                pairs.append(Pair(made, target, trick))
    return pairs


def _made(target: str, trick: str, make: Trick, rng: random.Random) -> str | None:
    """`target` misspelt by `make`. Only the owner of an npm scope publishes in it, so a
    scoped name is imitated through its scope (`@bable/core`), never inside it."""
    if not target.startswith("@"):
        return make(target, rng)
    if trick in ("combosquat", "scope"):
        return None
    scope, rest = target[1:].split("/", 1)
    made = make(scope, rng) if len(scope) >= 4 else None
    return f"@{made}/{rest}" if made else None


def evaluate(ecosystem: Ecosystem) -> dict[str, Any]:
    popular = load_popular(ecosystem)
    full = TyposquatChecker(popular, ecosystem)
    caught: dict[str, list[int]] = {}
    missed: list[Pair] = []
    for pair in squats(ecosystem, popular):
        found = full.check(pair.name)
        hits = caught.setdefault(pair.trick, [0, 0])
        hits[1] += 1
        if found is not None:
            hits[0] += 1
        else:
            missed.append(pair)
    seen, held = popular[:-HELD_OUT[ecosystem]], popular[-HELD_OUT[ecosystem]:]
    partial = TyposquatChecker(seen, ecosystem)
    flagged = [(name, found.target, found.kind) for name in held
               if (found := partial.check(name)) is not None]
    positives = sum(total for _, total in caught.values())
    true_pos = sum(hit for hit, _ in caught.values())
    precision = true_pos / (true_pos + len(flagged)) if true_pos + len(flagged) else 0.0
    recall = true_pos / positives if positives else 0.0
    return {
        "ecosystem": ecosystem.value,
        "by_trick": {trick: {"caught": hit, "total": total,
                             "recall": round(hit / total, 4) if total else 0.0}
                     for trick, (hit, total) in caught.items()},
        "squats": positives, "caught": true_pos, "recall": round(recall, 4),
        "honest_names": len(held), "flagged_honest": len(flagged),
        "false_positive_rate": round(len(flagged) / len(held), 4),
        "precision": round(precision, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4)
        if precision + recall else 0.0,
        "missed_examples": [f"{p.name} ({p.trick} of {p.target})" for p in missed[:12]],
        "flagged_examples": [f"{name} -> {target} ({kind})"
                             for name, target, kind in flagged[:12]],
    }


def print_figures(figures: list[dict[str, Any]]) -> None:
    print("\n== TYPOSQUATTING ON NAME PAIRS")
    for eco in figures:
        print(f"{eco['ecosystem']}: {eco['caught']}/{eco['squats']} misspellings caught "
              f"({eco['recall']:.1%}); {eco['flagged_honest']}/{eco['honest_names']} honest "
              f"held-out names flagged ({eco['false_positive_rate']:.1%}); precision "
              f"{eco['precision']:.1%}, F1 {eco['f1']:.3f}")
        print("  " + ", ".join(f"{trick} {v['caught']}/{v['total']}"
                               for trick, v in eco["by_trick"].items()))
        for example in eco["missed_examples"][:6]:
            print(f"  not caught: {example}")
        for example in eco["flagged_examples"][:6]:
            print(f"  flagged honest: {example}")


def main() -> int:
    print_figures([evaluate(eco) for eco in Ecosystem])
    return 0


if __name__ == "__main__":
    sys.exit(main())
