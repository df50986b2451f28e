"""Dropping the findings of allow-listed rules from a result, and scoring it again.

A reviewer who dismisses a result as a false positive allow-lists the rules that fired
on it for that package (see `analyzer.store.allow_list`); later analyses of the package
keep running every rule, but those findings no longer count. The result's notes say what
was dropped and why, so that a reviewer still sees it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Set

from analyzer.detect.rules.ruleset import RuleSet
from analyzer.detect.rules.scoring import score
from analyzer.errors import RuleError
from analyzer.models import AnalysisResult

NOTE_PREFIX = "suppressed by allow-list: "


def apply_allowlist(result: AnalysisResult, allowed_rules: Set[str], rules: RuleSet,
                    reasons: Mapping[str, str] | None = None) -> AnalysisResult:
    """`result` without the findings of `allowed_rules`, with its score and verdict redone.

    Unchanged when none of its findings is allow-listed. `reasons` (rule -> reason) goes
    into the note of each suppressed rule.
    """
    dropped = [f for f in result.findings if f.rule in allowed_rules]
    if not dropped or result.verdict is None:
        return result
    kept = tuple(f for f in result.findings if f.rule not in allowed_rules)
    unknown = sorted({f.rule for f in kept} - set(rules.by_id))
    if unknown:
        raise RuleError(f"cannot re-score: rules not in the rule set: {', '.join(unknown)}")
    scored = score(kept, rules.by_id, rules.scoring, failed=result.error is not None)
    reasons = reasons or {}
    notes = tuple(
        NOTE_PREFIX + rule + (f" ({reasons[rule]})" if reasons.get(rule) else "")
        for rule in dict.fromkeys(f.rule for f in dropped))
    return dataclasses.replace(result, findings=kept, score=scored.value,
                               verdict=scored.verdict, notes=result.notes + notes)
