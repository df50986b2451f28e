"""Rules as data: `load_rules()` reads YAML rule files, checks every rule, and reports
every problem of every file in one `RuleSetError`.

A rules file holds `rules:` (a list of rules) and/or `scoring:` (thresholds, defined
exactly once across all files). One rule:

    - id: ssh-key-read                     # unique, lowercase-dashed
      title: Reads an SSH private key
      description: ...
      severity: high                       # low | medium | high | critical
      weight: 4                            # score points (see scoring.py)
      strong: false                        # true: malicious on its own
      group: weak-static                   # optional: a scoring group with a cap
      ecosystems: [pypi, npm]              # default: both
      phases: [install, import]            # default: all three
      tags: [T1552.004]                    # MITRE ATT&CK ids and free words
      references: [https://...]
      match: {file: {path: ~/.ssh/id_*, access: read}}   # see match.py / leaves*.py
      cases: {positive: [...], benign: [...]}            # see cases.py
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analyzer.detect.rules.cases import Case, parse_cases
from analyzer.detect.rules.match import Clause, parse_clause
from analyzer.detect.rules.patterns import Problems
from analyzer.detect.rules.scoring import ScoringConfig, scored_phases
from analyzer.errors import RuleError
from analyzer.models import Ecosystem, Phase, Severity

RULES_DIR = Path(__file__).resolve().parents[3] / "rules"
REQUIRED_KEYS = ("id", "title", "description", "severity", "weight", "match")
OPTIONAL_KEYS = ("strong", "group", "ecosystems", "phases", "tags", "references", "cases")
RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}")
STRONG_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)
# `definitions:` holds YAML anchors shared by the rules of one file; it is not read.
FILE_KEYS = frozenset({"rules", "scoring", "definitions"})


class RuleSetError(RuleError):
    """Every problem found in a rule set; `problems` has one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the rules: "
                         + "; ".join(self.problems))


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    severity: Severity
    weight: float
    strong: bool
    group: str | None
    ecosystems: frozenset[Ecosystem]
    phases: tuple[Phase, ...]
    tags: tuple[str, ...]
    references: tuple[str, ...]
    match: Clause
    positive: tuple[Case, ...]
    benign: tuple[Case, ...]
    source: Path

    @property
    def max_findings(self) -> int:
        """A trace rule fires at most once a phase; a static or metadata rule once."""
        return scored_phases(self.phases) if self.match.bound else 1


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    scoring: ScoringConfig
    sources: tuple[Path, ...]
    by_id: Mapping[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {rule.id: rule for rule in self.rules})


@functools.cache
def default_rules() -> RuleSet:
    """The shipped rule set, read once per process."""
    return load_rules([RULES_DIR])


def load_rules(paths: Iterable[Path]) -> RuleSet:
    """Read every `*.yaml` in the given folders (and the given files), in name order.

    Raises `RuleSetError` listing every problem when anything is wrong.
    """
    problems = Problems()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            files.append(path)
        else:
            problems.add(str(path), "no such file or folder")
    # The same file named twice (as itself and through its folder) is read once.
    files = list({file.resolve(): file for file in files}.values())
    rules: list[Rule] = []
    scoring: list[tuple[Path, ScoringConfig]] = []
    for file in files:
        document = _read_yaml(file, problems)
        if document is None:
            continue
        if not isinstance(document, Mapping) or not document or set(document) - FILE_KEYS:
            problems.add(str(file), "expected a mapping with `rules:`, `scoring:` and/or "
                                    "`definitions:`")
            continue
        if "scoring" in document:
            config = ScoringConfig.parse(document["scoring"], f"{file}: scoring", problems)
            if config is not None:
                scoring.append((file, config))
        items = document.get("rules", [])
        if not isinstance(items, list):
            problems.add(f"{file}: rules", "expected a list of rules")
            continue
        for index, item in enumerate(items):
            rule = _parse_rule(item, file, index, problems)
            if rule is not None:
                rules.append(rule)
    config = _one_scoring(scoring, problems)
    _check_set(rules, config, problems)
    if problems or config is None:
        raise RuleSetError(problems.items)
    return RuleSet(tuple(rules), config, tuple(files))


def _one_scoring(found: list[tuple[Path, ScoringConfig]],
                 problems: Problems) -> ScoringConfig | None:
    if not found:
        problems.add("rules", "no file defines `scoring:` (thresholds)")
        return None
    for file, _ in found[1:]:
        problems.add(f"{file}: scoring", f"scoring is already defined in {found[0][0]}")
    return found[0][1]


def _check_set(rules: list[Rule], config: ScoringConfig | None, problems: Problems) -> None:
    first: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in first:
            problems.add(f"{rule.source}: rule {rule.id}",
                         f"duplicate id (first defined in {first[rule.id].source})")
        first.setdefault(rule.id, rule)
        if config is not None and rule.group is not None and rule.group not in config.group_caps:
            problems.add(f"{rule.source}: rule {rule.id}.group",
                         f"no scoring group {rule.group!r} (groups: "
                         f"{', '.join(config.group_caps) or 'none'})")
        if config is not None and not rule.strong:
            most = config.contribution(rule.weight, rule.max_findings)
            if most >= config.malicious:
                problems.add(
                    f"{rule.source}: rule {rule.id}",
                    f"weight {rule.weight:g} can reach {most:g} on its own, at or above the "
                    f"malicious threshold {config.malicious:g}: lower it or mark the rule strong",
                )


def _parse_rule(item: Any, file: Path, index: int, problems: Problems) -> Rule | None:
    rule_id = item.get("id") if isinstance(item, Mapping) else None
    where = f"{file}: rule " + (rule_id if isinstance(rule_id, str) else f"#{index + 1}")
    if not isinstance(item, Mapping):
        problems.add(where, "expected a mapping")
        return None
    before = len(problems.items)
    for key in item:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            problems.add(where, f"unknown key {key!r} (expected: "
                                f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})")
    for key in REQUIRED_KEYS:
        if key not in item:
            problems.add(where, f"missing {key!r}")
    if len(problems.items) != before:
        return None
    if not isinstance(rule_id, str) or not RULE_ID.fullmatch(rule_id):
        problems.add(where, "id: use 2-64 lowercase letters, digits and dashes")
        rule_id = ""
    for key in ("title", "description"):
        if not isinstance(item[key], str) or not item[key].strip():
            problems.add(f"{where}.{key}", "expected non-empty text")
    severity = _enum(item["severity"], Severity, f"{where}.severity", problems)
    weight = item["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        problems.add(f"{where}.weight", "expected a number of at least 0")
    strong = item.get("strong", False)
    if not isinstance(strong, bool):
        problems.add(f"{where}.strong", "expected true or false")
    elif strong and severity is not None and severity not in STRONG_SEVERITIES:
        problems.add(f"{where}.severity", "a strong rule must be high or critical")
    group = item.get("group")
    if group is not None and (not isinstance(group, str) or not RULE_ID.fullmatch(group)):
        problems.add(f"{where}.group", "expected a group name from scoring.yaml")
    elif group is not None and strong is True:
        problems.add(f"{where}.group", "a strong rule cannot be capped by a group")
    ecosystems = _enums(item.get("ecosystems", [e.value for e in Ecosystem]), Ecosystem,
                        f"{where}.ecosystems", problems)
    phases = _enums(item.get("phases", [p.value for p in Phase]), Phase, f"{where}.phases",
                    problems)
    tags = _strings(item.get("tags", []), f"{where}.tags", problems, TAG, "a tag")
    references = _strings(item.get("references", []), f"{where}.references", problems,
                          re.compile(r"https://\S+"), "an https:// URL")
    match = parse_clause(item["match"], f"{where}.match", problems)
    if match is not None and not match.positive:
        problems.add(f"{where}.match", "it could hold with no event at all: every branch "
                                       "needs a clause that is not under `not`")
    home = Ecosystem.NPM if ecosystems == [Ecosystem.NPM] else Ecosystem.PYPI
    positive, benign = parse_cases(item.get("cases"), f"{where}.cases", problems, home)
    if len(problems.items) != before or match is None or severity is None:
        return None
    return Rule(
        id=rule_id, title=" ".join(item["title"].split()),
        description=" ".join(item["description"].split()), severity=severity,
        weight=float(weight), strong=strong, group=group, ecosystems=frozenset(ecosystems),
        phases=tuple(p for p in Phase if p in phases), tags=tags, references=references,
        match=match, positive=positive, benign=benign, source=file,
    )


def _enum(value: Any, enum_type: Any, where: str, problems: Problems) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        problems.add(where, f"unknown value {value!r} (expected one of: {allowed})")
        return None


def _enums(value: Any, enum_type: Any, where: str, problems: Problems) -> list[Any]:
    if not isinstance(value, list) or not value:
        problems.add(where, "expected a non-empty list")
        return []
    found = [_enum(v, enum_type, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    return [f for f in found if f is not None]


def _strings(value: Any, where: str, problems: Problems, shape: re.Pattern[str],
             what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.add(where, "expected a list")
        return ()
    for index, text in enumerate(value):
        if not isinstance(text, str) or not shape.fullmatch(text):
            problems.add(f"{where}[{index}]", f"expected {what}, not {text!r}")
    return tuple(v for v in value if isinstance(v, str))


# --- YAML that refuses duplicate keys ------------------------------------------------


# libyaml's parser when PyYAML was built with it: several times faster at start-up.
class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML silently keeps the last of two equal keys; a rule file must not."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, (str, int, float, bool)) or key is None:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read_yaml(file: Path, problems: Problems) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(str(file), f"cannot read: {exc}")
        return None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        problems.add(str(file), "invalid YAML: " + " ".join(str(exc).split()))
        return None
