"""The simulator's typed events become each phase's network evidence."""

from __future__ import annotations

import hashlib

from analyzer.models import Phase
from analyzer.protocol import DnsEvent, HttpEvent, TcpEvent, TlsEvent
from analyzer.trace.network_log import MAX_BODY_TEXT, PhaseWindow, network_by_phase

WINDOWS = (PhaseWindow(Phase.INSTALL, 10.0, 20.0), PhaseWindow(Phase.IMPORT, 30.0, 40.0))


def http(t: float, port: int, tls: bool, host: str, path: str, body: bytes = b"") -> HttpEvent:
    return HttpEvent(t, port, tls, None, "POST", path, host, (("Host", host),), body, False)


def test_events_go_to_the_phase_that_ran_when_they_happened() -> None:
    grouped = network_by_phase([
        DnsEvent(5.0, "before.example.", "A"),  # before the first phase: the driver's own
        DnsEvent(11.0, "install.example.", "A"),
        TcpEvent(25.0, 4444, b"\x01late", None),  # between phases: the last one's stragglers
        TlsEvent(31.0, 443, "", ("h2",), "failed"),
    ], WINDOWS)
    install, imported = grouped[Phase.INSTALL], grouped[Phase.IMPORT]
    assert [q.name for q in install.dns] == ["install.example"]
    assert install.dns[0].source == "resolver" and install.streams[0].data == "\x01late"
    assert imported.tls[0].sni is None and imported.tls[0].handshake == "failed"
    assert set(grouped) == {Phase.INSTALL, Phase.IMPORT}


def test_the_url_is_rebuilt_from_scheme_host_and_port() -> None:
    events = [http(11.0, 443, True, "a.example", "/x"), http(11.0, 8080, False, "b.example", "/y"),
              http(11.0, 8080, False, "c.example:8080", "/z"),
              http(11.0, 80, False, "proxy", "http://d.example/w")]
    urls = [r.url for r in network_by_phase(events, WINDOWS)[Phase.INSTALL].http]
    assert urls == ["https://a.example/x", "http://b.example:8080/y", "http://c.example:8080/z",
                    "http://d.example/w"]


def test_a_long_body_is_cut_and_its_hash_covers_all_of_it() -> None:
    body = b"k" * (MAX_BODY_TEXT + 10)
    request = network_by_phase([http(11.0, 80, False, "e.example", "/", body)],
                               WINDOWS)[Phase.INSTALL].http[0]
    assert len(request.body) == MAX_BODY_TEXT and request.body_truncated
    assert request.body_sha256 == hashlib.sha256(body).hexdigest()
