"""Allow-listed rules: their findings are dropped, the rest re-scored, the drop noted."""

from __future__ import annotations

import dataclasses

import pytest

from analyzer.detect.rules.allowlist import apply_allowlist
from analyzer.detect.rules.ruleset import default_rules
from analyzer.errors import RuleError
from analyzer.models import Ecosystem, Finding, Phase, Severity, Verdict
from tests.store.builders import analysis_result

LEAK = Finding("honeytoken-leak", Severity.CRITICAL, Phase.INSTALL, "bait sent out",
               ("POST http://evil.example/x",))
DNS = Finding("dns-during-install", Severity.LOW, Phase.INSTALL, "DNS while installing",
              ("A files.example",))
LISTEN = Finding("listening-socket", Severity.MEDIUM, Phase.IMPORT, "listens", ("0.0.0.0:80",))


def test_allow_listed_findings_are_dropped_and_the_rest_rescored() -> None:
    result = analysis_result(Ecosystem.PYPI, "quiet", "1.0", Verdict.MALICIOUS,
                             findings=(LEAK, DNS, LISTEN))
    allowed = apply_allowlist(result, frozenset({"honeytoken-leak", "unrelated-rule"}),
                              default_rules(), {"honeytoken-leak": "test fixture bait"})
    assert [f.rule for f in allowed.findings] == ["dns-during-install", "listening-socket"]
    assert allowed.score == 6.5 and allowed.verdict is Verdict.SUSPICIOUS
    assert allowed.notes == ("suppressed by allow-list: honeytoken-leak (test fixture bait)",)
    everything = apply_allowlist(result, frozenset({"honeytoken-leak", "dns-during-install",
                                                    "listening-socket"}), default_rules())
    assert everything.findings == () and everything.verdict is Verdict.BENIGN
    assert everything.score == 0.0 and len(everything.notes) == 3


def test_a_failed_analysis_left_with_nothing_is_an_error_not_benign() -> None:
    result = analysis_result(Ecosystem.NPM, "broken", "1.0", Verdict.MALICIOUS, findings=(LEAK,))
    failed = dataclasses.replace(result, error="install timed out")
    assert apply_allowlist(failed, frozenset({"honeytoken-leak"}),
                           default_rules()).verdict is Verdict.ERROR


def test_nothing_allow_listed_leaves_the_result_alone() -> None:
    result = analysis_result(Ecosystem.PYPI, "quiet", "1.0", Verdict.MALICIOUS, findings=(LEAK,))
    assert apply_allowlist(result, frozenset({"dns-during-install"}), default_rules()) is result
    unscored = analysis_result(Ecosystem.PYPI, "quiet", "1.0", None, findings=(LEAK,))
    assert apply_allowlist(unscored, frozenset({"honeytoken-leak"}), default_rules()) is unscored


def test_a_finding_of_an_unknown_rule_cannot_be_rescored() -> None:
    stray = Finding("not-a-rule", Severity.LOW, None, "?", ())
    result = analysis_result(Ecosystem.PYPI, "quiet", "1.0", Verdict.MALICIOUS,
                             findings=(LEAK, stray))
    with pytest.raises(RuleError, match="not-a-rule"):
        apply_allowlist(result, frozenset({"honeytoken-leak"}), default_rules())
