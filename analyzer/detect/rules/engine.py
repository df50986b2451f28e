"""Applying a rule set to an analysis: findings with their evidence, a score, a verdict."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from analyzer.detect.rules.context import Context
from analyzer.detect.rules.match import cap_evidence
from analyzer.detect.rules.ruleset import Rule, RuleSet
from analyzer.detect.rules.scoring import score
from analyzer.models import AnalysisResult, Finding, Phase, PhaseStatus, Severity

SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Contexts:
    """The per-phase views of one result, built once and shared by every rule."""

    def __init__(self, result: AnalysisResult) -> None:
        self.result = result
        self._built: dict[Phase | None, Context] = {}

    def get(self, phase: Phase | None) -> Context:
        if phase not in self._built:
            self._built[phase] = Context.build(self.result, phase)
        return self._built[phase]

    def ran(self, phase: Phase) -> bool:
        found = self.result.phase(phase)
        return found is not None and found.status is not PhaseStatus.SKIPPED


def evaluate_rule(rule: Rule, contexts: Contexts) -> list[Finding]:
    """The findings of one rule: one per phase it matched in, or one phase-less finding."""
    if contexts.result.package.ecosystem not in rule.ecosystems:
        return []
    phases: Iterable[Phase | None] = (
        [p for p in rule.phases if contexts.ran(p)] if rule.match.bound else [None]
    )
    findings = []
    for phase in phases:
        outcome = rule.match.evaluate(contexts.get(phase))
        if outcome.matched:
            findings.append(Finding(rule.id, rule.severity, phase, rule.title,
                                    cap_evidence(outcome.evidence)))
    return findings


def evaluate(result: AnalysisResult, rules: Iterable[Rule]) -> tuple[Finding, ...]:
    """Every finding, the strongest first."""
    contexts = Contexts(result)
    found: list[tuple[Rule, Finding]] = [
        (rule, finding) for rule in rules for finding in evaluate_rule(rule, contexts)
    ]
    found.sort(key=lambda pair: (not pair[0].strong, -SEVERITY_RANK[pair[1].severity]))
    return tuple(finding for _, finding in found)


def assess(result: AnalysisResult, rules: RuleSet) -> AnalysisResult:
    """`result` with its findings, score and verdict.

    An analysis that failed (`result.error`) and shows nothing suspicious gets the
    verdict `error`, never `benign`: not seeing anything is not evidence then.
    """
    findings = evaluate(result, rules.rules)
    scored = score(findings, rules.by_id, rules.scoring, failed=result.error is not None)
    return dataclasses.replace(result, verdict=scored.verdict, score=scored.value,
                               findings=findings)


def case_failures(rule: Rule) -> list[str]:
    """What is wrong with a rule's own cases: a missing group, a positive case it does
    not match, a benign case it does match. Empty when the rule passes."""
    failures = []
    if not rule.positive:
        failures.append(f"{rule.id}: no positive case")
    if not rule.benign:
        failures.append(f"{rule.id}: no benign case")
    for case in rule.positive:
        if not evaluate_rule(rule, Contexts(case.result)):
            failures.append(f"{rule.id}: {case.label}: expected a finding, got none")
    for case in rule.benign:
        for finding in evaluate_rule(rule, Contexts(case.result)):
            failures.append(f"{rule.id}: {case.label}: unexpected finding: "
                            + "; ".join(finding.evidence))
    return failures
