"""README and `--help` stay in step: every command and option the parsers know is in the
README's command list, and the README names none they do not know."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from analyzer.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands_block() -> str:
    text = README.read_text()
    section = text.split("## Commands", 1)[1]
    return section.split("```", 2)[1]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found = {
        option for action in parser._actions for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    for child in _subparsers(parser).values():
        found |= _options(child)
    return found


def test_every_command_and_option_is_in_the_readme() -> None:
    block = _commands_block()
    commands = _subparsers(build_parser())
    for name, parser in commands.items():
        assert re.search(rf"^pkgsandbox {name}\b", block, re.M), f"README lacks `{name}`"
        for option in _options(parser):
            line_start = block.index(f"pkgsandbox {name}")
            following = [m.start() for m in re.finditer(r"^pkgsandbox ", block, re.M)
                         if m.start() > line_start]
            usage = block[line_start:following[0] if following else None]
            assert option in usage, f"README's `{name}` lacks {option}"


def test_the_readme_names_no_command_or_option_that_does_not_exist() -> None:
    block = _commands_block()
    commands = _subparsers(build_parser())
    known = set().union(*(_options(p) for p in commands.values()))
    for name in re.findall(r"^pkgsandbox (\w+)", block, re.M):
        assert name in commands, f"README names unknown command `{name}`"
    for option in re.findall(r"--[a-z][a-z-]+", block):
        assert option in known or option == "--help", f"README names unknown option {option}"
