"""The network simulator's events (analyzer/protocol.py) as each phase's network evidence.

The events were validated when they came back from the sandbox (types and bounds,
analyzer/sandbox/driver_output.py); here they are grouped by the phase that ran when
they happened and turned into the result's DNS, HTTP, TLS and stream records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.models import DnsQuery, HttpRequest, NetworkActivity, Phase, TcpStream, TlsHello
from analyzer.protocol import DnsEvent, HttpEvent, NetworkEvent, TcpEvent, TlsEvent

MAX_BODY_TEXT = 64 * 1024  # what a result keeps of a body; its sha256 covers what was received


@dataclass(frozen=True)
class PhaseWindow:
    phase: Phase
    started: float
    ended: float


def phase_at(moment: float, windows: Sequence[PhaseWindow]) -> Phase | None:
    """The phase running at `moment`; between phases, the one that ran last (its processes
    may still be running)."""
    current = None
    for window in windows:
        if window.started <= moment:
            current = window.phase
    return current


def _http(event: HttpEvent) -> HttpRequest:
    scheme = "https" if event.tls else "http"
    default = 443 if scheme == "https" else 80
    host = event.host
    authority = host if (event.port == default or ":" in host) else f"{host}:{event.port}"
    path = event.path
    url = path if path.startswith(("http://", "https://")) else f"{scheme}://{authority}{path}"
    text = event.body.decode("utf-8", "replace")
    return HttpRequest(
        method=event.method,
        url=url,
        host=host,
        headers=event.headers,
        body=text[:MAX_BODY_TEXT],
        body_sha256=hashlib.sha256(event.body).hexdigest(),
        body_truncated=event.truncated or len(text) > MAX_BODY_TEXT,
    )


def network_by_phase(events: Iterable[NetworkEvent],
                     windows: Sequence[PhaseWindow]) -> dict[Phase, NetworkActivity]:
    """Group the simulator's events into each phase's DNS, HTTP, TLS and raw streams."""
    dns: dict[Phase, list[DnsQuery]] = {}
    http: dict[Phase, list[HttpRequest]] = {}
    tls: dict[Phase, list[TlsHello]] = {}
    streams: dict[Phase, list[TcpStream]] = {}
    for event in events:
        phase = phase_at(event.t, windows)
        if phase is None:
            continue
        if isinstance(event, DnsEvent):
            dns.setdefault(phase, []).append(DnsQuery(
                name=event.name.rstrip("."), qtype=event.qtype, pid=None, source="resolver"))
        elif isinstance(event, HttpEvent):
            http.setdefault(phase, []).append(_http(event))
        elif isinstance(event, TlsEvent):
            tls.setdefault(phase, []).append(TlsHello(
                sni=event.sni or None, alpn=event.alpn, port=event.port,
                handshake=event.handshake))
        elif isinstance(event, TcpEvent):
            streams.setdefault(phase, []).append(TcpStream(
                port=event.port, data=event.data.decode("latin-1"), sni=event.sni or None))
    return {
        phase: NetworkActivity(dns=tuple(dns.get(phase, ())), http=tuple(http.get(phase, ())),
                               tls=tuple(tls.get(phase, ())),
                               streams=tuple(streams.get(phase, ())))
        for phase in Phase if phase in {*dns, *http, *tls, *streams}
    }
