"""Every shipped rule against its own cases: each must have positive and benign ones."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from analyzer.detect.rules.engine import Contexts, case_failures, evaluate_rule
from analyzer.detect.rules.ruleset import RULES_DIR, Rule, default_rules, load_rules
from analyzer.models import AnalysisResult, HttpRequest, Severity
from analyzer.sandbox.docker_runner import HOSTNAMES
from analyzer.sandbox.honeytokens import PEOPLE

RULES = default_rules().rules


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_matches_its_positive_cases_and_none_of_its_benign_ones(rule: Rule) -> None:
    assert case_failures(rule) == []


def test_a_rule_without_cases_fails_the_harness() -> None:
    bare = rule_named("honeytoken-leak")
    assert case_failures(replace(bare, benign=())) == ["honeytoken-leak: no benign case"]
    assert case_failures(replace(bare, positive=())) == ["honeytoken-leak: no positive case"]


def test_a_positive_case_that_does_not_match_fails_the_harness() -> None:
    leak = rule_named("honeytoken-leak")
    other = rule_named("reverse-shell")
    failures = case_failures(replace(leak, positive=other.positive[:1]))
    assert len(failures) == 1 and "expected a finding" in failures[0]


def test_the_shipped_set_is_serious() -> None:
    files = sorted(p.name for p in RULES_DIR.glob("*.yaml"))
    assert "scoring.yaml" in files and len(files) >= 6
    assert len(RULES) >= 50
    strong = [r for r in RULES if r.strong]
    assert all(r.severity in (Severity.HIGH, Severity.CRITICAL) for r in strong)
    assert len(strong) >= 15
    for rule in RULES:
        assert rule.description and rule.title and rule.tags, rule.id
        assert all(re.fullmatch(r"T\d{4}(\.\d{3})?|[a-z-]+", t) for t in rule.tags), rule.id


def test_every_sandbox_identity_counts_as_host_identity() -> None:
    # The rule lists the sandbox's host names and personas; this keeps it in step with
    # the runner and the honeytokens.
    rule = rule_named("host-identity-sent")
    base = rule.positive[0].result
    request = base.phases[0].trace.network.http[0]
    identities = [*HOSTNAMES, *(f"someone@{domain}" for _, _, domain in PEOPLE),
                  *(name for _, name, _ in PEOPLE if name != "CI Runner")]
    for identity in identities:
        changed = _with_body(base, request, f'{{"h": "{identity}"}}')
        assert evaluate_rule(rule, Contexts(changed)), identity
    assert not evaluate_rule(rule, Contexts(_with_body(base, request, '{"h": "example"}')))


def test_default_rules_are_loaded_once() -> None:
    assert default_rules() is default_rules()
    assert load_rules([RULES_DIR]).by_id.keys() == default_rules().by_id.keys()


def rule_named(rule_id: str) -> Rule:
    return default_rules().by_id[rule_id]


def _with_body(result: AnalysisResult, request: HttpRequest, body: str) -> AnalysisResult:
    phase = result.phases[0]
    network = replace(phase.trace.network, http=(replace(request, body=body),))
    trace = replace(phase.trace, network=network)
    return replace(result, phases=(replace(phase, trace=trace), *result.phases[1:]))
