"""The popularity lists shipped in `data/`: loading, validating and refreshing them."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from importlib import resources
from pathlib import Path

from analyzer.errors import Error
from analyzer.kinds import Ecosystem

FILENAMES = {Ecosystem.PYPI: "popular-pypi.txt", Ecosystem.NPM: "popular-npm.tsv"}
NPM_HEADER = "name\tmonthly_downloads"
# A list cut short by a failed download would silently turn the check off.
MIN_NAMES = 1000
SHIPPED_DIR = Path(__file__).resolve().parent / "data"

_PYPI_NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?", re.IGNORECASE)
# Legacy npm names keep capitals (`JSONStream`), so case is not checked.
_NPM_NAME = re.compile(r"(?:@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*", re.IGNORECASE)
_NPM_MAX_LENGTH = 214
_PROBLEMS_SHOWN = 10


class PopularListError(Error):
    """A popularity list is missing or malformed."""


@functools.cache
def load_popular(ecosystem: Ecosystem) -> tuple[str, ...]:
    """The shipped popular names of `ecosystem`, most popular first."""
    filename = FILENAMES[ecosystem]
    try:
        data = (resources.files("analyzer.detect.typosquat") / "data" / filename).read_bytes()
    except OSError as error:
        raise PopularListError(
            f"cannot read the shipped popularity list {filename} ({error.strerror or error}); "
            "reinstall pkgsandbox or refresh the lists"
        ) from error
    names, problems = parse_popular(data, ecosystem)
    if problems:
        raise PopularListError(_summary(f"the shipped {filename} is invalid", problems))
    return names


def parse_popular(data: bytes, ecosystem: Ecosystem) -> tuple[tuple[str, ...], list[str]]:
    """The names in one list file and every problem found in it (none: the list is usable)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return (), [f"not UTF-8 text (byte {error.start})"]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if ecosystem is Ecosystem.NPM:
        names, problems = _parse_npm(lines)
    else:
        names, problems = _parse_pypi(lines)
    if len(names) < MIN_NAMES:
        problems.append(f"only {len(names)} names; a full list has at least {MIN_NAMES}")
    return tuple(names), problems


def _parse_pypi(lines: list[str]) -> tuple[list[str], list[str]]:
    names: list[str] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not _PYPI_NAME.fullmatch(line):
            problems.append(f"line {number}: {line!r} is not a PyPI project name")
            continue
        normal = re.sub(r"[-_.]+", "-", line).lower()
        if normal in seen:
            problems.append(f"line {number}: {line!r} repeats line {seen[normal]}")
            continue
        seen[normal] = number
        names.append(line)
    return names, problems


def _parse_npm(lines: list[str]) -> tuple[list[str], list[str]]:
    names: list[str] = []
    problems: list[str] = []
    if not lines or lines[0] != NPM_HEADER:
        problems.append(f"line 1: the header must be {NPM_HEADER!r}")
    seen: dict[str, int] = {}
    previous: int | None = None
    for number, line in enumerate(lines[1:], start=2):
        name, tab, downloads = line.partition("\t")
        if not tab or "\t" in downloads:
            problems.append(f"line {number}: expected name<TAB>monthly_downloads, got {line!r}")
            continue
        if not _NPM_NAME.fullmatch(name) or len(name) > _NPM_MAX_LENGTH:
            problems.append(f"line {number}: {name!r} is not an npm package name")
            continue
        if not downloads.isascii() or not downloads.isdigit():
            problems.append(f"line {number}: downloads {downloads!r} is not a whole number")
            continue
        if previous is not None and int(downloads) > previous:
            problems.append(f"line {number}: {name!r} has more downloads than the line above")
        previous = int(downloads)
        if name.lower() in seen:
            problems.append(f"line {number}: {name!r} repeats line {seen[name.lower()]}")
            continue
        seen[name.lower()] = number
        names.append(name)
    return names, problems


def copy_popular_lists(source_dir: Path, dest_dir: Path = SHIPPED_DIR) -> dict[Ecosystem, int]:
    """Validate both lists in `source_dir`, then copy them into `dest_dir` unchanged.

    Nothing is written unless both are valid; every problem is reported in one error.
    """
    problems: list[str] = []
    valid: dict[Ecosystem, tuple[bytes, int]] = {}
    for ecosystem, filename in FILENAMES.items():
        path = source_dir / filename
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(f"{path}: cannot read it ({error.strerror or error})")
            continue
        names, found = parse_popular(data, ecosystem)
        problems.extend(f"{filename} {problem}" for problem in found)
        valid[ecosystem] = (data, len(names))
    if problems:
        headline = f"the popularity lists in {source_dir} are invalid"
        raise PopularListError(_summary(headline, problems))
    dest_dir.mkdir(parents=True, exist_ok=True)
    for ecosystem, (data, _) in valid.items():
        _replace(dest_dir / FILENAMES[ecosystem], data)
    return {ecosystem: count for ecosystem, (_, count) in valid.items()}


def _replace(path: Path, data: bytes) -> None:
    """Write beside the old file, then rename: a reader never sees half a list."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)  # gone already unless something failed


def _summary(headline: str, problems: list[str]) -> str:
    """One line: the headline, the first problems, and how many more there are."""
    shown = "; ".join(problems[:_PROBLEMS_SHOWN])
    more = len(problems) - _PROBLEMS_SHOWN
    return f"{headline}: {shown}" + (f"; and {more} more problems" if more > 0 else "")
