"""The analysis result as the JSON contract of ARCHITECTURE.md; the only place it is built."""

from __future__ import annotations

from typing import Any

import analyzer
from analyzer.models import (
    AnalysisResult,
    ConnectionEvent,
    DnsQuery,
    FileEvent,
    HttpRequest,
    Leak,
    NetworkActivity,
    PhaseResult,
    ProcessEvent,
    TcpStream,
    TlsHello,
)

SCHEMA_VERSION = "1.0"


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
