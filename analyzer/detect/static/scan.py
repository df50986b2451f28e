"""Static signals over a package's files, read as data and never run.

`scan_package` takes the archive members the fetch stage streamed out and returns typed
evidence (`StaticSignal`); weights and verdicts belong to the rule engine. Where each
file sits decides how it is read (see `file_role` and `FileRole`): documentation,
metadata and repository tooling get only the executable-header check, tests skip URLs
and the weak kinds, and every signal carries its file's role so rules can discount tests.
Python files are read as Python reads them (look-alike letters folded to ASCII), and
every check sees what the package's metadata says about itself (`PackageIdentity`).
Each file is read up to MAX_FILE_BYTES and the package up to MAX_TOTAL_BYTES; a
`scan-truncated` signal says where that cut anything.
"""

from __future__ import annotations

import itertools
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial

from analyzer.detect.static.behaviour import (
    check_download_exec,
    check_persistence,
    check_powershell,
)
from analyzer.detect.static.binary import check_binary
from analyzer.detect.static.blobs import check_blobs, check_entropy, check_layout
from analyzer.detect.static.caller import check_caller_exfil
from analyzer.detect.static.clipboard import check_clipboard
from analyzer.detect.static.dns import check_dns_beacon
from analyzer.detect.static.dropper import check_dropper
from analyzer.detect.static.exec import check_exec, check_obfuscation
from analyzer.detect.static.identity import package_identity
from analyzer.detect.static.literals import check_literals
from analyzer.detect.static.network import check_network
from analyzer.detect.static.npm import NpmManifest, check_manifest, install_targets, parse_manifest
from analyzer.detect.static.python import check_pth, check_setup_py
from analyzer.detect.static.roles import file_role
from analyzer.detect.static.secrets import check_env_exfil, check_recon_exfil, check_secrets
from analyzer.detect.static.shells import check_shells
from analyzer.detect.static.text import Lang, SourceFile, language_of
from analyzer.detect.static.unicode import fold_lookalikes
from analyzer.detect.static.wiper import check_wiper
from analyzer.models import Ecosystem
from analyzer.signals import (
    MAX_FILE_BYTES,
    MAX_PER_KIND_PER_FILE,
    MAX_SIGNALS_PER_CHECK,
    MAX_TOTAL_BYTES,
    FileRole,
    SignalKind,
    StaticSignal,
)

__all__ = ["FileRole", "SignalKind", "StaticSignal", "file_role", "scan_package"]

Check = Callable[[SourceFile], Iterable[StaticSignal]]

# What runs on code (and on text decoded out of blobs in code).
CONTENT_CHECKS: tuple[Check, ...] = (
    check_exec,
    check_obfuscation,
    check_network,
    check_shells,
    check_powershell,
    check_download_exec,
    check_dropper,
    check_persistence,
    check_wiper,
    check_secrets,
    check_env_exfil,
    check_clipboard,
    check_dns_beacon,
)
# What else runs on code files (blobs are decoded and their text rescanned).
CODE_CHECKS: tuple[Check, ...] = (
    check_entropy, check_layout, check_recon_exfil, check_caller_exfil)
# What runs on configs and requirement files: only where data would go.
DATA_CHECKS: tuple[Check, ...] = (check_network,)
# What runs on package.json besides its scripts: script lines are shell commands.
MANIFEST_CHECKS: tuple[Check, ...] = (
    check_network,
    check_shells,
    check_powershell,
    check_download_exec,
    check_dropper,
    check_wiper,
    check_dns_beacon,
)

_HEADER_BYTES = 4096


@dataclass
class _Member:
    path: str
    data: bytes  # at most MAX_FILE_BYTES (the header only once the package budget is spent)
    size: int
    header_only: bool


def _load(files: Iterable[tuple[str, bytes]]) -> list[_Member]:
    members, total = [], 0
    for raw_path, content in files:
        path = posixpath.normpath(raw_path.replace("\\", "/")).lstrip("/")
        header_only = total >= MAX_TOTAL_BYTES
        data = content[: _HEADER_BYTES if header_only else MAX_FILE_BYTES]
        total += len(data)
        members.append(_Member(path, data, len(content), header_only))
    return members


def _decode(data: bytes) -> str | None:
    """Text, or None for binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def _manifest(members: list[_Member], ecosystem: Ecosystem) -> NpmManifest | None:
    if ecosystem is not Ecosystem.NPM:
        return None
    candidates = sorted(
        (m for m in members if posixpath.basename(m.path) == "package.json"),
        key=lambda m: m.path.count("/"),
    )
    if not candidates:
        return None
    return parse_manifest(candidates[0].path, candidates[0].data.decode("utf-8", "replace"))


def _install_paths(
    members: list[_Member], ecosystem: Ecosystem, manifest: NpmManifest | None
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


def _tooling_scripts(members: list[_Member], install: frozenset[str]) -> frozenset[str]:
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


def _run(checks: Iterable[Check], src: SourceFile) -> Iterator[StaticSignal]:
    """Each check's signals, at most MAX_SIGNALS_PER_CHECK of them: a file with thousands
    of matches then costs little more than one with fifty."""
    for check in checks:
        yield from itertools.islice(check(src), MAX_SIGNALS_PER_CHECK)


def _rescan(src: SourceFile) -> Iterator[StaticSignal]:
    """Text decoded out of a file, scanned like source (decoded literals in it too: each
    layer is shorter than the one it came from, so this ends)."""
    yield from _run((*CONTENT_CHECKS, partial(check_literals, rescan=_rescan)), src)


def _scan_text(
    src: SourceFile, manifest: NpmManifest | None, paths: set[str]
) -> Iterator[StaticSignal]:
    if src.role in (FileRole.DOCS, FileRole.METADATA):
        return
    if manifest is not None and src.path == manifest.path:
        binding_gyp = f"{manifest.root}binding.gyp" in paths
        yield from check_manifest(src, manifest, binding_gyp)
        yield from _run(MANIFEST_CHECKS, src)
        return
    if src.lang is Lang.OTHER:
        yield from _run(DATA_CHECKS, src)
        return
    checks: list[Check] = []
    if src.role is FileRole.INSTALL and src.path.endswith("setup.py"):
        checks.append(check_setup_py)
    if src.role is FileRole.INSTALL and src.path.endswith(".pth"):
        checks.append(check_pth)
    checks += [
        *CONTENT_CHECKS,
        partial(check_blobs, rescan=_rescan),
        partial(check_literals, rescan=_rescan),
        *CODE_CHECKS,
    ]
    yield from _run(checks, src)


def scan_package(
    files: Iterable[tuple[str, bytes]], ecosystem: Ecosystem
) -> tuple[StaticSignal, ...]:
    """Every static signal in a package's files, sorted by path and line."""
    members = _load(files)
    identity = package_identity((m.path, m.data) for m in members if not m.header_only)
    manifest = _manifest(members, ecosystem)
    install = _install_paths(members, ecosystem, manifest)
    tooling = _tooling_scripts(members, install)
    paths = {m.path for m in members}
    signals: list[StaticSignal] = []
    code_texts: dict[str, str] = {}
    binaries: list[tuple[_Member, FileRole]] = []
    skipped = [m for m in members if m.header_only]
    for member in members:
        text = None if member.header_only else _decode(member.data)
        lang = language_of(member.path, text[:200] if text else "")
        role = FileRole.DOCS if member.path in tooling else file_role(member.path, lang, install)
        if text is None:
            binaries.append((member, role))
            continue
        spelt_at = None
        if lang is Lang.PYTHON and role not in (FileRole.DOCS, FileRole.METADATA):
            text, spelt_at = fold_lookalikes(text)  # as Python reads it
        src = SourceFile(member.path, role, lang, text, package=identity)
        if role in (FileRole.CODE, FileRole.INSTALL):
            code_texts[member.path] = text
        signals.extend(_scan_text(src, manifest, paths))
        if spelt_at is not None:
            detail = "identifiers spelt in look-alike Unicode letters, which Python reads as ASCII"
            signals.append(src.signal(SignalKind.OBFUSCATION, spelt_at, detail))
        if member.size >= MAX_FILE_BYTES:
            # Callers may pass files already cut at MAX_FILE_BYTES: then the size is unknown.
            size = f"of {member.size} " if member.size > len(member.data) else "(or more) "
            detail = f"only the first {len(member.data)} bytes {size}were scanned"
            signals.append(src.file_signal(SignalKind.SCAN_TRUNCATED, detail))

    def referenced_by(name: str) -> list[str]:
        return [path for path, text in code_texts.items() if name in text]

    for member, role in binaries:
        found = check_binary(member.path, member.data, member.size, role, referenced_by)
        if found is not None:
            signals.append(found)
    if skipped:
        detail = (
            f"package over {MAX_TOTAL_BYTES} bytes: {len(skipped)} later file(s) "
            "had only their executable header checked"
        )
        first = skipped[0].path
        signals.append(
            StaticSignal(SignalKind.SCAN_TRUNCATED, first, None, "", detail, FileRole.DATA)
        )
    return _limit(signals)


def _limit(signals: list[StaticSignal]) -> tuple[StaticSignal, ...]:
    """Sorted, without duplicates, at most MAX_PER_KIND_PER_FILE per kind and file."""
    unique = dict.fromkeys(signals)
    groups: dict[tuple[str, SignalKind], list[StaticSignal]] = defaultdict(list)
    for signal in sorted(unique, key=lambda s: (s.path, s.line or 0, s.kind.value, s.detail)):
        groups[(signal.path, signal.kind)].append(signal)
    kept: list[StaticSignal] = []
    for group in groups.values():
        head = group[:MAX_PER_KIND_PER_FILE]
        if len(group) > len(head):
            more = len(group) - len(head)
            head[-1] = replace(head[-1], detail=f"{head[-1].detail} (+{more} more in this file)")
        kept.extend(head)
    return tuple(sorted(kept, key=lambda s: (s.path, s.line or 0, s.kind.value)))
