"""The network simulator's event log (JSON lines from inside the sandbox) as typed network evidence.

Everything here was written inside the sandbox and is attacker-influenced: each field
is checked and bounded, and events that do not fit are counted, not trusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.models import DnsQuery, HttpRequest, NetworkActivity, Phase, TcpStream, TlsHello

MAX_EVENTS = 5000
MAX_BODY_TEXT = 64 * 1024  # what a result keeps of a body; its sha256 covers what was received


@dataclass(frozen=True)
class PhaseWindow:
    phase: Phase
    started: float
    ended: float


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value is not None else ""


def _bytes(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return b""


def phase_at(moment: float, windows: Sequence[PhaseWindow]) -> Phase | None:
    """The phase running at `moment`; between phases, the one that ran last (its processes
    may still be running)."""
    current = None
    for window in windows:
        if window.started <= moment:
            current = window.phase
    return current


def _http(event: Mapping[str, Any]) -> HttpRequest:
    body = _bytes(event.get("body"))
    host = _text(event.get("host"), 255)
    scheme = "https" if event.get("tls") else "http"
    port = event.get("port")
    default = 443 if scheme == "https" else 80
    authority = host if (port == default or ":" in host or not isinstance(port, int)) \
        else f"{host}:{port}"
    path = _text(event.get("path"), 4096)
    url = path if path.startswith(("http://", "https://")) else f"{scheme}://{authority}{path}"
    headers = tuple(
        (_text(h[0], 256), _text(h[1], 4096)) for h in event.get("headers") or []
        if isinstance(h, list | tuple) and len(h) == 2
    )[:100]
    text = body.decode("utf-8", "replace")
    return HttpRequest(
        method=_text(event.get("method"), 16),
        url=url,
        host=host,
        headers=headers,
        body=text[:MAX_BODY_TEXT],
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_truncated=bool(event.get("truncated")) or len(text) > MAX_BODY_TEXT,
    )


def network_by_phase(events: Iterable[Mapping[str, Any]],
                     windows: Sequence[PhaseWindow]) -> dict[Phase, NetworkActivity]:
    """Group the simulator's events into each phase's DNS, HTTP, TLS and raw streams."""
    grouped: dict[Phase, dict[str, list[Any]]] = {}
    for count, event in enumerate(events):
        if count >= MAX_EVENTS or not isinstance(event, Mapping):
            break
        moment = event.get("t")
        phase = phase_at(float(moment), windows) if isinstance(moment, int | float) else None
        if phase is None:
            continue
        bucket = grouped.setdefault(phase, {"dns": [], "http": [], "tls": [], "streams": []})
        kind = event.get("kind")
        if kind == "dns":
            bucket["dns"].append(DnsQuery(name=_text(event.get("name"), 1024).rstrip("."),
                                          qtype=_text(event.get("qtype"), 16), pid=None,
                                          source="resolver"))
        elif kind == "http":
            bucket["http"].append(_http(event))
        elif kind == "tls":
            bucket["tls"].append(TlsHello(
                sni=_text(event.get("sni"), 255) or None,
                alpn=tuple(_text(a, 32) for a in (event.get("alpn") or [])[:10]),
                port=int(event.get("port") or 0),
                handshake="ok" if event.get("handshake") == "ok" else "failed",
            ))
        elif kind == "tcp":
            bucket["streams"].append(TcpStream(
                port=int(event.get("port") or 0),
                data=_bytes(event.get("bytes")).decode("latin-1"),
                sni=_text(event.get("sni"), 255) or None,
            ))
    return {
        phase: NetworkActivity(dns=tuple(b["dns"]), http=tuple(b["http"]), tls=tuple(b["tls"]),
                               streams=tuple(b["streams"]))
        for phase, b in grouped.items()
    }
