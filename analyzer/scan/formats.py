"""Which parser reads a file: by its name first, then by what it holds."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from analyzer.scan.interface import LockfileProblem
from analyzer.scan.npm_locks import parse_package_lock, parse_pnpm_lock
from analyzer.scan.python_locks import (
    LockParseError,
    Parsed,
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_uv_lock,
)
from analyzer.scan.requirements import parse_requirements
from analyzer.scan.yarn_lock import parse_yarn_lock

Parser = Callable[[str, str], Parsed]
BY_NAME: dict[str, Parser] = {
    "poetry.lock": parse_poetry_lock, "uv.lock": parse_uv_lock,
    "Pipfile.lock": parse_pipfile_lock, "package-lock.json": parse_package_lock,
    "npm-shrinkwrap.json": parse_package_lock, "yarn.lock": parse_yarn_lock,
    "pnpm-lock.yaml": parse_pnpm_lock,
}


def parser_for(path: Path, text: str) -> Parser | None:
    if path.name in BY_NAME:
        return BY_NAME[path.name]
    if re.fullmatch(r".*requirements.*\.(txt|in)|.*\.req", path.name, re.IGNORECASE):
        return parse_requirements
    head = text.lstrip()[:4000]
    if head.startswith("{") and '"lockfileVersion"' in head:
        return parse_package_lock
    if head.startswith("{") and '"_meta"' in head:
        return parse_pipfile_lock
    if "# yarn lockfile v1" in head or head.startswith("__metadata:"):
        return parse_yarn_lock
    if head.startswith("lockfileVersion:"):
        return parse_pnpm_lock
    if "[[package]]" in head:
        return parse_uv_lock if "source = {" in text else parse_poetry_lock
    return None


def read_file(path: Path) -> Parsed:
    """Dependencies and problems of one file; a file that does not parse is one problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [], [LockfileProblem(source, "not UTF-8 text: unknown format")]
    parser = parser_for(path, text)
    if parser is None:
        return [], [LockfileProblem(source, "unknown format (not a requirements file or a "
                                            "lockfile this tool reads)")]
    try:
        return parser(text, source)
    except LockParseError as exc:
        return [], [LockfileProblem(source, " ".join(str(exc).split())[:200])]
