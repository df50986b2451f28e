"""yarn.lock: classic v1 (its own format, parsed here) and berry (YAML)."""

from __future__ import annotations

import re

import yaml

from analyzer.models import Ecosystem
from analyzer.scan.interface import Dependency, LockfileProblem
from analyzer.scan.python_locks import LockParseError, Parsed

_NOT_REGISTRY = re.compile(r"@(?:git\+|git:|github:|file:|link:|portal:|patch:|https?:|"
                           r"workspace:|\.{0,2}/)")


def parse_yarn_lock(text: str, source: str) -> Parsed:
    if re.search(r"^__metadata:", text, re.MULTILINE):
        return _berry(text, source)
    return _classic(text, source)


def _name_of(descriptor: str) -> str:
    """`@scope/name@^1.0.0` -> `@scope/name`; `name@npm:^1` -> `name`."""
    descriptor = descriptor.strip().strip('"')
    at = descriptor.find("@", 1)
    return descriptor[:at] if at > 0 else descriptor


def _add(descriptors: list[str], version: str | None, source: str, found: list[Dependency],
         problems: list[LockfileProblem]) -> None:
    if not descriptors:
        return
    name = _name_of(descriptors[0])
    if any(_NOT_REGISTRY.search(d.strip().strip('"')[1:]) for d in descriptors):
        problems.append(LockfileProblem(source, f"{name}: URL, git or path dependency "
                                                "not checked"))
    elif version:
        found.append(Dependency(Ecosystem.NPM, name, version, None, source))
    else:
        problems.append(LockfileProblem(source, f"{name}: no version"))


def _classic(text: str, source: str) -> Parsed:
    """Blocks of `"a@^1", a@^1.2:` then indented `version "1.2.3"` lines."""
    found: list[Dependency] = []
    problems: list[LockfileProblem] = []
    descriptors: list[str] = []
    version: str | None = None
    seen_entry = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            _add(descriptors, version, source, found, problems)
            if not line.rstrip().endswith(":"):
                raise LockParseError(f"line {number}: expected `descriptor:`")
            descriptors = [d for d in line.rstrip()[:-1].split(",") if d.strip()]
            version, seen_entry = None, True
            continue
        match = re.match(r"^ {2}version:?\s+\"?([^\"\s]+)\"?\s*$", line)
        if match and descriptors:
            version = match.group(1)
    _add(descriptors, version, source, found, problems)
    if not seen_entry:
        raise LockParseError("no entries: not a yarn lockfile")
    return found, problems


def _berry(text: str, source: str) -> Parsed:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LockParseError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(document, dict):
        raise LockParseError("not a yarn berry lockfile")
    found: list[Dependency] = []
    problems: list[LockfileProblem] = []
    for key, entry in document.items():
        if key == "__metadata" or not isinstance(entry, dict):
            continue
        resolution = str(entry.get("resolution", ""))
        if "@workspace:" in resolution:
            continue  # the project itself
        version = entry.get("version")
        descriptors = [resolution] if resolution else str(key).split(",")
        if resolution and not re.search(r"@npm:", resolution):
            problems.append(LockfileProblem(source, f"{_name_of(resolution)}: URL, git or "
                                                    "path dependency not checked"))
            continue
        _add(descriptors, str(version) if version else None, source, found, problems)
    return found, problems


