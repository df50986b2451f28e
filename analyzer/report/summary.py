"""A readable terminal summary of one analysis (the default output of `pkgsandbox analyze`).

What the package did comes first; the package manager's own work (pip's and npm's build,
cache and temp files, the install's site-packages, its helper processes) and the
sandbox driver are collapsed into counts. `--json` keeps every event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzer.baseline.interface import ChangeSet
from analyzer.models import AnalysisResult, FileAccess, FileEvent, PhaseResult, ProcessEvent
from analyzer.report.html_view import is_sensitive
from analyzer.terminal import printable

MAX_ITEMS = 12
# pip's and npm's own folders; reads there and writes there are never the package's.
_MANAGER_PATH = re.compile(
    r"^(?:/tmp/pip-|/in/deps(?:/|$)|/in/artifact(?:/|$)|/dev/null$|/tmp/tmp[a-z0-9_]{8}"
    r"(?:/(?:input|output)\.json)?$|[^\0]*/\.cache$|/tmp/npm-|[^\0]*/\.cache/pip(?:/|$)|[^\0]*/\.npm(?:/|$)"
    r"|[^\0]*/node_modules/\.staging(?:/|$))")
# Files that run at every interpreter start: visible even when pip wrote them.
_STARTUP_HOOK = re.compile(r"(?:\.pth|/sitecustomize\.py|/usercustomize\.py)$")
_PIP_FRONTEND = re.compile(r"(?:^-m$|/pip/__pip-runner__\.py$|/bin/pip3?(?:\.\d+)?$)")
_PIP_HOOK = "/pip/_vendor/pyproject_hooks/_in_process/_in_process.py"
_NPM = re.compile(r"(?:^|/)(?:npm|npm-cli\.js|npx|npx-cli\.js)$")
# What pip's frontend asks the system about the platform.
_PLATFORM_PROBES = {("uname", "-rs"), ("lsb_release", "-a")}
_DRIVER = "/opt/pkgsandbox/driver/"
_PIP_TEMP = "/tmp/pip-"  # noqa: S108  (a path we match, never create)
_TEMP_PROBE = re.compile(r"^/tmp/[a-z0-9_]{8}$")  # tempfile's writable-directory check


def _clean(text: str, limit: int = 160) -> str:
    """Package-controlled text on one line: no control characters reach the terminal."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Attribution:
    """Which processes and files of one phase are the package manager's or the driver's."""

    def __init__(self, processes: tuple[ProcessEvent, ...], files: tuple[FileEvent, ...]) -> None:
        self.manager = "pip"
        frontend: set[int] = set()
        helpers: set[int] = set()
        driver: set[int] = set()
        for p in processes:
            argv = p.argv or (p.executable,)
            if any(_PIP_FRONTEND.search(a) for a in argv[:2]) and "pip" in " ".join(argv[:3]):
                frontend.add(p.pid)
            elif any(a.endswith(_PIP_HOOK) for a in argv[:2]):
                helpers.add(p.pid)
            elif any(_NPM.search(a) for a in argv[:2]):
                self.manager = "npm"
                frontend.add(p.pid)
            elif any(a.startswith(_DRIVER) for a in argv[:3]):
                driver.add(p.pid)
        for p in processes:
            if p.ppid in frontend and tuple(p.argv[:2]) in _PLATFORM_PROBES:
                helpers.add(p.pid)
        self.frontend, self.helpers, self.driver = frontend, helpers, driver
        venvs = {p.executable.rsplit("/bin/", 1)[0] + "/" for p in processes
                 if p.pid in frontend and "/bin/" in p.executable}
        self.venvs = tuple(venvs)
        probes = {(f.pid, f.path) for f in files if f.access is FileAccess.DELETE}
        self.probes = probes

    def is_managers(self, event: FileEvent) -> bool:
        if _STARTUP_HOOK.search(event.path) and not event.path.startswith(_PIP_TEMP):
            return False
        if _MANAGER_PATH.match(event.path):
            return True
        if _TEMP_PROBE.match(event.path) and (event.pid, event.path) in self.probes:
            return True
        if event.pid in self.frontend or event.pid in self.driver:
            return event.access is FileAccess.READ or event.path.startswith(self.venvs) or (
                self.manager == "npm" and "/node_modules/" in event.path)
        return event.access is FileAccess.READ and event.path.startswith(self.venvs)

    def is_package_process(self, process: ProcessEvent) -> bool:
        return process.pid not in self.frontend | self.helpers | self.driver


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}"


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    for item in items:
        seen[item] = seen.get(item, 0) + 1
    return [item if n == 1 else f"{item} (×{n})" for item, n in seen.items()]


def _section(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    shown = [f"    {line}" for line in lines[:MAX_ITEMS]]
    if len(lines) > MAX_ITEMS:
        shown.append(f"    … {len(lines) - MAX_ITEMS} more (see --json)")
    return [f"  {title}:", *shown]


def _phase_lines(phase: PhaseResult) -> list[str]:
    head = f"{phase.phase.value}: {phase.status.value}"
    if phase.status.value != "skipped":
        head += f" in {phase.duration_s:.1f}s, exit {phase.exit_code}"
        if phase.resources.peak_memory_mb is not None:
            head += f", peak {phase.resources.peak_memory_mb:.0f} MB"
    if phase.forced:
        head += f"\n  forced: {printable(', '.join(phase.forced), limit=300)}"
    trace = phase.trace
    who = _Attribution(trace.processes, trace.files)
    own = [f for f in trace.files if not who.is_managers(f)]
    managers = [f for f in trace.files if who.is_managers(f)]
    writes = [f for f in own if f.access is not FileAccess.READ]
    reads = [f for f in own if f.access is FileAccess.READ]
    sensitive = [f for f in reads if is_sensitive(f.path)]
    lines = [head]
    lines += _section("HONEYTOKEN LEAKS", [f"{leak.token} via {leak.channel} to "
                                           f"{_clean(leak.destination)}"
                                           for leak in trace.leaks])
    lines += _section("processes", _unique(_clean(" ".join(p.argv) or p.executable)
                                           + ("" if p.ok else " (failed)")
                                           for p in trace.processes
                                           if who.is_package_process(p)))
    lines += _section("credential reads", _unique(
        _clean(f.path) + ("" if f.ok else " (failed)") for f in sensitive))
    lines += _section("files changed", _unique(f"{f.access.value} {_clean(f.path)}"
                                               + (f" -> {_clean(f.target)}" if f.target else "")
                                               for f in writes))
    lines += _section("files read", _unique(_clean(f.path) + ("" if f.ok else " (failed)")
                                            for f in reads if not is_sensitive(f.path)))
    lines += _section("dns", _unique(_clean(q.name) for q in trace.network.dns))
    lines += _section("http", [f"{_clean(r.method, 20)} {_clean(r.url)}"
                               + (f" ({len(r.body)} bytes)" if r.body else "")
                               for r in trace.network.http])
    lines += _section("tls", _unique(f"{_clean(t.sni or '?')}:{t.port} handshake {t.handshake}"
                                     for t in trace.network.tls))
    lines += _section("connections", _unique(
        f"{c.protocol} {_clean(c.address)}:{c.port} {_clean(c.outcome, 40)} "
        f"({_clean(c.process, 40)})" for c in trace.network.connections))
    lines += _section("other streams", [f"port {s.port}: {_clean(s.data, 80)}"
                                        for s in trace.network.streams])
    helpers = len(who.frontend | who.helpers) - (1 if who.frontend else 0)
    manager_writes = sum(f.access is not FileAccess.READ for f in managers)
    if managers or who.frontend:
        lines.append(f"  {who.manager}: {_count(manager_writes, 'files written')}, "
                     f"{_count(len(managers) - manager_writes, 'read')}, "
                     f"{_count(helpers, 'helper processes')}")
    if who.driver:
        lines.append(f"  driver: {_count(len(who.driver), 'process')}")
    return lines


def _changes(changes: ChangeSet) -> list[str]:
    ranked = changes.ranked()
    lines = [f"changed since {_clean(changes.baseline, 60)}: "
             + (f"{len(ranked)} change{'s' if len(ranked) != 1 else ''}" if ranked
                else "nothing the comparison sees")]
    for change in ranked[:MAX_ITEMS]:
        text = f"  {change.kind.value} {_clean(change.subject, 80)}"
        if change.phase is not None:
            text += f" ({change.phase.value})"
        if change.after is not None:
            text += f": {_clean(change.after, 80)}"
        if change.detail:
            text += f" [{_clean(change.detail, 40)}]"
        lines.append(text)
    if len(ranked) > MAX_ITEMS:
        lines.append(f"  … and {len(ranked) - MAX_ITEMS} more (see --json)")
    lines += [f"  note: {_clean(note, 200)}" for note in changes.notes]
    return lines


def render_summary(result: AnalysisResult) -> str:
    ref = result.package
    verdict = result.verdict.value if result.verdict else "none (no rules applied)"
    lines = [
        f"{ref.ecosystem.value}:{_clean(ref.name)} {_clean(ref.version)}  "
        f"sha256 {ref.sha256[:16]}…",
        f"verdict: {verdict}" + (f"  score {result.score}" if result.score is not None else ""),
    ]
    if result.typosquat:
        lines.append(f"typosquat of {result.typosquat.target} ({result.typosquat.kind})")
    if result.changes is not None:
        lines += _changes(result.changes)
    for finding in result.findings:
        where = finding.phase.value if finding.phase else "static"
        lines.append(f"  [{finding.severity.value}] {where} {finding.rule}: "
                     f"{_clean(finding.title)}")
        if finding.evidence:
            lines.append(f"      {_clean(finding.evidence[0], 150)}")
    for phase in result.phases:
        lines += _phase_lines(phase)
    lines += _section("static signals", [f"{s.kind.value} {_clean(s.path, 80)}"
                                         + (f":{s.line}" if s.line else "")
                                         for s in result.static_signals])
    for note in result.notes:
        lines.append(f"note: {_clean(note, 200)}")
    missing = [d for d in result.dependencies if d.missing_reason]
    if missing:
        lines.append(f"dependencies not available offline: "
                     f"{', '.join(_clean(d.name, 60) for d in missing[:MAX_ITEMS])}")
    iocs = [*result.iocs.domains, *result.iocs.ips, *result.iocs.urls]
    if iocs:
        lines.append("iocs: " + ", ".join(_clean(i, 80) for i in iocs[:MAX_ITEMS]))
    if result.trace_stats.unparsed_lines:
        lines.append(f"trace: {result.trace_stats.unparsed_lines} unparsed lines of "
                     f"{result.trace_stats.syscall_lines}")
    return "\n".join(lines)
