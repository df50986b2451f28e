"""The terminal summary: short for a benign sdist, complete and escaped for a malicious one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from analyzer.detect.rules.engine import assess
from analyzer.detect.rules.ruleset import default_rules
from analyzer.report.summary import render_summary
from analyzer.result_codec import result_from_dict
from analyzer.terminal import printable
from tests.report.hostile import hostile_result
from tests.results import unscored_result

REQUESTS = Path(__file__).parents[1] / "data" / "results" / "requests-2.32.3.json"
HOSTILE_VERSION = "1.0\x1b]0;owned\x07\x1b[2J\r\x08\u202e\x9b"


def _requests() -> str:
    result = assess(result_from_dict(json.loads(REQUESTS.read_text())), default_rules())
    return render_summary(result)


def test_benign_sdist_is_short_and_counts_pips_work() -> None:
    text = _requests()
    assert len(text.splitlines()) < 25
    assert "pip-build-tracker" not in text and "pip-req-build" not in text
    assert "_in_process.py" not in text
    assert "pip: 2,5" in text and "helper processes" in text


def test_malicious_result_shows_what_the_package_did() -> None:
    text = render_summary(hostile_result())
    assert "/.ssh/id_rsa" in text and "credential reads" in text
    assert "HONEYTOKEN LEAKS" in text
    assert "dns" in text and "http" in text


def test_unscored_result_says_what_happened_and_escapes_control_characters() -> None:
    result = unscored_result()
    text = render_summary(result)
    assert "verdict: none (no rules applied)" in text
    assert "sh -c id" in text and "203.0.113.5:443" in text
    assert "import: timeout" in text
    hostile = replace(result.package, name="evil\x1b[2J")
    assert "\x1b" not in render_summary(replace(result, package=hostile))


def test_hostile_version_has_no_escape_bytes() -> None:
    result = hostile_result()
    result = replace(result, package=replace(result.package, version=HOSTILE_VERSION))
    text = render_summary(result)
    for byte in ("\x1b", "\x07", "\r", "\x08", "\u202e", "\x9b"):
        assert byte not in text
    assert "\\x1b]0;owned\\x07" in text


def test_printable() -> None:
    assert printable("a\nb") == "a\\nb"
    assert printable("a\nb", multiline=True) == "a\nb"
    assert printable("\u2066x\u2069") == "\\u2066x\\u2069"
    assert printable("ok é") == "ok é"
