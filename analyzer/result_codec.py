"""The analysis result as the JSON document of ARCHITECTURE.md, and back: the one codec.

`result_to_dict` is the only place the document is built; `result_from_dict` is its exact
inverse, and reads documents of every 1.x version as untrusted input: a missing key that
has a default takes it (older documents lack newer keys such as `forced`), and anything
else wrong raises one `ResultFormatError` that names the field.
"""

from __future__ import annotations

from typing import Any

import analyzer
from analyzer.baseline.interface import Change, ChangeKind, ChangeSet, Inventory, PackageFile
from analyzer.detect.static.roles import file_role
from analyzer.detect.static.text import language_of
from analyzer.errors import Error
from analyzer.json_fields import Fields
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    Dependency,
    DnsQuery,
    Ecosystem,
    FileAccess,
    FileEvent,
    Finding,
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
    Severity,
    TcpStream,
    TlsHello,
    TraceStats,
    Typosquat,
    Verdict,
)
from analyzer.signals import FileRole, SignalKind, StaticSignal

# A new key is a minor version; a changed or removed one, a major. 1.1: `inventory`, `changes`.
SCHEMA_VERSION = "1.1"
# Kinds the scanner only reports for install hooks (for documents older than `role`).
_INSTALL_KINDS = frozenset({
    SignalKind.SETUP_CMDCLASS_HOOK, SignalKind.SETUP_RUNS_PROCESS, SignalKind.SETUP_NETWORK,
    SignalKind.SETUP_EXEC, SignalKind.PTH_IMPORT, SignalKind.NPM_INSTALL_SCRIPT,
    SignalKind.NPM_INSTALL_SCRIPT_BUILD,
})


class ResultFormatError(Error):
    """A JSON result document is not one this version can read."""



def result_to_dict(result: AnalysisResult) -> dict[str, Any]:
    ref = result.package
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "pkgsandbox", "version": analyzer.__version__},
        "package": {
            "ecosystem": ref.ecosystem.value,
            "name": ref.name,
            "version": ref.version,
            "sha256": ref.sha256,
            "filename": ref.filename,
        },
        "started_at": result.started_at,
        "duration_s": result.duration_s,
        "verdict": result.verdict.value if result.verdict else None,
        "score": result.score,
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "phase": f.phase.value if f.phase else None,
                "title": f.title,
                "evidence": list(f.evidence),
            }
            for f in result.findings
        ],
        "phases": {p.phase.value: _phase(p) for p in result.phases},
        "iocs": {
            "domains": list(result.iocs.domains),
            "ips": list(result.iocs.ips),
            "urls": list(result.iocs.urls),
        },
        "typosquat": None if result.typosquat is None else {
            "target": result.typosquat.target,
            "distance": result.typosquat.distance,
            "kind": result.typosquat.kind,
        },
        "static_signals": [
            {"kind": s.kind.value, "path": s.path, "line": s.line, "excerpt": s.excerpt,
             "detail": s.detail, "role": s.role.value}
            for s in result.static_signals
        ],
        "metadata": dict(result.metadata),
        "notes": list(result.notes),
        "dependencies": [
            {"name": d.name, "version": d.version, "filename": d.filename,
             "missing_reason": d.missing_reason}
            for d in result.dependencies
        ],
        "trace": {
            "lines": result.trace_stats.lines,
            "syscall_lines": result.trace_stats.syscall_lines,
            "unparsed_lines": result.trace_stats.unparsed_lines,
            "bytes": result.trace_stats.bytes,
            "unparsed_samples": list(result.trace_stats.unparsed_samples),
        },
        "error": result.error,
        "inventory": None if result.inventory is None else _inventory(result.inventory),
        "changes": None if result.changes is None else _changes(result.changes),
    }


def _inventory(inventory: Inventory) -> dict[str, Any]:
    return {
        "files": [{"path": f.path, "size": f.size, "digest": f.digest} for f in inventory.files],
        "scripts": [list(s) for s in inventory.scripts],
        "entry_points": list(inventory.entry_points),
        "requirements": [list(r) for r in inventory.requirements],
        "truncated": inventory.truncated,
    }


def _changes(changes: ChangeSet) -> dict[str, Any]:
    return {
        "baseline": changes.baseline,
        "changes": [
            {"kind": c.kind.value, "subject": c.subject, "before": c.before, "after": c.after,
             "phase": c.phase.value if c.phase else None, "detail": c.detail}
            for c in changes.changes
        ],
        "notes": list(changes.notes),
    }


def _phase(phase: PhaseResult) -> dict[str, Any]:
    return {
        "status": phase.status.value,
        "duration_s": phase.duration_s,
        "exit_code": phase.exit_code,
        "files": [_file(f) for f in phase.trace.files],
        "processes": [_process(p) for p in phase.trace.processes],
        "network": _network(phase.trace.network),
        "leaks": [_leak(leak) for leak in phase.trace.leaks],
        "resources": {
            "peak_memory_mb": phase.resources.peak_memory_mb,
            "cpu_s": phase.resources.cpu_s,
        },
        "output_tail": phase.output_tail,
        "forced": list(phase.forced),
    }


def _file(event: FileEvent) -> dict[str, Any]:
    item: dict[str, Any] = {
        "path": event.path, "access": event.access.value, "ok": event.ok,
        "pid": event.pid, "process": event.process,
    }
    if event.target is not None:
        item["target"] = event.target
    if event.mode is not None:
        item["mode"] = oct(event.mode)
    return item


def _process(event: ProcessEvent) -> dict[str, Any]:
    return {"pid": event.pid, "ppid": event.ppid, "executable": event.executable,
            "argv": list(event.argv), "ok": event.ok}


def _connection(event: ConnectionEvent) -> dict[str, Any]:
    return {"address": event.address, "port": event.port, "family": event.family,
            "protocol": event.protocol, "outcome": event.outcome, "syscall": event.syscall,
            "pid": event.pid, "process": event.process}


def _dns(query: DnsQuery) -> dict[str, Any]:
    return {"name": query.name, "type": query.qtype, "pid": query.pid, "source": query.source}


def _http(request: HttpRequest) -> dict[str, Any]:
    return {"method": request.method, "url": request.url, "host": request.host,
            "headers": [list(h) for h in request.headers], "body": request.body,
            "body_sha256": request.body_sha256, "body_truncated": request.body_truncated}


def _tls(hello: TlsHello) -> dict[str, Any]:
    return {"sni": hello.sni, "alpn": list(hello.alpn), "port": hello.port,
            "handshake": hello.handshake}


def _stream(stream: TcpStream) -> dict[str, Any]:
    return {"port": stream.port, "sni": stream.sni, "data": stream.data}


def _leak(leak: Leak) -> dict[str, Any]:
    return {"token": leak.token, "channel": leak.channel, "destination": leak.destination,
            "pid": leak.pid}


def _network(network: NetworkActivity) -> dict[str, Any]:
    return {
        "dns": [_dns(q) for q in network.dns],
        "connections": [_connection(c) for c in network.connections],
        "http": [_http(r) for r in network.http],
        "tls": [_tls(t) for t in network.tls],
        "streams": [_stream(s) for s in network.streams],
    }


# --- reading a document back -----------------------------------------------------------


def result_from_dict(doc: object) -> AnalysisResult:
    """The `AnalysisResult` that `result_to_dict` turned into `doc`.

    Raises `ResultFormatError` for a document of another major version, a wrong type or
    an unknown enum value; extra keys are ignored.
    """
    root = Fields(doc, "", ResultFormatError)
    _check_version(root.text("schema_version", SCHEMA_VERSION))
    return AnalysisResult(
        package=_read_package(root.required_child("package")),
        started_at=root.text("started_at"),
        duration_s=root.number("duration_s", 0.0),
        phases=tuple(_read_phase(phase, body)
                     for phase, body in root.required_child("phases").entries(Phase)),
        dependencies=tuple(_read_dependency(d) for d in root.children("dependencies")),
        trace_stats=_read_trace_stats(root.child("trace")),
        verdict=root.choice_or_none("verdict", Verdict),
        score=root.number_or_none("score"),
        findings=tuple(_read_finding(f) for f in root.children("findings")),
        iocs=_read_iocs(root.child("iocs")),
        typosquat=_read_typosquat(root.child_or_none("typosquat")),
        static_signals=tuple(_read_signal(s) for s in root.children("static_signals")),
        metadata=root.text_map("metadata"),
        notes=root.texts("notes"),
        error=root.text_or_none("error"),
        inventory=_read_inventory(root.child_or_none("inventory")),
        changes=_read_changes(root.child_or_none("changes")),
    )


def _read_inventory(item: Fields | None) -> Inventory | None:
    if item is None:
        return None
    return Inventory(
        files=tuple(PackageFile(f.text("path"), f.integer("size"), f.text("digest", ""))
                    for f in item.children("files")),
        scripts=item.text_pairs("scripts"),
        entry_points=item.texts("entry_points"),
        requirements=item.text_pairs("requirements"),
        truncated=item.flag("truncated", False),
    )


def _read_changes(item: Fields | None) -> ChangeSet | None:
    if item is None:
        return None
    return ChangeSet(
        baseline=item.text("baseline"),
        changes=tuple(Change(c.choice("kind", ChangeKind), c.text("subject"),
                             c.text_or_none("before"), c.text_or_none("after"),
                             c.choice_or_none("phase", Phase), c.text("detail", ""))
                      for c in item.children("changes")),
        notes=item.texts("notes"),
    )


def _check_version(version: str) -> None:
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ResultFormatError(f"schema_version: {version!r:.20} is not a version this tool "
                                f"reads ({SCHEMA_VERSION.split('.')[0]}.x)")


def _read_package(item: Fields) -> PackageRef:
    return PackageRef(item.choice("ecosystem", Ecosystem), item.text("name"),
                      item.text("version"), item.text("sha256", ""), item.text("filename", ""))


def _read_finding(item: Fields) -> Finding:
    return Finding(item.text("rule"), item.choice("severity", Severity),
                   item.choice_or_none("phase", Phase), item.text("title"),
                   item.texts("evidence"))


def _read_iocs(item: Fields) -> Iocs:
    return Iocs(item.texts("domains"), item.texts("ips"), item.texts("urls"))


def _read_typosquat(item: Fields | None) -> Typosquat | None:
    if item is None:
        return None
    return Typosquat(item.text("target"), item.integer("distance"), item.text("kind"))


def _read_signal(item: Fields) -> StaticSignal:
    kind, path = item.choice("kind", SignalKind), item.text("path")
    role = item.choice_or_none("role", FileRole) or _legacy_role(kind, path)
    return StaticSignal(kind, path, item.integer_or_none("line"), item.text("excerpt", ""),
                        item.text("detail", ""), role)


def _legacy_role(kind: SignalKind, path: str) -> FileRole:
    """The role of a signal in a document older than `role`, derived as the scanner does
    (without knowing which files an npm install script runs)."""
    if kind in _INSTALL_KINDS or path.endswith(".pth") or (
            path.endswith("setup.py") and path.count("/") <= 1):
        return FileRole.INSTALL
    return file_role(path, language_of(path, ""))


def _read_dependency(item: Fields) -> Dependency:
    return Dependency(item.text("name"), item.text_or_none("version"),
                      item.text_or_none("filename"), item.text_or_none("missing_reason"))


def _read_trace_stats(item: Fields) -> TraceStats:
    return TraceStats(item.integer("lines", 0), item.integer("syscall_lines", 0),
                      item.integer("unparsed_lines", 0), item.integer("bytes", 0),
                      item.texts("unparsed_samples"))


def _read_phase(phase: Phase, item: Fields) -> PhaseResult:
    trace = PhaseTrace(
        files=tuple(_read_file(f) for f in item.children("files")),
        processes=tuple(_read_process(p) for p in item.children("processes")),
        network=_read_network(item.child("network")),
        leaks=tuple(_read_leak(x) for x in item.children("leaks")),
    )
    resources = item.child("resources")
    return PhaseResult(
        phase, item.choice("status", PhaseStatus), item.number("duration_s", 0.0),
        item.integer_or_none("exit_code"), trace,
        Resources(resources.number_or_none("peak_memory_mb"),
                  resources.number_or_none("cpu_s")),
        item.text("output_tail", ""), item.texts("forced"))


def _read_file(item: Fields) -> FileEvent:
    return FileEvent(item.integer("pid"), item.text("process"), item.text("path"),
                     item.choice("access", FileAccess), item.flag("ok"),
                     item.text_or_none("target"), _read_mode(item))


def _read_mode(item: Fields) -> int | None:
    text = item.text_or_none("mode")
    if text is None:
        return None
    try:
        return int(text, 8)
    except ValueError:
        raise ResultFormatError(f"{item.where}.mode: {text!r:.20} is not an octal mode") \
            from None


def _read_process(item: Fields) -> ProcessEvent:
    return ProcessEvent(item.integer("pid"), item.integer_or_none("ppid"),
                        item.text("executable"), item.texts("argv"), item.flag("ok"))


def _read_network(item: Fields) -> NetworkActivity:
    return NetworkActivity(
        dns=tuple(_read_dns(q) for q in item.children("dns")),
        connections=tuple(_read_connection(c) for c in item.children("connections")),
        http=tuple(_read_http(r) for r in item.children("http")),
        tls=tuple(_read_tls(t) for t in item.children("tls")),
        streams=tuple(_read_stream(s) for s in item.children("streams")),
    )


def _read_dns(item: Fields) -> DnsQuery:
    return DnsQuery(item.text("name"), item.text("type"), item.integer_or_none("pid"),
                    item.text("source", ""))


def _read_connection(item: Fields) -> ConnectionEvent:
    return ConnectionEvent(item.integer("pid"), item.text("process"), item.text("family"),
                           item.text("protocol"), item.text("address"),
                           item.integer_or_none("port"), item.text("outcome"),
                           item.text("syscall"))


def _read_http(item: Fields) -> HttpRequest:
    return HttpRequest(item.text("method"), item.text("url"), item.text("host"),
                       item.text_pairs("headers"), item.text("body", ""),
                       item.text("body_sha256", ""), item.flag("body_truncated", False))


def _read_tls(item: Fields) -> TlsHello:
    return TlsHello(item.text_or_none("sni"), item.texts("alpn"), item.integer("port"),
                    item.text("handshake", "ok"))


def _read_stream(item: Fields) -> TcpStream:
    return TcpStream(item.integer("port"), item.text("data", ""), item.text_or_none("sni"))


def _read_leak(item: Fields) -> Leak:
    return Leak(item.text("token"), item.text("channel"), item.text("destination"),
                item.integer_or_none("pid"))
