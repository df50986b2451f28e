"""The JSON result of `pkgsandbox analyze --json` read back into an `AnalysisResult`, so an
evaluation can score stored runs again with the current rules without re-running them."""

from __future__ import annotations

from typing import Any

from analyzer.detect.static import file_role
from analyzer.detect.static_text import language_of
from analyzer.detect.static_types import FileRole, SignalKind, StaticSignal
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    Dependency,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    HttpRequest,
    Iocs,
    Leak,
    NetworkActivity,
    PackageRef,
    Phase,
    PhaseResult,
    PhaseStatus,
    PhaseTrace,
    ProcessEvent,
    Resources,
    TcpStream,
    TlsHello,
    TraceStats,
    Typosquat,
)

# Kinds the scanner only reports for install hooks.
_INSTALL_KINDS = frozenset({
    SignalKind.SETUP_CMDCLASS_HOOK, SignalKind.SETUP_RUNS_PROCESS, SignalKind.SETUP_NETWORK,
    SignalKind.SETUP_EXEC, SignalKind.PTH_IMPORT, SignalKind.NPM_INSTALL_SCRIPT,
    SignalKind.NPM_INSTALL_SCRIPT_BUILD,
})


def result_from_json(doc: dict[str, Any]) -> AnalysisResult:
    package = doc["package"]
    ecosystem = Ecosystem(package["ecosystem"])
    phases = tuple(_phase(Phase(name), body) for name, body in doc["phases"].items())
    squat = doc.get("typosquat")
    trace = doc.get("trace") or {}
    return AnalysisResult(
        package=PackageRef(ecosystem, package["name"], package["version"],
                           package.get("sha256", ""), package.get("filename", "")),
        started_at=doc["started_at"],
        duration_s=doc.get("duration_s", 0.0),
        phases=phases,
        dependencies=tuple(Dependency(d["name"], d.get("version"), d.get("filename"),
                                      d.get("missing_reason"))
                           for d in doc.get("dependencies", [])),
        trace_stats=TraceStats(trace.get("lines", 0), trace.get("syscall_lines", 0),
                               trace.get("unparsed_lines", 0), trace.get("bytes", 0)),
        iocs=Iocs(**{k: tuple(v) for k, v in (doc.get("iocs") or {}).items()}),
        typosquat=Typosquat(squat["target"], squat["distance"], squat["kind"]) if squat else None,
        static_signals=tuple(_signal(s, ecosystem) for s in doc.get("static_signals", [])),
        metadata=dict(doc.get("metadata") or {}),
        notes=tuple(doc.get("notes", [])),
        error=doc.get("error"),
    )


def _signal(item: dict[str, Any], ecosystem: Ecosystem) -> StaticSignal:
    kind = SignalKind(item["kind"])
    path = item["path"]
    if "role" in item:
        role = FileRole(item["role"])
    elif kind in _INSTALL_KINDS or path.endswith(".pth") or (
            path.endswith("setup.py") and path.count("/") <= 1):
        role = FileRole.INSTALL
    else:
        # Older results lack the role: derive it from the path as the scanner does,
        # without knowing which files an npm install script runs.
        role = file_role(path, language_of(path, ""))
    return StaticSignal(kind, path, item.get("line"), item.get("excerpt", ""),
                        item.get("detail", ""), role)


def _phase(phase: Phase, body: dict[str, Any]) -> PhaseResult:
    network = body.get("network") or {}
    trace = PhaseTrace(
        files=tuple(FileEvent(f["pid"], f["process"], f["path"], FileAccess(f["access"]), f["ok"],
                              f.get("target"), int(f["mode"], 8) if f.get("mode") else None)
                    for f in body.get("files", [])),
        processes=tuple(ProcessEvent(p["pid"], p.get("ppid"), p["executable"], tuple(p["argv"]),
                                     p["ok"]) for p in body.get("processes", [])),
        network=NetworkActivity(
            dns=tuple(DnsQuery(q["name"], q["type"], q.get("pid"), q.get("source", ""))
                      for q in network.get("dns", [])),
            connections=tuple(ConnectionEvent(c["pid"], c["process"], c["family"], c["protocol"],
                                              c["address"], c.get("port"), c["outcome"],
                                              c["syscall"])
                              for c in network.get("connections", [])),
            http=tuple(HttpRequest(r["method"], r["url"], r["host"],
                                   tuple(tuple(h) for h in r.get("headers", [])),
                                   r.get("body", ""), r.get("body_sha256", ""),
                                   r.get("body_truncated", False))
                       for r in network.get("http", [])),
            tls=tuple(TlsHello(t.get("sni"), tuple(t.get("alpn", [])), t["port"],
                               t.get("handshake", "ok")) for t in network.get("tls", [])),
            streams=tuple(TcpStream(s["port"], s.get("data", ""), s.get("sni"))
                          for s in network.get("streams", [])),
        ),
        leaks=tuple(Leak(x["token"], x["channel"], x["destination"], x.get("pid"))
                    for x in body.get("leaks", [])),
    )
    resources = body.get("resources") or {}
    return PhaseResult(phase, PhaseStatus(body["status"]), body.get("duration_s", 0.0),
                       body.get("exit_code"), trace,
                       Resources(resources.get("peak_memory_mb"), resources.get("cpu_s")),
                       body.get("output_tail", ""))
