"""Poetry's `[tool.poetry.dependencies]` entries as PEP 508 lines pip can read."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

MAX_LINE = 500
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
# One clause of an AND list: `^1.2`, `~1.2`, `>= 1.2`, `1.2.*`; commas or spaces between.
_CLAUSE = re.compile(r"\s*(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*(v?[0-9][0-9A-Za-z.*+!-]*)\s*,?")


def poetry_requirement(name: str, spec: object) -> str | None:
    """A PEP 508 line for one `[tool.poetry.dependencies]` entry; None when not installed.

    A constraint PEP 440 cannot say (`1.0 || 2.0`, several entries per name) gives the
    bare name; optional and path dependencies are left out; git and url ones become
    direct references, which the wheelhouse refuses by name."""
    if not isinstance(name, str) or not _NAME.match(name):
        return None
    version, extras, marker, url = "", "", "", ""
    if isinstance(spec, str):
        version = poetry_specifier(spec)
    elif isinstance(spec, dict):
        if spec.get("optional") is True or "path" in spec:
            return None
        version = poetry_specifier(spec["version"]) if isinstance(spec.get("version"), str) \
            else ""
        names = spec.get("extras")
        if isinstance(names, list) and names and all(isinstance(e, str) and _NAME.match(e)
                                                     for e in names):
            extras = f"[{','.join(names)}]"
        marker = spec["markers"] if isinstance(spec.get("markers"), str) else ""
        if isinstance(spec.get("git"), str):
            url = "git+" + spec["git"]
        elif isinstance(spec.get("url"), str):
            url = spec["url"]
    elif not isinstance(spec, list):
        return None
    # A URL that does not parse is left out: its bare name would be some other project.
    lines = [f"{name}{extras} @ {url}"] if url else [f"{name}{extras}{version}",
                                                     f"{name}{extras}", name]
    for line in lines:
        for candidate in ((f"{line} ; {marker}", line) if marker else (line,)):
            # packaging's marker parser recurses per parenthesis: long lines are refused.
            if len(candidate) > MAX_LINE:
                continue
            try:
                Requirement(candidate)
            except InvalidRequirement:
                continue
            return candidate
    return None


def poetry_specifier(text: str) -> str:
    """A PEP 440 specifier for a poetry constraint (`^1.2` -> `>=1.2,<2`), or "" for any."""
    text = text.strip()
    if text in ("", "*") or "|" in text:
        return ""
    clauses: list[str] = []
    pos = 0
    while pos < len(text):
        match = _CLAUSE.match(text, pos)
        if match is None or match.end() == pos:
            return ""
        pos = match.end()
        clause = _poetry_clause(match.group(1) or "", match.group(2).lstrip("v"))
        if clause is None:
            return ""
        clauses += clause
    spec = ",".join(clauses)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return ""
    return spec


def _poetry_clause(op: str, version: str) -> list[str] | None:
    if op in ("^", "~"):
        release = re.match(r"^[0-9]+(?:\.[0-9]+)*", version)
        if release is None:
            return None
        parts = [int(p) for p in release.group(0).split(".")]
        if op == "^":
            bump = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
        else:
            bump = min(1, len(parts) - 1)
        upper = [*parts[:bump], parts[bump] + 1]
        return [f">={version}", "<" + ".".join(map(str, upper))]
    if op in ("", "="):
        return [f"=={version}"]
    return [f"{op}{version}"]
