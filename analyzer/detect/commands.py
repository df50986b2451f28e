"""The `pkgsandbox rules ...` and `pkgsandbox typosquat ...` commands, for cli.py to mount.

    add_rules_parser(commands)      # rules list|test|lint [--rules DIR]
    add_typosquat_parser(commands)  # typosquat NAME... --ecosystem pypi|npm [--json]

Each parser sets `handler`, a function `(args) -> int`; errors are `analyzer.errors.Error`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyzer.errors import UsageError
from analyzer.kinds import Ecosystem
from analyzer.terminal import printable

# The rule engine and the popular-name lists load when a command uses them, not for --help.
if TYPE_CHECKING:
    from analyzer.detect.rules.ruleset import RuleSet

Handler = Callable[[argparse.Namespace], int]
EXIT_OK, EXIT_FAILED = 0, 1


def _subparsers(parser: argparse.ArgumentParser, dest: str) -> Any:
    # The nested parsers keep the parent's class, so a usage error stays a UsageError.
    return parser.add_subparsers(dest=dest, required=True, parser_class=type(parser))


def add_rules_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rules", help="list, test and check the detection rules",
        description="The shipped rules live in rules/*.yaml; --rules DIR adds a folder of "
                    "your own (the shipped rules stay).")
    commands = _subparsers(parser, "rules_command")
    shown = {
        "list": "show every rule: id, severity, weight, phases, title",
        "test": "run each rule against its own positive and benign cases",
        "lint": "check the rule files and report every problem",
    }
    for name, text in shown.items():
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("--rules", action="append", type=Path, default=[], metavar="DIR",
                             help="also load the *.yaml rules in DIR (may be repeated)")
        if name == "list":
            command.add_argument("--json", action="store_true", help="one JSON object a line")
        if name == "test":
            command.add_argument("ids", nargs="*", metavar="RULE",
                                 help="only these rules (default: all)")
    parser.set_defaults(handler=run_rules)
    return parser


def add_typosquat_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "typosquat", help="check package names against the popular ones",
        description="Say which popular package each NAME imitates, if any.")
    parser.add_argument("names", nargs="+", metavar="NAME",
                        help="a package name; `-` reads names from standard input, one a line")
    parser.add_argument("--ecosystem", required=True, choices=[e.value for e in Ecosystem])
    parser.add_argument("--json", action="store_true",
                        help='one object a line: {"name","ecosystem","target","kind","distance"}')
    parser.set_defaults(handler=run_typosquat)
    return parser


# --- rules --------------------------------------------------------------------------


def run_rules(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from analyzer.detect.rules.ruleset import RULES_DIR, load_rules

    out = out or sys.stdout
    paths = [RULES_DIR, *args.rules]
    if args.rules_command == "lint":
        return _lint(paths, out)
    rules = load_rules(paths)
    if args.rules_command == "list":
        return _list(rules, args.json, out)
    return _test(rules, args.ids, out)


def _list(rules: RuleSet, as_json: bool, out: TextIO) -> int:
    for rule in rules.rules:
        if as_json:
            print(json.dumps({
                "id": rule.id, "title": rule.title, "severity": rule.severity.value,
                "weight": rule.weight, "strong": rule.strong,
                "ecosystems": sorted(e.value for e in rule.ecosystems),
                "phases": [p.value for p in rule.phases] if rule.match.bound else [],
                "tags": list(rule.tags), "source": str(rule.source),
            }), file=out)
            continue
        phases = ",".join(p.value for p in rule.phases) if rule.match.bound else "static"
        weight = "strong" if rule.strong else f"{rule.weight:g}"
        print(f"{rule.id:34} {rule.severity.value:8} {weight:>6}  {phases:22} {rule.title}",
              file=out)
    if not as_json:
        print(f"\n{len(rules.rules)} rules; suspicious from {rules.scoring.suspicious:g}, "
              f"malicious from {rules.scoring.malicious:g} or any strong rule", file=out)
    return EXIT_OK


def _test(rules: RuleSet, ids: Sequence[str], out: TextIO) -> int:
    from analyzer.detect.rules.engine import case_failures

    unknown = [rule_id for rule_id in ids if rule_id not in rules.by_id]
    if unknown:
        raise UsageError(f"no such rule: {', '.join(unknown)} (see `pkgsandbox rules list`)")
    chosen = [rules.by_id[rule_id] for rule_id in ids] if ids else list(rules.rules)
    failed = 0
    for rule in chosen:
        failures = case_failures(rule)
        failed += bool(failures)
        status = "FAIL" if failures else "ok"
        print(f"{status:4} {rule.id} ({len(rule.positive)} positive, {len(rule.benign)} benign)",
              file=out)
        for failure in failures:
            print(f"     {failure}", file=out)
    print(f"\n{len(chosen) - failed} of {len(chosen)} rules pass their cases", file=out)
    return EXIT_FAILED if failed else EXIT_OK


def _lint(paths: list[Path], out: TextIO) -> int:
    from analyzer.detect.rules.ruleset import RuleSetError, load_rules

    try:
        rules = load_rules(paths)
    except RuleSetError as exc:
        for problem in exc.problems:
            print(problem, file=out)
        print(f"\n{len(exc.problems)} problems", file=out)
        return EXIT_FAILED
    problems = [
        f"{rule.source}: rule {rule.id}: no {group} case"
        for rule in rules.rules
        for group, cases in (("positive", rule.positive), ("benign", rule.benign))
        if not cases
    ]
    for problem in problems:
        print(problem, file=out)
    verdict = f"{len(problems)} problems" if problems else "ok"
    print(f"{len(rules.rules)} rules in {len(rules.sources)} files: {verdict}", file=out)
    return EXIT_FAILED if problems else EXIT_OK


# --- typosquat ----------------------------------------------------------------------


def run_typosquat(args: argparse.Namespace, stdin: TextIO | None = None,
                  out: TextIO | None = None) -> int:
    from analyzer.detect.rules.context import clip
    from analyzer.detect.typosquat.checker import check_name

    out = out or sys.stdout
    ecosystem = Ecosystem(args.ecosystem)
    for name in _names(args.names, stdin or sys.stdin):
        squat = check_name(name, ecosystem)
        if args.json:
            print(json.dumps({
                "name": name, "ecosystem": ecosystem.value,
                "target": squat.target if squat else None,
                "kind": squat.kind if squat else None,
                "distance": squat.distance if squat else None,
            }), file=out)
        elif squat is None:
            print(f"{printable(clip(name, 100))}: clean", file=out)
        else:
            print(f"{printable(clip(name, 100))}: imitates {squat.target} ({squat.kind}, "
                  f"distance {squat.distance})", file=out)
    return EXIT_OK


def _names(arguments: Sequence[str], stdin: TextIO) -> Iterator[str]:
    for argument in arguments:
        if argument != "-":
            yield argument
            continue
        for line in stdin:
            if line.strip():
                yield line.strip()
