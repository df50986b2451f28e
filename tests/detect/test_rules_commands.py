"""`pkgsandbox rules list|test|lint` and `pkgsandbox typosquat`, through their parsers."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from analyzer.detect.commands import add_rules_parser, add_typosquat_parser
from analyzer.detect.rules.ruleset import default_rules
from analyzer.errors import RuleError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    parser = _Parser(prog="pkgsandbox")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_rules_parser(commands)
    add_typosquat_parser(commands)
    args = parser.parse_args(argv)
    out = io.StringIO()
    if args.command == "typosquat":
        code = args.handler(args, stdin=io.StringIO(stdin), out=out)
    else:
        code = args.handler(args, out=out)
    return code, out.getvalue()


BROKEN_RULE = """rules:
  - id: broken
    title: t
    description: d
    severity: high
    weight: 1
    match: {dns: {name: "[oops"}}
"""
CASELESS_RULE = """rules:
  - id: caseless
    title: t
    description: d
    severity: low
    weight: 1
    match: {dns: {}}
"""


def test_rules_list_shows_every_rule() -> None:
    code, out = run(["rules", "list"])
    assert code == 0
    assert len(out.strip().splitlines()) == len(default_rules().rules) + 2
    assert "honeytoken-leak" in out and "strong" in out
    code, out = run(["rules", "list", "--json"])
    first = json.loads(out.splitlines()[0])
    assert set(first) == {"id", "title", "severity", "weight", "strong", "ecosystems", "phases",
                          "tags", "source"}


def test_rules_test_passes_the_shipped_set_and_can_pick_rules() -> None:
    code, out = run(["rules", "test"])
    assert code == 0, out
    assert out.strip().endswith(f"{len(default_rules().rules)} of {len(default_rules().rules)} "
                                "rules pass their cases")
    code, out = run(["rules", "test", "reverse-shell"])
    assert code == 0 and "ok   reverse-shell" in out and "1 of 1" in out
    with pytest.raises(UsageError, match="no such rule: nope"):
        run(["rules", "test", "nope"])


def test_rules_test_fails_a_rule_without_cases(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(CASELESS_RULE)
    code, out = run(["rules", "test", "--rules", str(tmp_path), "caseless"])
    assert code == 1
    assert "caseless: no positive case" in out and "caseless: no benign case" in out


def test_rules_lint_lists_every_problem(tmp_path: Path) -> None:
    shipped = default_rules()
    assert run(["rules", "lint"]) == (
        0, f"{len(shipped.rules)} rules in {len(shipped.sources)} files: ok\n")
    (tmp_path / "a.yaml").write_text(BROKEN_RULE)
    (tmp_path / "b.yaml").write_text("rules: [{id: x}]\n")
    code, out = run(["rules", "lint", "--rules", str(tmp_path)])
    assert code == 1
    assert "unclosed '[' in glob" in out and "rule x: missing 'title'" in out
    caseless = tmp_path / "caseless"
    caseless.mkdir()
    (caseless / "c.yaml").write_text(CASELESS_RULE)
    code, out = run(["rules", "lint", "--rules", str(caseless)])
    assert code == 1 and "rule caseless: no positive case" in out


def test_other_rule_commands_raise_a_rule_error_on_broken_rules(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BROKEN_RULE)
    with pytest.raises(RuleError):
        run(["rules", "list", "--rules", str(tmp_path)])


def test_typosquat_json_one_object_a_line() -> None:
    code, out = run(["typosquat", "reqeusts", "requests", "urllib3", "numpy", "--ecosystem",
                     "pypi", "--json"])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0] == {"name": "reqeusts", "ecosystem": "pypi", "target": "requests",
                       "kind": rows[0]["kind"], "distance": rows[0]["distance"]}
    assert rows[0]["kind"] and rows[0]["distance"] >= 1
    assert [r["target"] for r in rows[1:]] == [None, None, None]


def test_typosquat_reads_names_from_stdin() -> None:
    code, out = run(["typosquat", "-", "--ecosystem", "npm"], stdin="lodahs\n\n  express \n")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("lodahs: imitates lodash (")
    assert lines[1] == "express: clean"


def test_typosquat_text_output_escapes_control_characters() -> None:
    _, out = run(["typosquat", "-", "--ecosystem", "pypi"], stdin="\x1b[2Jx\n")
    assert "\x1b" not in out and "\\x1b[2Jx" in out


def test_typosquat_needs_an_ecosystem() -> None:
    with pytest.raises(UsageError):
        run(["typosquat", "requests"])
