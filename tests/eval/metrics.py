"""Detection figures from verdicts: recall by group and by label, precision, F1.

A malicious sample counts as caught when its verdict is `malicious`; a benign package
counts as a false positive when its verdict is `malicious`. `suspicious` goes to a human
and is neither: it is reported apart, as the reviewers' load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MALICIOUS, SUSPICIOUS = "malicious", "suspicious"

# The targets.
RECALL_TARGET = 0.95
F1_TARGET = 0.95
BENIGN_MALICIOUS_TARGET = 0


@dataclass(frozen=True)
class Outcome:
    """One analysed sample: what it is and what the analysis said."""

    key: str
    malicious: bool  # the label
    verdict: str  # malicious, suspicious, benign, error, ...
    labels: tuple[str, ...] = ()  # behaviour class, ecosystem, evasions: what recall splits by

    @property
    def caught(self) -> bool:
        return self.verdict == MALICIOUS


@dataclass(frozen=True)
class Recall:
    caught: int
    total: int
    flagged: int  # malicious or suspicious: what a reviewer would at least see

    @property
    def rate(self) -> float:
        return self.caught / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"caught": self.caught, "total": self.total, "flagged": self.flagged,
                "recall": round(self.rate, 4)}


def recall(outcomes: Iterable[Outcome]) -> Recall:
    items = [o for o in outcomes if o.malicious]
    return Recall(caught=sum(o.caught for o in items), total=len(items),
                  flagged=sum(o.verdict in (MALICIOUS, SUSPICIOUS) for o in items))


def recall_by(outcomes: Iterable[Outcome],
              keys: Callable[[Outcome], Iterable[str]]) -> dict[str, Recall]:
    """Recall per value of `keys(outcome)`; a sample with several values counts in each."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.malicious:
            for key in keys(outcome):
                groups[key].append(outcome)
    return {key: recall(items) for key, items in sorted(groups.items())}


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 0.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"true_positives": self.true_positives,
                "false_positives": self.false_positives,
                "false_negatives": self.false_negatives,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


def scores(outcomes: Iterable[Outcome]) -> Scores:
    """Precision, recall and F1 of the `malicious` verdict over labelled outcomes."""
    items = list(outcomes)
    return Scores(
        true_positives=sum(o.malicious and o.caught for o in items),
        false_positives=sum(not o.malicious and o.caught for o in items),
        false_negatives=sum(o.malicious and not o.caught for o in items),
    )
