"""requirements files (pip, pip-compile): pins and ranges, read with `packaging`."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from analyzer.models import Ecosystem
from analyzer.scan.interface import Dependency, LockfileProblem

Parsed = tuple[list[Dependency], list[LockfileProblem]]
_URL_OR_PATH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git\+|hg\+|svn\+|bzr\+|\.{0,2}/|~|file:)",
                          re.IGNORECASE)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Joined continuation lines without comments, each with its first line number."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        if pending.strip():
            lines.append((start, pending.strip()))
        pending = ""
    if pending.strip():
        lines.append((start, pending.strip()))
    return lines


def parse_requirements(text: str, source: str) -> Parsed:
    """Every requirement line; URL, VCS, path and editable lines become problems."""
    found: list[Dependency] = []
    problems: list[LockfileProblem] = []
    for number, line in _logical_lines(text):
        where = f"{source}:{number}"
        # Hash options belong to the line; other options (-r, -c, --index-url) are pip's.
        line = re.sub(r"\s--hash[= ]\S+", "", " " + line).strip()
        if line.startswith(("-e ", "--editable")):
            problems.append(LockfileProblem(where, "editable dependency not checked"))
            continue
        if line.startswith("-"):
            if line.startswith(("-r", "--requirement", "-c", "--constraint")):
                problems.append(LockfileProblem(where, "included file not followed; "
                                                       "pass it to scan as well"))
            continue
        if _URL_OR_PATH.match(line):
            problems.append(LockfileProblem(where, "URL, VCS or path dependency not checked"))
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            problems.append(LockfileProblem(where, f"not a requirement: {str(exc)[:80]}"))
            continue
        if requirement.url:
            problems.append(LockfileProblem(where, f"{requirement.name}: URL dependency "
                                                   "not checked"))
            continue
        found.append(_dependency(requirement, source))
    return found, problems


def _dependency(requirement: Requirement, source: str) -> Dependency:
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") \
            and "*" not in specifiers[0].version:
        return Dependency(Ecosystem.PYPI, requirement.name, specifiers[0].version, None, source)
    return Dependency(Ecosystem.PYPI, requirement.name, None,
                      str(requirement.specifier) or None, source)
