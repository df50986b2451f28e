"""The detection figures `make eval` prints, on verdicts whose answers are known."""

from __future__ import annotations

import pytest

from tests.eval.metrics import Outcome, recall, recall_by, scores


def _bad(key: str, verdict: str, *labels: str) -> Outcome:
    return Outcome(key, True, verdict, labels)


def _good(key: str, verdict: str) -> Outcome:
    return Outcome(key, False, verdict)


OUTCOMES = [
    _bad("a", "malicious", "class:dropper", "evasion:obfuscation"),
    _bad("b", "suspicious", "class:dropper"),
    _bad("c", "malicious", "class:worm", "evasion:obfuscation", "evasion:delayed"),
    _bad("d", "error", "class:worm"),
    _good("e", "malicious"),
    _good("f", "suspicious"),
    _good("g", "benign"),
]


def test_only_the_malicious_verdict_counts_as_caught_and_suspicious_as_flagged() -> None:
    found = recall(OUTCOMES)
    assert (found.caught, found.total, found.flagged) == (2, 4, 3)
    assert found.rate == 0.5


def test_recall_splits_by_every_label_a_sample_carries() -> None:
    def evasions(o: Outcome) -> list[str]:
        return [label[len("evasion:"):] for label in o.labels if label.startswith("evasion:")]

    split = recall_by(OUTCOMES, evasions)
    assert {key: (r.caught, r.total) for key, r in split.items()} == {
        "delayed": (1, 1), "obfuscation": (2, 2)}


def test_precision_recall_and_f1_of_the_malicious_verdict() -> None:
    found = scores(OUTCOMES)
    assert (found.true_positives, found.false_positives, found.false_negatives) == (2, 1, 2)
    assert found.precision == pytest.approx(2 / 3)
    assert found.recall == pytest.approx(0.5)
    assert found.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_nothing_to_measure_gives_zero_not_a_division_error() -> None:
    assert recall([]).rate == 0.0
    assert scores([_good("g", "benign")]).f1 == 0.0
