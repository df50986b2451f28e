"""The detect stage hands back the judged result: the name checked, the rules scored."""

from __future__ import annotations

from analyzer.detect.judge import judge
from analyzer.detect.rules.ruleset import default_rules
from analyzer.models import Ecosystem, Verdict
from tests.store.builders import analysis_result


def test_a_misspelt_name_is_checked_and_scored_with_the_rules() -> None:
    judged = judge(analysis_result(Ecosystem.PYPI, "reqeusts", "1.0", verdict=None),
                   default_rules())
    assert judged.typosquat is not None and judged.typosquat.target == "requests"
    assert [f.rule for f in judged.findings] == ["typosquat-name"]
    assert (judged.verdict, judged.score) == (Verdict.BENIGN, 3.0)  # a name alone stays below


def test_an_honest_name_gets_no_typosquat_and_no_finding() -> None:
    judged = judge(analysis_result(Ecosystem.NPM, "left-pad", "1.3.0", verdict=None),
                   default_rules())
    assert judged.typosquat is None and judged.findings == () and judged.verdict is Verdict.BENIGN
