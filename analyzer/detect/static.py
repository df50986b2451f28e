"""Static signals over a package's files, read as data and never run.

`scan_package` takes the archive members the fetch stage streamed out and returns typed
evidence (`StaticSignal`); weights and verdicts belong to the rule engine. Where each
file sits decides how it is read (see `file_role`): documentation, metadata and
repository tooling get only the executable-header check, tests skip the weak kinds, and
every signal carries its file's role so rules can discount tests.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from analyzer.detect.static_behaviour import (
    check_download_exec,
    check_persistence,
    check_powershell,
    check_reverse_shell,
)
from analyzer.detect.static_binary import check_binary
from analyzer.detect.static_blobs import check_blobs, check_entropy, check_layout
from analyzer.detect.static_exec import check_exec, check_obfuscation
from analyzer.detect.static_network import check_network
from analyzer.detect.static_npm import NpmManifest, check_manifest, install_targets, parse_manifest
from analyzer.detect.static_python import check_pth, check_setup_py
from analyzer.detect.static_secrets import check_env_exfil, check_recon_exfil, check_secrets
from analyzer.detect.static_text import Lang, SourceFile, language_of
from analyzer.detect.static_types import (
    MAX_FILE_BYTES,
    MAX_PER_KIND_PER_FILE,
    MAX_TOTAL_BYTES,
    FileRole,
    SignalKind,
    StaticSignal,
)
from analyzer.models import Ecosystem

__all__ = ["FileRole", "SignalKind", "StaticSignal", "file_role", "scan_package"]

Check = Callable[[SourceFile], Iterable[StaticSignal]]

# What runs on code (and on text decoded out of blobs in code).
CONTENT_CHECKS: tuple[Check, ...] = (
    check_exec,
    check_obfuscation,
    check_network,
    check_reverse_shell,
    check_powershell,
    check_download_exec,
    check_persistence,
    check_secrets,
    check_env_exfil,
)
# What runs on configs and requirement files: only where data would go.
DATA_CHECKS: tuple[Check, ...] = (check_network,)
# What runs on package.json besides its scripts: script lines are shell commands.
MANIFEST_CHECKS: tuple[Check, ...] = (
    check_network,
    check_reverse_shell,
    check_powershell,
    check_download_exec,
)

_HEADER_BYTES = 4096
_TEST_DIRS = frozenset(
    {"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures", "__fixtures__",
     "__mocks__", "example", "examples", "demo", "demos", "bench", "benchmark", "benchmarks",
     "e2e"}
)  # fmt: skip
_DOC_DIRS = frozenset({"docs", "doc", "documentation", "man", ".github", ".circleci", ".vscode"})
_DOC_EXTS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm", ".ipynb", ".tex")
_DOC_NAMES = frozenset(
    {"makefile", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", "azure-pipelines.yml",
     "tox.ini", "noxfile.py", "dockerfile", "vagrantfile", ".gitignore", ".npmignore",
     ".editorconfig"}
)  # fmt: skip
_META_NAMES = frozenset(
    {"pkg-info", "metadata", "record", "wheel", "sources.txt", "top_level.txt",
     "dependency_links.txt", "not-zip-safe", "zip-safe", "entry_points.txt", "installer",
     "requested", "namespace_packages.txt", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"}
)  # fmt: skip
_META_PREFIXES = (
    "license", "licence", "copying", "notice", "authors", "changelog", "changes", "history",
    "contributing", "code_of_conduct", "readme",
)  # fmt: skip
_META_EXTS = (".map", ".d.ts", ".d.mts", ".d.cts", ".pyi")
_REQUIREMENTS = re.compile(r"(?i)(?:.*requirements.*|requires|constraints.*)\.(?:txt|in)|pipfile")


def file_role(path: str, lang: Lang, install_paths: frozenset[str] = frozenset()) -> FileRole:
    """How a file is read, from where it sits (see `FileRole`)."""
    if path in install_paths:
        return FileRole.INSTALL
    parts = path.lower().split("/")
    name, dirs = parts[-1], parts[:-1]
    if _REQUIREMENTS.fullmatch(name):
        return FileRole.DATA
    if (
        name in _META_NAMES
        or name.startswith(_META_PREFIXES)
        or name.endswith(_META_EXTS)
        or any(d.endswith((".egg-info", ".dist-info")) for d in dirs)
    ):
        return FileRole.METADATA
    if name in _DOC_NAMES or name.endswith(_DOC_EXTS) or _DOC_DIRS.intersection(dirs):
        return FileRole.DOCS
    if (
        _TEST_DIRS.intersection(dirs)
        or name == "conftest.py"
        or re.fullmatch(r"test_.*\.py|.*_test\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?", name)
    ):
        return FileRole.TEST
    return FileRole.DATA if lang is Lang.OTHER else FileRole.CODE


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
    for member in candidates[:1]:
        return parse_manifest(member.path, member.data.decode("utf-8", "replace"))
    return None


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


def _rescan(src: SourceFile) -> Iterator[StaticSignal]:
    for check in CONTENT_CHECKS:
        yield from check(src)


def _scan_text(
    src: SourceFile, manifest: NpmManifest | None, paths: set[str]
) -> Iterator[StaticSignal]:
    if src.role in (FileRole.DOCS, FileRole.METADATA):
        return
    if manifest is not None and src.path == manifest.path:
        binding_gyp = f"{manifest.root}binding.gyp" in paths
        yield from check_manifest(src, manifest, binding_gyp)
        for check in MANIFEST_CHECKS:
            yield from check(src)
        return
    if src.lang is Lang.OTHER:
        for check in DATA_CHECKS:
            yield from check(src)
        return
    if src.role is FileRole.INSTALL and src.path.endswith("setup.py"):
        yield from check_setup_py(src)
    if src.role is FileRole.INSTALL and src.path.endswith(".pth"):
        yield from check_pth(src)
    yield from _rescan(src)
    yield from check_blobs(src, _rescan)
    yield from check_entropy(src)
    yield from check_layout(src)
    yield from check_recon_exfil(src)


def scan_package(
    files: Iterable[tuple[str, bytes]], ecosystem: Ecosystem
) -> tuple[StaticSignal, ...]:
    """Every static signal in a package's files, sorted by path and line."""
    members = _load(files)
    manifest = _manifest(members, ecosystem)
    install = _install_paths(members, ecosystem, manifest)
    paths = {m.path for m in members}
    signals: list[StaticSignal] = []
    code_texts: dict[str, str] = {}
    binaries: list[tuple[_Member, FileRole]] = []
    skipped = [m for m in members if m.header_only]
    for member in members:
        text = None if member.header_only else _decode(member.data)
        lang = language_of(member.path, text[:200] if text else "")
        role = file_role(member.path, lang, install)
        if text is None:
            binaries.append((member, role))
            continue
        src = SourceFile(member.path, role, lang, text)
        if role in (FileRole.CODE, FileRole.INSTALL):
            code_texts[member.path] = text
        signals.extend(_scan_text(src, manifest, paths))
        if member.size > len(member.data):
            detail = f"only the first {len(member.data)} of {member.size} bytes were scanned"
            signals.append(src.file_signal(SignalKind.SCAN_TRUNCATED, detail))
    for member, role in binaries:
        name = posixpath.basename(member.path)
        refs = [p for p, text in code_texts.items() if name in text]
        found = check_binary(member.path, member.data, member.size, role, refs)
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
