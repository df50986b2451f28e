"""What a failed `pip download` blames, read from its output; a real line above each pattern."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from packaging.utils import canonicalize_name


@dataclass(frozen=True)
class PipFailure:
    """What a failed `pip download` said, names canonical; `reason` is one line."""

    reason: str
    not_found: dict[str, str] = field(default_factory=dict)  # name -> pip's line about it
    conflicts: tuple[str, ...] = ()  # what pip could not install together
    parents: dict[str, str] = field(default_factory=dict)  # name -> what pulled it in
    timed_out: bool = False
    out_of_budget: bool = False


# ERROR: Could not find a version that satisfies the requirement leafdep (from tinydep) (from
# versions: none)
_NO_VERSION = re.compile(r"Could not find a version that satisfies the requirement (\S+)"
                         r"(?: \(from ([^)]+)\))?")
# ERROR: No matching distribution found for ghost>=1
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
# Collecting tinydep (from mid)
_COLLECTING = re.compile(r"^Collecting (\S+) \(from ([^)]+)\)")
# ERROR: Cannot install aa==1.0 and bb==1.0 because these package versions have conflicting
# dependencies.
_CANNOT = re.compile(r"Cannot install (.+?) because these package versions have conflicting")
# "    aa 1.0 depends on cc<2" and "    The user requested cc==1.0", after "The conflict is
# caused by:"
_CAUSE = re.compile(r"^\s+(\S+ \S+ depends on \S.*|The user requested \S.*)$")
_LEADING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_pip_failure(output: str, returncode: int = 1) -> PipFailure:
    """Read pip's stdout and stderr for the distributions it could not find or combine."""
    not_found: dict[str, str] = {}
    conflicts: list[str] = []
    causes: list[str] = []
    parents: dict[str, str] = {}
    errors: list[str] = []
    for line in output.splitlines():
        if line.startswith("ERROR:"):
            errors.append(line[len("ERROR:"):])
        link = _COLLECTING.match(line) or _NO_VERSION.search(line)
        if link is not None and link.group(2):
            _link(parents, link.group(1), link.group(2))
        elif (match := _NO_MATCH.search(line)) is not None:
            name = _canonical(match.group(1))
            if name:
                not_found.setdefault(name, one_line(match.group(0)))
        elif (match := _CANNOT.search(line)) is not None:
            for part in re.split(r", | and ", match.group(1)):
                if (name := _canonical(part)) and name not in conflicts:
                    conflicts.append(name)
        elif (match := _CAUSE.match(line)) is not None:
            causes.append(match.group(1).strip())
    reason = one_line(errors[-1]) if errors else f"pip exited with {returncode}"
    if causes:
        reason = one_line(f"conflicting dependencies: {'; '.join(causes)}")
    return PipFailure(reason, not_found, tuple(conflicts), parents)


def blame(failure: PipFailure, pending: Sequence[str]) -> dict[str, str]:
    """The requirements of `pending` that caused `failure`, each with a one-line reason.

    A distribution pip could not find is traced back through "Collecting X (from Y)" to
    the requirement that pulled it in. Of requirements that conflict, the first one
    given is kept, so the next run can succeed with it."""
    top: dict[str, str] = {}
    for req in pending:
        top.setdefault(_canonical(req), req)

    def root(name: str) -> str | None:
        seen: set[str] = set()
        while name not in top and name in failure.parents and name not in seen:
            seen.add(name)
            name = failure.parents[name]
        return name if name in top else None

    blamed: dict[str, str] = {}
    for name, line in failure.not_found.items():
        if (found := root(name)) is not None:
            why = line if found == name else f"{line} (a dependency of {top[found]})"
            blamed.setdefault(top[found], one_line(why))
    conflicting = [n for n in top if n in {root(c) for c in failure.conflicts}]
    for name in conflicting[1:] or conflicting:
        blamed.setdefault(top[name], failure.reason)
    return blamed


def _link(parents: dict[str, str], child: str, parent: str) -> None:
    child_name, parent_name = _canonical(child), _canonical(parent)
    if child_name and parent_name and child_name != parent_name:
        parents.setdefault(child_name, parent_name)


def _canonical(spec: str) -> str:
    match = _LEADING_NAME.match(spec.strip())
    return canonicalize_name(match.group(0)) if match else ""


def one_line(text: str) -> str:
    return " ".join(text.split())[:300]
