"""The package as the static scan reads it: its files cut to the byte budgets, text told
from binary, npm's manifest, the files install runs, and tooling scripts nothing runs."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.detect.static.npm import NpmManifest, install_targets, parse_manifest
from analyzer.detect.static.roles import file_role
from analyzer.detect.static.text import Lang, language_of
from analyzer.models import Ecosystem
from analyzer.signals import MAX_FILE_BYTES, MAX_TOTAL_BYTES, FileRole

_HEADER_BYTES = 4096


@dataclass
class Member:
    path: str
    data: bytes  # at most MAX_FILE_BYTES (the header only once the package budget is spent)
    size: int
    header_only: bool


def load(files: Iterable[tuple[str, bytes]]) -> list[Member]:
    members, total = [], 0
    for raw_path, content in files:
        path = posixpath.normpath(raw_path.replace("\\", "/")).lstrip("/")
        header_only = total >= MAX_TOTAL_BYTES
        data = content[: _HEADER_BYTES if header_only else MAX_FILE_BYTES]
        total += len(data)
        members.append(Member(path, data, len(content), header_only))
    return members


def decode(data: bytes) -> str | None:
    """Text, or None for binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def npm_manifest(members: list[Member], ecosystem: Ecosystem) -> NpmManifest | None:
    if ecosystem is not Ecosystem.NPM:
        return None
    candidates = sorted(
        (m for m in members if posixpath.basename(m.path) == "package.json"),
        key=lambda m: m.path.count("/"),
    )
    if not candidates:
        return None
    return parse_manifest(candidates[0].path, candidates[0].data.decode("utf-8", "replace"))


def install_paths(
    members: list[Member], ecosystem: Ecosystem, manifest: NpmManifest | None
) -> frozenset[str]:
    paths = {m.path for m in members}
    if manifest is not None:
        return frozenset({manifest.path} | install_targets(manifest, paths))
    if ecosystem is Ecosystem.PYPI:
        return frozenset(
            p for p in paths if p.endswith(".pth") or (p.endswith("setup.py") and p.count("/") <= 1)
        )
    return frozenset()


_SCRIPT_LANGS = (Lang.SHELL, Lang.POWERSHELL, Lang.BATCH)
_BUILD_FILES = ("setup.py", "setup.cfg", "pyproject.toml", "package.json", "PKG-INFO")
_BUILD_CONFIGS = frozenset({"setup.cfg", "pyproject.toml", "package.json"})


def tooling_scripts(members: list[Member], install: frozenset[str]) -> frozenset[str]:
    """Shell, PowerShell and batch scripts beside an sdist's or npm package's build file
    that nothing run on install or import names: a project's own installer or release
    script, which the package manager never runs (pip installs only the packages, npm
    only what package.json's scripts start). A script some code, build config or named
    script mentions stays code."""
    roots = {posixpath.dirname(m.path) for m in members
             if posixpath.basename(m.path) in _BUILD_FILES and m.path.count("/") <= 1}
    if not roots:
        return frozenset()
    root = min(roots, key=len)  # an sdist's own folder, or the archive's top
    scripts: dict[str, bytes] = {}
    sources: list[bytes] = []
    for m in members:
        if m.header_only:
            continue
        head = m.data[:200].decode("utf-8", "replace")
        lang = language_of(m.path, head)
        if posixpath.dirname(m.path) == root and lang in _SCRIPT_LANGS and m.path not in install:
            scripts[m.path] = m.data
        elif posixpath.basename(m.path) in _BUILD_CONFIGS or file_role(
            m.path, lang, install
        ) in (FileRole.CODE, FileRole.INSTALL):
            sources.append(m.data)
    named = True
    while scripts and named:  # a script a named script mentions is named too
        named = False
        for path in list(scripts):
            mention = posixpath.basename(path).encode()
            if any(mention in text for text in sources):
                sources.append(scripts.pop(path))
                named = True
    return frozenset(scripts)
