"""The requirements a source tree declares, read without running it.

Sources, all under the archive's top folder: setup.py (through `setup_py`), setup.cfg
`[options]`, pyproject.toml (PEP 621 `[project] dependencies`, setuptools' dynamic
`dependencies = {file = ...}`, `[tool.poetry.dependencies]`) and the requirements files
any of them names, with their `-r` includes. Named extras are left out: a plain
`pip install` never installs them. A referenced path must stay inside the top folder.
"""

from __future__ import annotations

import configparser
import posixpath
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from analyzer.fetch.archive import ArchiveLimits, read_members
from analyzer.fetch.poetry import poetry_requirement
from analyzer.fetch.setup_py import (
    FileRef,
    Item,
    SetupPyError,
    looks_like_requirements,
    read_setup_py,
)

MAX_TEXT_BYTES = 256 << 10  # setup.cfg, pyproject.toml, each requirements file
MAX_REQUIREMENTS = 500
MAX_INCLUDE_DEPTH = 4  # `-r` inside `-r` ...: also the number of extra archive reads
MAX_PREFETCH = 64  # requirements-looking files kept from the first archive read
MAX_FILES = 32  # requirements files read for one package
MAX_LINE = 500

_INCLUDE = re.compile(r"^(?:-r|--requirement)\s*=?\s*(\S+)$")
_OPTION_TAIL = re.compile(r"\s+--?[A-Za-z]")  # `foo==1 --hash=...`: per-line pip options
_COMMENT = re.compile(r"(^|\s)#.*$")


@dataclass(frozen=True)
class Declared:
    """Runtime and setup_requires lines (deduplicated, in order), and what could not be read."""

    requires: tuple[str, ...] = ()
    setup_requires: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()


def prefetch_wanted(name: str) -> bool:
    """Requirements-looking files up to two folders below the top one, read in the first pass."""
    parts = name.split("/")
    return 2 <= len(parts) <= 4 and looks_like_requirements(name)


def declared_requirements(archive: Path, top: str, texts: Mapping[str, bytes],
                          limits: ArchiveLimits | None = None) -> Declared:
    """Read setup.py, setup.cfg and pyproject.toml of `top` in `texts` (member name -> bytes).

    Requirements files not already in `texts` are read from `archive`, a few at a time."""
    reader = _Reader(archive, top, texts, limits)
    runtime: list[Item] = []
    setup: list[Item] = []
    if (source := texts.get(f"{top}/setup.py")) is not None:
        try:
            args = read_setup_py(source)
        except SetupPyError as exc:
            reader.note(f"setup.py {exc}")
        else:
            runtime += [*args.install_requires, *_marker_only(args.extras_require)]
            setup += args.setup_requires
            reader.unread += [f"setup.py {key} is not a literal" for key in args.unread]
    if (cfg := reader.text("setup.cfg")) is not None:
        cfg_runtime, cfg_setup = _setup_cfg(cfg, reader)
        runtime += cfg_runtime
        setup += cfg_setup
    if (pyproject := reader.text("pyproject.toml")) is not None:
        runtime += _pyproject(pyproject, reader)
    return Declared(reader.resolve(runtime), reader.resolve(setup), tuple(reader.unread))


def _marker_only(extras: Iterable[tuple[str, tuple[Item, ...]]]) -> list[Item]:
    """`extras_require={":sys_platform == 'linux'": [...]}`: conditional runtime requirements."""
    out: list[Item] = []
    for key, items in extras:
        extra, _, marker = key.partition(":")
        if extra.strip():
            continue
        for item in items:
            if isinstance(item, str) and marker.strip():
                line = _with_marker(item, marker.strip())
                if line is not None:
                    out.append(line)
            else:
                out.append(item)
    return out


def _with_marker(line: str, marker: str) -> str | None:
    if len(line) + len(marker) > MAX_LINE:
        return None  # packaging's marker parser recurses per parenthesis
    try:
        req = Requirement(line)
        combined = f"({req.marker}) and ({marker})" if req.marker else marker
        req.marker = Requirement(f"x; {combined}").marker
    except InvalidRequirement:
        return None
    return str(req)


def _setup_cfg(text: str, reader: _Reader) -> tuple[list[Item], list[Item]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        reader.note("setup.cfg is not a valid INI file")
        return [], []
    if not parser.has_section("options"):
        return [], []
    options = parser["options"]
    # Old setuptools also took dashed keys.
    install = options.get("install_requires") or options.get("install-requires") or ""
    setup = options.get("setup_requires") or options.get("setup-requires") or ""
    return _cfg_list(install), _cfg_list(setup)


def _cfg_list(value: str) -> list[Item]:
    """setuptools' `list-semi`: one per line, or `;`-separated on one line; `file:` names files."""
    value = value.strip()
    if value.startswith("file:"):
        return [FileRef(p.strip()) for p in value[len("file:"):].split(",") if p.strip()]
    chunks = value.splitlines() if "\n" in value else value.split(";")
    return [c.strip() for c in chunks if c.strip() and not c.strip().startswith("#")]


def _pyproject(text: str, reader: _Reader) -> list[Item]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        reader.note("pyproject.toml is not valid TOML")
        return []
    except RecursionError:
        reader.note("pyproject.toml is nested too deep")
        return []
    out: list[Item] = []
    project = doc.get("project")
    if isinstance(project, dict):
        deps = project.get("dependencies")
        if isinstance(deps, list):
            out += [d for d in deps if isinstance(d, str)]
    dynamic = _table(doc, "tool", "setuptools", "dynamic", "dependencies").get("file")
    if isinstance(dynamic, str):
        dynamic = [dynamic]
    if isinstance(dynamic, list):
        out += [FileRef(p) for p in dynamic if isinstance(p, str)]
    for name, spec in _table(doc, "tool", "poetry", "dependencies").items():
        if name.lower() != "python" and (line := poetry_requirement(name, spec)) is not None:
            out.append(line)
    return out


def _table(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = doc
    for key in keys:
        node = node.get(key)
        if not isinstance(node, dict):
            return {}
    return dict(node)


# --- requirements files ---------------------------------------------------------------


def parse_requirements_text(text: str) -> tuple[list[str], list[str]]:
    """pip's requirements-file format: (requirement lines, `-r` includes). Other options,
    editables, local paths and constraints files are not requirements and are skipped."""
    lines: list[str] = []
    includes: list[str] = []
    for raw in re.sub(r"\\\r?\n", " ", text).splitlines():
        line = _COMMENT.sub("", raw).strip()
        if not line or len(line) > MAX_LINE:
            continue
        if line.startswith("-"):
            if (match := _INCLUDE.match(line)) is not None:
                includes.append(match.group(1))
            continue
        line = _OPTION_TAIL.split(line, maxsplit=1)[0].strip()
        if line and not line.startswith((".", "/", "file:")):
            lines.append(line)
    return lines, includes


def inside(folder: str, ref: str, top: str) -> str | None:
    """The member name `ref` names from `folder`, or None if it leaves `top` (or is absolute)."""
    ref = ref.strip().replace("\\", "/")  # separators to some tools: judged as such
    if not ref or "\x00" in ref or ref.startswith("/") or re.match(r"^[A-Za-z]:", ref):
        return None
    joined = posixpath.normpath(posixpath.join(folder, ref))
    return joined if joined.startswith(top + "/") else None


class _Reader:
    """Member texts, requirements files included, with every skipped source noted once."""

    def __init__(self, archive: Path, top: str, texts: Mapping[str, bytes],
                 limits: ArchiveLimits | None) -> None:
        self.archive, self.top, self.limits = archive, top, limits
        self.texts = dict(texts)
        self.unread: list[str] = []
        self.files = 0
        self.absent: set[str] = set()  # looked for in the archive, not there

    def note(self, problem: str) -> None:
        if problem not in self.unread:
            self.unread.append(problem)

    def text(self, relative: str) -> str | None:
        data = self.texts.get(f"{self.top}/{relative}")
        if data is None:
            return None
        if len(data) > MAX_TEXT_BYTES:
            self.note(f"{relative} is larger than {MAX_TEXT_BYTES} bytes")
            return None
        return data.decode("utf-8", "replace")

    def resolve(self, items: Iterable[Item]) -> tuple[str, ...]:
        """The lines, with each named requirements file (and its includes) read in place."""
        out: dict[str, None] = {}
        seen: set[str] = set()  # `-r` loops end here
        pending = [(self.top, item) for item in items]
        for level in range(MAX_INCLUDE_DEPTH + 1):
            refs: list[tuple[str, str]] = []
            for folder, item in pending:
                if isinstance(item, str):
                    line = " ".join(_COMMENT.sub("", item).split())
                    if line and len(line) <= MAX_LINE:
                        out.setdefault(line, None)
                    continue
                name = inside(folder, item.path, self.top)
                if name is None:
                    self.note(f"requirements file {item.path[:100]!r} is outside the archive")
                elif name not in seen:
                    refs.append((name, item.path))
            if not refs:
                break
            if level == MAX_INCLUDE_DEPTH:
                self.note(f"requirements files included more than {MAX_INCLUDE_DEPTH} deep")
                break
            wanted = dict(refs)
            seen |= wanted.keys()
            if len(wanted) > MAX_FILES - self.files:
                self.note(f"more than {MAX_FILES} requirements files")
                wanted = dict(list(wanted.items())[:max(0, MAX_FILES - self.files)])
            self.files += len(wanted)
            self._read_missing(set(wanted))
            pending = []
            for name, written in wanted.items():
                text = self.text(name[len(self.top) + 1:])
                if text is None:
                    if name not in self.texts:
                        self.note(f"requirements file {written[:100]!r} is not in the archive")
                    continue
                lines, includes = parse_requirements_text(text)
                folder = posixpath.dirname(name)
                pending += [(folder, line) for line in lines]
                pending += [(folder, FileRef(ref)) for ref in includes]
        if len(out) > MAX_REQUIREMENTS:
            self.note(f"more than {MAX_REQUIREMENTS} requirements: the rest left out")
        return tuple(out)[:MAX_REQUIREMENTS]

    def _read_missing(self, names: set[str]) -> None:
        missing = names - self.texts.keys() - self.absent
        if missing:
            for name, data in read_members(self.archive, missing.__contains__,
                                           MAX_TEXT_BYTES + 1, self.limits):
                self.texts[name] = data
            self.absent |= missing - self.texts.keys()
