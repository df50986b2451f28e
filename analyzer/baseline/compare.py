"""The change set: one analysis result compared with its baseline's, static and dynamic."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Iterator

from analyzer.baits import HONEYTOKEN_FILES
from analyzer.baseline.interface import (
    Change,
    ChangeKind,
    ChangeSet,
    DependencySource,
    Inventory,
)
from analyzer.baseline.inventory import file_identity
from analyzer.detect.static.npm import is_build_command
from analyzer.fetch.archive import name_suffix
from analyzer.models import AnalysisResult, FileAccess, Phase, PhaseStatus, PhaseTrace

# Who is behind a release, and where it points: a change here is a takeover's trace.
# (Maintainer lists and npm's `_npmUser` are not in what fetch records.)
METADATA_FIELDS = ("author", "author_email", "maintainer", "maintainer_email", "home_page",
                   "repository")
CHANNELS = ("dns", "http", "tls", "connection")  # how a destination was seen
DOMAIN = "domain"  # the detail of an email change to another domain
BUILD = "build"  # the detail of a script that runs only known build tools (tsc, node-gyp)
_GIT = ("git+", "git://", "git@", "github:", "gitlab:", "bitbucket:", "gist:")
# npm reads a bare `owner/repo` (optionally `#ref`) as a GitHub repository.
_GITHUB_SHORTHAND = re.compile(r"[a-z0-9_.-]+/[a-z0-9_.-]+(#\S*)?")


def compare(current: AnalysisResult, baseline: AnalysisResult) -> ChangeSet:
    """What `current` has that `baseline` (an earlier release of the same package) had not."""
    notes: list[str] = []
    changes: list[Change] = []
    if current.inventory is None or baseline.inventory is None:
        notes.append("no file inventory for " + ("this release" if current.inventory is None
                     else f"the baseline {baseline.package.version}")
                     + ": files, scripts, entry points and dependencies are not compared")
    else:
        partial = current.inventory.truncated or baseline.inventory.truncated
        changes += _static(current.inventory, baseline.inventory, partial)
        if partial:
            notes.append("more files than the inventory lists: files added or removed are "
                         "not compared, only the growth of files both list")
        kinds = name_suffix(baseline.package.filename), name_suffix(current.package.filename)
        if kinds[0] != kinds[1]:
            notes.append(f"the baseline is a {kinds[0] or 'file'} and this release a "
                         f"{kinds[1] or 'file'}: their files are laid out differently")
    changes += _signals(current, baseline)
    for phase in Phase:
        now, before = current.phase(phase), baseline.phase(phase)
        if now is None or now.status is PhaseStatus.SKIPPED:
            continue
        if before is None or before.status is not PhaseStatus.COMPLETED:
            notes.append(f"the baseline's {phase.value} phase did not complete"
                         + (f" ({before.status.value})" if before is not None else ""))
        changes += _phase(phase, now.trace, before.trace if before is not None else PhaseTrace())
    changes += _metadata(current.metadata, baseline.metadata)
    return ChangeSet(baseline.package.version, tuple(changes), tuple(notes))


def _static(now: Inventory, before: Inventory, partial: bool) -> Iterator[Change]:
    old = {f.path: f for f in before.files}
    new = {f.path: f for f in now.files}
    for path, file in new.items():
        if path not in old and not partial:
            yield Change(ChangeKind.FILE_ADDED, path, None, str(file.size))
        elif path in old and file.size > old[path].size:
            yield Change(ChangeKind.FILE_GROWN, path, str(old[path].size), str(file.size),
                         detail=f"+{file.size - old[path].size} bytes")
    for path, file in old.items():
        if path not in new and not partial:
            yield Change(ChangeKind.FILE_REMOVED, path, str(file.size), None)
    old_scripts, scripts = dict(before.scripts), dict(now.scripts)
    for name, command in now.scripts:
        build = BUILD if is_build_command(command, scripts) else ""
        if name not in old_scripts:
            yield Change(ChangeKind.SCRIPT_ADDED, name, None, command, detail=build)
        elif old_scripts[name] != command:
            yield Change(ChangeKind.SCRIPT_CHANGED, name, old_scripts[name], command,
                         detail=build)
    for entry in sorted(set(now.entry_points) - set(before.entry_points)):
        yield Change(ChangeKind.ENTRY_POINT_ADDED, entry)
    old_requires = dict(before.requirements)
    for name, spec in now.requirements:
        if name not in old_requires:
            yield Change(ChangeKind.DEPENDENCY_ADDED, name, None, spec,
                         detail=dependency_source(spec).value)


def dependency_source(spec: str) -> DependencySource:
    """Where an npm spec or a PEP 508 requirement (`name @ URL`) takes its code from."""
    text = spec.split(" @ ", 1)[1] if " @ " in spec else spec
    lowered = text.strip().lower()
    if lowered.startswith(_GIT) or lowered.split("#", 1)[0].endswith(".git") \
            or _GITHUB_SHORTHAND.fullmatch(lowered):
        return DependencySource.GIT
    if lowered.startswith(("http://", "https://")):
        return DependencySource.URL
    if lowered.startswith(("file:", "link:", ".", "/", "~/")):
        return DependencySource.FILE
    return DependencySource.REGISTRY


def _signals(current: AnalysisResult, baseline: AnalysisResult) -> Iterator[Change]:
    def keyed(result: AnalysisResult) -> dict[tuple[str, str], str]:
        return {(s.kind.value, file_identity(s.path, result.package)): s.path
                for s in result.static_signals}

    old = keyed(baseline)
    for (kind, path), raw in keyed(current).items():
        if (kind, path) not in old:
            yield Change(ChangeKind.SIGNAL_ADDED, path, None, raw, detail=kind)


def _phase(phase: Phase, now: PhaseTrace, before: PhaseTrace) -> Iterator[Change]:
    old = dict(_destinations(before))
    for destination, channel in dict(_destinations(now)).items():
        if destination not in old:
            yield Change(ChangeKind.DESTINATION_ADDED, destination, phase=phase, detail=channel)
    old_programs = {posixpath.basename(p.executable) for p in before.processes}
    for program in sorted({posixpath.basename(p.executable) for p in now.processes}
                          - old_programs):
        yield Change(ChangeKind.PROCESS_ADDED, program, phase=phase)
    old_baits = set(_bait_reads(before))
    for bait in sorted(set(_bait_reads(now)) - old_baits):
        yield Change(ChangeKind.BAIT_READ_ADDED, "~/" + bait, phase=phase)


def _destinations(trace: PhaseTrace) -> Iterator[tuple[str, str]]:
    """(host or address, channel); loopback addresses are the network simulator's answers."""
    network = trace.network
    for query in network.dns:
        yield query.name.rstrip(".").lower(), "dns"
    for request in network.http:
        yield request.host.lower(), "http"
    for hello in network.tls:
        if hello.sni:
            yield hello.sni.lower(), "tls"
    for connection in network.connections:
        if connection.family in ("inet", "inet6") and not _loopback(connection.address):
            yield connection.address, "connection"


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _bait_reads(trace: PhaseTrace) -> Iterator[str]:
    for event in trace.files:
        if event.access is FileAccess.READ:
            for bait in HONEYTOKEN_FILES:
                if event.path.endswith("/" + bait) or f"/{bait}/" in event.path:
                    yield bait


def _metadata(now: dict[str, str], before: dict[str, str]) -> Iterator[Change]:
    for field in METADATA_FIELDS:
        if field not in now and field not in before:
            continue
        old, new = before.get(field), now.get(field)
        if old != new:
            domain = field.endswith("email") and _domain(old) != _domain(new)
            yield Change(ChangeKind.METADATA_CHANGED, field, old, new,
                         detail=DOMAIN if domain else "")


def _domain(email: str | None) -> str:
    return (email or "").rpartition("@")[2].strip(" >").lower()
