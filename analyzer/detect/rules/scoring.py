"""From findings to a score and a verdict, with the thresholds of `rules/scoring.yaml`.

The arithmetic, in full:

    contribution(r) = w_r * (1 + d + d^2 + ... + d^(n_r - 1))

where `w_r` is the rule's weight, `n_r` how many findings it made (one per phase at
most; a static or metadata rule makes one) and `d` the `repeat_decay`: the same
behaviour seen again in a later phase adds less each time. The Windows persona pass
repeats the install scripts and imports under another platform, so a rule that fired
there and at import counts once.

    score = sum of the contributions of rules without a group
          + for each group g: min(cap_g, sum of the contributions of g's rules)

A group gathers hints that grow with a package's size rather than its intent (long
strings, a file name that reads like a credential, an install hook): together they
count at most the group's cap.

    verdict = malicious   if any finding comes from a `strong` rule, or score >= malicious
              suspicious  if score >= suspicious
              benign      otherwise (error, when the analysis itself failed)

The loader checks that no rule without `strong` can reach the malicious threshold on
its own (its weight summed over every phase it may fire in stays below it): a
malicious verdict takes strong evidence, or several weak rules adding up. That is
also why a typosquat name alone is never malicious.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from analyzer.detect.rules.patterns import Problems
from analyzer.models import Finding, Phase, Verdict

SCORING_KEYS = ("thresholds", "repeat_decay", "groups")


class Weighted(Protocol):
    @property
    def weight(self) -> float: ...

    @property
    def strong(self) -> bool: ...

    @property
    def group(self) -> str | None: ...


@dataclass(frozen=True)
class ScoringConfig:
    suspicious: float
    malicious: float
    repeat_decay: float
    group_caps: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any, where: str, problems: Problems) -> ScoringConfig | None:
        if not isinstance(data, Mapping):
            problems.add(where, "expected a mapping with thresholds and repeat_decay")
            return None
        for key in data:
            if key not in SCORING_KEYS:
                problems.add(where, f"unknown key {key!r} (expected: {', '.join(SCORING_KEYS)})")
        thresholds = data.get("thresholds")
        if not isinstance(thresholds, Mapping) or set(thresholds) != {"suspicious", "malicious"}:
            problems.add(f"{where}.thresholds", "expected exactly `suspicious` and `malicious`")
            return None
        before = len(problems.items)
        suspicious = _number(thresholds["suspicious"], f"{where}.thresholds.suspicious", problems)
        malicious = _number(thresholds["malicious"], f"{where}.thresholds.malicious", problems)
        decay = _number(data.get("repeat_decay"), f"{where}.repeat_decay", problems)
        caps = _groups(data.get("groups", {}), f"{where}.groups", problems)
        if suspicious is None or malicious is None or decay is None:
            return None
        if not 0 < suspicious < malicious:
            problems.add(f"{where}.thresholds", "need 0 < suspicious < malicious")
        if not 0 <= decay < 1:
            problems.add(f"{where}.repeat_decay", "need 0 <= repeat_decay < 1")
        if len(problems.items) != before:
            return None
        return cls(suspicious, malicious, decay, caps)

    def contribution(self, weight: float, times: int) -> float:
        """What one rule adds to the score for `times` findings."""
        return weight * sum(self.repeat_decay**k for k in range(times))


def _number(value: Any, where: str, problems: Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(where, f"expected a number, not {value!r}")
        return None
    return float(value)


def _groups(value: Any, where: str, problems: Problems) -> dict[str, float]:
    """`groups: {NAME: {cap: N}}`."""
    if not isinstance(value, Mapping):
        problems.add(where, "expected a mapping of group name to {cap: N}")
        return {}
    caps: dict[str, float] = {}
    for name, body in value.items():
        if not isinstance(body, Mapping) or set(body) != {"cap"}:
            problems.add(f"{where}.{name}", "expected {cap: N}")
            continue
        cap = _number(body["cap"], f"{where}.{name}.cap", problems)
        if cap is not None and cap > 0:
            caps[str(name)] = cap
        elif cap is not None:
            problems.add(f"{where}.{name}.cap", "expected a number above 0")
    return caps


@dataclass(frozen=True)
class Score:
    value: float
    verdict: Verdict


def scored_phase(phase: Phase | None) -> Phase | None:
    """The phase a finding counts for: the persona's repeat of an import is the import."""
    return Phase.IMPORT if phase is Phase.PERSONA else phase


def scored_phases(phases: Iterable[Phase]) -> int:
    """How many findings of a rule that may fire in `phases` can count."""
    return len({scored_phase(p) for p in phases})


def score(findings: Iterable[Finding], rules: Mapping[str, Weighted], config: ScoringConfig,
          failed: bool = False) -> Score:
    """The score and verdict of `findings` (`failed`: the analysis did not complete)."""
    times = Counter(rule for rule, _ in {(f.rule, scored_phase(f.phase)) for f in findings})
    loose = 0.0
    grouped: defaultdict[str, float] = defaultdict(float)
    for rule, n in times.items():
        points = config.contribution(rules[rule].weight, n)
        group = rules[rule].group
        if group is None:
            loose += points
        else:
            grouped[group] += points
    total = loose + sum(min(points, config.group_caps[g]) for g, points in grouped.items())
    total = round(total, 2)
    if any(rules[rule].strong for rule in times) or total >= config.malicious:
        verdict = Verdict.MALICIOUS
    elif total >= config.suspicious:
        verdict = Verdict.SUSPICIOUS
    else:
        verdict = Verdict.ERROR if failed else Verdict.BENIGN
    return Score(total, verdict)
