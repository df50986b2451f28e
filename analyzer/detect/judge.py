"""The detect stage's output: a result judged, its name checked and its rules scored."""

from __future__ import annotations

from dataclasses import replace

from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.ruleset import RuleSet
from analyzer.detect.typosquat.checker import check_name
from analyzer.models import AnalysisResult


def judge(result: AnalysisResult, rules: RuleSet) -> AnalysisResult:
    """`result` with its typosquat check, then the findings, score and verdict of `rules`."""
    named = replace(result, typosquat=check_name(result.package.name, result.package.ecosystem))
    return assess(named, rules)
