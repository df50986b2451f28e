"""`load_rules` reads rule files strictly and reports every problem at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzer.detect.rules.ruleset import RULES_DIR, RuleSetError, default_rules, load_rules
from analyzer.errors import RuleError

SCORING = """
scoring:
  thresholds: {suspicious: 4, malicious: 10}
  repeat_decay: 0.5
"""

GOOD_RULE = """
  - id: {id}
    title: Reads a key
    description: A test rule.
    severity: high
    weight: 3
    match:
      file: {{path: "~/.ssh/id_*", access: read}}
    cases:
      positive:
        - install: {{files: [{{path: ~/.ssh/id_rsa}}]}}
      benign:
        - install: {{files: [{{path: ~/.ssh/id_rsa.pub}}]}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def rules_file(*bodies: str) -> str:
    return "rules:\n" + "".join(bodies)


def problems_of(*paths: Path) -> tuple[str, ...]:
    with pytest.raises(RuleSetError) as caught:
        load_rules(list(paths))
    return caught.value.problems


def test_a_good_folder_loads(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    write(tmp_path, "a.yaml", rules_file(GOOD_RULE.format(id="key-read")))
    rules = load_rules([tmp_path])
    assert [r.id for r in rules.rules] == ["key-read"]
    assert rules.scoring.malicious == 10
    assert len(rules.by_id["key-read"].positive) == 1


def test_every_bad_rule_in_every_file_is_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    write(tmp_path, "a.yaml", """
        rules:
          - id: bad-regex
            title: t
            description: d
            severity: high
            weight: 1
            match: {process: {argv: ["(unclosed"]}}
          - id: bad-kind
            title: t
            description: d
            severity: high
            weight: 1
            match: {signal: {kind: [no-such-kind]}}
          - id: unknown-key
            title: t
            description: d
            severity: high
            weight: 1
            colour: red
            match: {dns: {}}
          - id: bad-class
            title: t
            description: d
            severity: high
            weight: 1
            match: {file: {path: "~/.config/[z-a]*"}}
    """)
    write(tmp_path, "b.yaml", """
        rules:
          - id: bad-field
            title: t
            description: d
            severity: extreme
            weight: -1
            match: {file: {pathh: x}}
          - id: bad-clause
            title: t
            description: d
            severity: low
            weight: 1
            match: {files: {path: x}}
    """)
    problems = "\n".join(problems_of(tmp_path))
    assert "rule bad-regex.match.process.argv[0]: bad regex" in problems
    assert "rule bad-kind.match.signal.kind: unknown value 'no-such-kind'" in problems
    assert "rule unknown-key: unknown key 'colour'" in problems
    # Globs compile when first matched; the class, the one part that can be a bad regex,
    # is still checked when the rules load.
    assert "rule bad-class.match.file.path: bad class '[z-a]' in glob" in problems
    assert "rule bad-field.severity: unknown value 'extreme'" in problems
    assert "rule bad-field.weight: expected a number of at least 0" in problems
    assert "unknown field 'pathh' in `file`" in problems
    assert "rule bad-clause.match: unknown clause 'files'" in problems
    assert "a.yaml" in problems and "b.yaml" in problems


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    write(tmp_path, "a.yaml", rules_file(GOOD_RULE.format(id="key-read")))
    write(tmp_path, "b.yaml", rules_file(GOOD_RULE.format(id="key-read")))
    (problem,) = problems_of(tmp_path)
    assert "b.yaml: rule key-read: duplicate id (first defined in" in problem


def test_duplicate_yaml_keys_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    write(tmp_path, "a.yaml", """
        rules:
          - id: twice
            id: again
            title: t
    """)
    (problem,) = problems_of(tmp_path)
    assert "invalid YAML: duplicate key 'id'" in problem


def test_broken_yaml_and_missing_paths_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    write(tmp_path, "a.yaml", "rules: [\n")
    problems = problems_of(tmp_path, tmp_path / "nowhere")
    assert any("a.yaml: invalid YAML" in p for p in problems)
    assert any("nowhere: no such file or folder" in p for p in problems)


def test_a_weak_rule_may_not_reach_malicious_alone(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    heavy = GOOD_RULE.format(id="heavy").replace("weight: 3", "weight: 6")
    (problem,) = problems_of(tmp_path, write(tmp_path, "a.yaml", rules_file(heavy)))
    # 6 + 3 + 1.5 over the three phases it may fire in
    assert "weight 6 can reach 10.5 on its own" in problem


def test_a_strong_rule_must_be_high_or_critical(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    rule = GOOD_RULE.format(id="strong-low").replace("severity: high",
                                                     "severity: low\n    strong: true")
    (problem,) = problems_of(write(tmp_path, "a.yaml", rules_file(rule)), tmp_path)
    assert "a strong rule must be high or critical" in problem


def test_scoring_must_be_defined_exactly_once_and_sound(tmp_path: Path) -> None:
    write(tmp_path / "none", "a.yaml", rules_file(GOOD_RULE.format(id="key-read")))
    assert any("no file defines `scoring:`" in p for p in problems_of(tmp_path / "none"))
    write(tmp_path / "two", "s1.yaml", SCORING)
    write(tmp_path / "two", "s2.yaml", SCORING)
    assert any("scoring is already defined" in p for p in problems_of(tmp_path / "two"))
    write(tmp_path / "bad", "s.yaml", SCORING.replace("suspicious: 4", "suspicious: 12"))
    assert any("need 0 < suspicious < malicious" in p for p in problems_of(tmp_path / "bad"))


def test_a_match_must_rest_on_some_event(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    absent = GOOD_RULE.format(id="absent").replace(
        'file: {{path: "~/.ssh/id_*", access: read}}'.format(),
        "any: [{dns: {}}, {not: {typosquat: {}}}]")
    (problem,) = problems_of(write(tmp_path, "a.yaml", rules_file(absent)), tmp_path)
    assert "rule absent.match: it could hold with no event at all" in problem


def test_a_group_must_exist_and_never_caps_a_strong_rule(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    unknown = GOOD_RULE.format(id="grouped").replace("weight: 3", "weight: 3\n    group: hints")
    strong = GOOD_RULE.format(id="strong-grouped").replace(
        "weight: 3", "weight: 3\n    group: hints\n    strong: true")
    write(tmp_path, "a.yaml", rules_file(unknown, strong))
    problems = "\n".join(problems_of(tmp_path))
    assert "rule grouped.group: no scoring group 'hints' (groups: none)" in problems
    assert "rule strong-grouped.group: a strong rule cannot be capped by a group" in problems


def test_bad_cases_are_reported_with_the_rule(tmp_path: Path) -> None:
    write(tmp_path, "scoring.yaml", SCORING)
    rule = GOOD_RULE.format(id="cases").replace(
        "- install: {{files: [{{path: ~/.ssh/id_rsa.pub}}]}}".format(),
        "- install: {files: [{path: x, acess: read}]}\n"
        "        - static: [{kind: not-a-kind}]\n"
        "        - instal: {}",
    )
    problems = "\n".join(problems_of(write(tmp_path, "a.yaml", rules_file(rule))))
    assert "cases.benign[0].install.files[0]: unknown key 'acess'" in problems
    assert "cases.benign[1].static[0].kind: unknown value 'not-a-kind'" in problems
    assert "cases.benign[2]: unknown key 'instal'" in problems


def test_user_rules_are_added_to_the_shipped_ones(tmp_path: Path) -> None:
    write(tmp_path, "mine.yaml", rules_file(GOOD_RULE.format(id="my-own-rule")))
    rules = load_rules([RULES_DIR, tmp_path])
    assert "my-own-rule" in rules.by_id
    assert set(default_rules().by_id) < set(rules.by_id)


def test_a_rule_set_error_is_a_rule_error_with_one_line_for_people(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "rules: 3\n")
    with pytest.raises(RuleError) as caught:
        load_rules([tmp_path])
    line = caught.value.diagnostics()
    assert "\n" not in line and line.startswith("2 problems in the rules:")
