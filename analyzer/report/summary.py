"""A readable terminal summary of one analysis (the default output of `pkgsandbox analyze`)."""

from __future__ import annotations

from analyzer.models import AnalysisResult, FileAccess, PhaseResult

MAX_ITEMS = 12


def _clean(text: str, limit: int = 160) -> str:
    """Package-controlled text: no control characters reach the terminal."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else "?"
                   for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    trace = phase.trace
    writes = [f for f in trace.files if f.access is not FileAccess.READ]
    reads = [f for f in trace.files if f.access is FileAccess.READ]
    lines = [head]
    lines += _section("processes", [_clean(" ".join(p.argv) or p.executable)
                                    for p in trace.processes if p.ok])
    lines += _section("files changed", [f"{f.access.value} {_clean(f.path)}" for f in writes])
    lines += _section("files read", [_clean(f.path) + ("" if f.ok else " (failed)")
                                     for f in reads])
    lines += _section("connections", [
        f"{c.protocol} {_clean(c.address)}:{c.port} {c.outcome} ({_clean(c.process, 40)})"
        for c in trace.network.connections
    ])
    lines += _section("dns", [_clean(q.name) for q in trace.network.dns])
    lines += _section("http", [f"{r.method} {_clean(r.url)}" + (f" ({len(r.body)} bytes)"
                                                                 if r.body else "")
                               for r in trace.network.http])
    lines += _section("tls", [f"{_clean(t.sni or '?')}:{t.port} handshake {t.handshake}"
                              for t in trace.network.tls])
    lines += _section("other streams", [f"port {s.port}: {_clean(s.data, 80)}"
                                        for s in trace.network.streams])
    lines += _section("HONEYTOKEN LEAKS", [f"{leak.token} via {leak.channel} to "
                                           f"{_clean(leak.destination)}"
                                           for leak in trace.leaks])
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
