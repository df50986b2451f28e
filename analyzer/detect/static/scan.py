"""Static signals over a package's files, read as data and never run.

`scan_package` takes the archive members the fetch stage streamed out and returns typed
evidence (`StaticSignal`); weights and verdicts belong to the rule engine. It hands each
text to the scanners of `SCANNERS` whose records ask for it (see `interface.Scanner`), in
that order. Where each file sits decides how it is read (see `file_role` and `FileRole`):
documentation, metadata and repository tooling get only the executable-header check,
tests skip URLs and the weak kinds, and every signal carries its file's role so rules can
discount tests. Python files are read as Python reads them (look-alike letters folded to
ASCII), and every check sees what the package's metadata says about itself
(`PackageIdentity`). Each file is read up to MAX_FILE_BYTES and the package up to
MAX_TOTAL_BYTES; a `scan-truncated` signal says where that cut anything.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from analyzer.detect.static import (
    behaviour,
    binary,
    blobs,
    caller,
    clipboard,
    dns,
    dropper,
    execution,
    install_scripts,
    literals,
    network,
    python,
    secrets,
    shells,
    wiper,
)
from analyzer.detect.static.identity import package_identity
from analyzer.detect.static.interface import KindInfo, Reads, ScanContext, Scanner, catalogue
from analyzer.detect.static.package import (
    Member,
    decode,
    install_paths,
    load,
    npm_manifest,
    tooling_scripts,
)
from analyzer.detect.static.roles import file_role
from analyzer.detect.static.text import Lang, SourceFile, language_of
from analyzer.detect.static.unicode import fold_lookalikes
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

__all__ = ["KINDS", "SCANNERS", "FileRole", "SignalKind", "StaticSignal", "file_role",
           "scan_package"]

# Every scanner, in the order each text meets them. A new scanner: its module, one line.
SCANNERS: tuple[Scanner, ...] = (
    python.SETUP_PY,
    python.PTH,
    install_scripts.INSTALL_SCRIPTS,
    execution.EXEC,
    execution.OBFUSCATION,
    network.NETWORK,
    shells.SHELLS,
    behaviour.POWERSHELL,
    behaviour.DOWNLOAD_EXEC,
    dropper.DROPPER,
    behaviour.PERSISTENCE,
    wiper.WIPER,
    secrets.SECRETS,
    secrets.ENV_EXFIL,
    clipboard.CLIPBOARD,
    dns.DNS_BEACON,
    blobs.BLOBS,
    literals.LITERALS,
    blobs.ENTROPY,
    blobs.LAYOUT,
    secrets.RECON_EXFIL,
    caller.CALLER_EXFIL,
    binary.BINARY,
)

# What the scan says itself: where it stopped reading, and (an `obfuscation`, owned by
# the obfuscation check) Python identifiers it had to fold out of look-alike letters.
ENGINE_KINDS = {
    SignalKind.SCAN_TRUNCATED: KindInfo(
        "a file, or the package, was larger than the scan limit", strong=False
    ),
}
ENGINE_SHARES = frozenset({SignalKind.OBFUSCATION})
# Every kind's meaning and strength; building it checks each kind has exactly one owner.
KINDS: dict[SignalKind, KindInfo] = catalogue(SCANNERS, ENGINE_KINDS, ENGINE_SHARES)


def _run(
    scanners: Sequence[Scanner], src: SourceFile, reads: Reads, context: ScanContext
) -> Iterator[StaticSignal]:
    """Each scanner's signals, at most MAX_SIGNALS_PER_CHECK of them: a file with
    thousands of matches then costs little more than one with fifty."""
    for scanner in scanners:
        if scanner.handles(src, reads):
            yield from itertools.islice(scanner.check(src, context), MAX_SIGNALS_PER_CHECK)


def scan_package(
    files: Iterable[tuple[str, bytes]], ecosystem: Ecosystem,
    scanners: Sequence[Scanner] = SCANNERS,
) -> tuple[StaticSignal, ...]:
    """Every static signal in a package's files, sorted by path and line."""
    members = load(files)
    identity = package_identity((m.path, m.data) for m in members if not m.header_only)
    manifest = npm_manifest(members, ecosystem)
    install = install_paths(members, ecosystem, manifest)
    tooling = tooling_scripts(members, install)
    code_texts: dict[str, str] = {}

    def referenced_by(name: str) -> list[str]:
        return [path for path, text in code_texts.items() if name in text]

    def rescan(src: SourceFile) -> Iterator[StaticSignal]:
        # Each decoded layer is shorter than the text it came out of, so this ends.
        return _run(scanners, src, Reads.DECODED, context)

    context = ScanContext(frozenset(m.path for m in members), manifest, rescan, referenced_by)
    signals: list[StaticSignal] = []
    binaries: list[tuple[Member, SourceFile]] = []
    skipped = [m for m in members if m.header_only]
    for member in members:
        text = None if member.header_only else decode(member.data)
        lang = language_of(member.path, text[:200] if text else "")
        role = FileRole.DOCS if member.path in tooling else file_role(member.path, lang, install)
        if text is None:
            binaries.append((member, SourceFile(member.path, role, lang, "", package=identity)))
            continue
        spelt_at = None
        if lang is Lang.PYTHON and role not in (FileRole.DOCS, FileRole.METADATA):
            text, spelt_at = fold_lookalikes(text)  # as Python reads it
        src = SourceFile(member.path, role, lang, text, package=identity)
        if role in (FileRole.CODE, FileRole.INSTALL):
            code_texts[member.path] = text
        manifest_file = manifest is not None and member.path == manifest.path
        reads = Reads.MANIFEST if manifest_file else Reads.SOURCE
        signals.extend(_run(scanners, src, reads, context))
        if spelt_at is not None:
            detail = "identifiers spelt in look-alike Unicode letters, which Python reads as ASCII"
            signals.append(src.signal(SignalKind.OBFUSCATION, spelt_at, detail))
        if member.size >= MAX_FILE_BYTES:
            # Callers may pass files already cut at MAX_FILE_BYTES: then the size is unknown.
            size = f"of {member.size} " if member.size > len(member.data) else "(or more) "
            detail = f"only the first {len(member.data)} bytes {size}were scanned"
            signals.append(src.file_signal(SignalKind.SCAN_TRUNCATED, detail))
    for member, src in binaries:  # after every text: `referenced_by` is complete
        file_context = replace(context, data=member.data, size=member.size)
        signals.extend(_run(scanners, src, Reads.BINARY, file_context))
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
