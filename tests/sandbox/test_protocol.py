"""The host<->sandbox protocol: every message survives its round trip, and whatever a hostile
package could put in place of one is refused with a ProtocolError, never an exception of
another kind, and never taken for a path."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import sys
import threading
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import models
from analyzer.protocol import (
    MAX_FORCED,
    MAX_HEADERS,
    MAX_NETWORK_EVENTS,
    MAX_NETWORK_LOG,
    TAIL_CHARS,
    DnsEvent,
    DriverResult,
    HttpEvent,
    NetworkEvent,
    Phase,
    PhaseReport,
    PhaseStarted,
    PhaseStatus,
    PlantedFile,
    ProtocolError,
    Spec,
    TcpEvent,
    TlsEvent,
    json_document,
    network_event,
    progress_record,
)
from analyzer.sandbox.driver_output import read_network_log, read_result, readback_notes
from analyzer.sandbox.host import IMAGES_DIR, PROJECT_ROOT
from analyzer.sandbox.images import image_files

DRIVER = IMAGES_DIR / "driver"


def spec(**changes: Any) -> Spec:
    fields: dict[str, Any] = {
        "ecosystem": "pypi", "user": "sarah.k", "name": "demo", "artifact": "demo-1.0.tar.gz",
        "phases": (Phase.INSTALL, Phase.PERSONA),
        "timeouts": ((Phase.INSTALL, 120.0), (Phase.PERSONA, 60.0)),
        "ca_cert": "-----BEGIN CERTIFICATE-----", "ca_key": "-----BEGIN PRIVATE KEY-----",
        "files": (PlantedFile(".aws/credentials", "[default]\n"),),
        "windows_files": (PlantedFile("AppData/Roaming/x", "y", 0o644),),
        "env": (("GITHUB_TOKEN", "ghp_canary"),), "simulate_network": False}
    fields.update(changes)
    return Spec(**fields)


def test_the_spec_round_trips() -> None:
    made = spec()
    assert Spec.from_json(made.to_json()) == made
    assert made.timeout(Phase.PERSONA) == 60.0


@pytest.mark.parametrize("changes", [
    {"user": "../root"}, {"user": "a b"}, {"artifact": "../../etc/passwd"}, {"artifact": ".."},
    {"artifact": ""}, {"phases": (Phase.INSTALL, Phase.EXECUTE)},  # execute has no timeout
])
def test_a_spec_that_could_climb_out_of_its_folders_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        spec(**changes)


@pytest.mark.parametrize("path", ["/etc/cron.d/x", "../.bashrc", ".ssh/../../x", "", "a\0b"])
def test_a_planted_file_stays_in_the_home(path: str) -> None:
    with pytest.raises(ProtocolError):
        PlantedFile(path, "content")
    document = json.loads(spec().to_json())
    document["bait"]["files"] = [{"path": path, "content": "x", "mode": 0o600}]
    with pytest.raises(ProtocolError):
        Spec.from_json(json.dumps(document))


def test_phase_reports_round_trip_through_the_progress_log_and_the_result_line() -> None:
    report = PhaseReport(Phase.INSTALL, PhaseStatus.TIMEOUT, None, 10.0, 70.5, "tail",
                         ("installed without dependencies (missing: x)",))
    started = PhaseStarted(Phase.IMPORT, 71.0)
    assert progress_record(json_document(report.to_json())) == report
    assert progress_record(json_document(started.to_json())) == started
    result = read_result(b"noise\n" + DriverResult((report,), ("a note",)).to_line().encode())
    assert result is not None
    assert (result.phases, result.notes, result.malformed) == ((report,), ("a note",), 0)


def test_what_a_phase_report_carries_is_cut_to_its_bounds() -> None:
    document = json.loads(PhaseReport(Phase.IMPORT, PhaseStatus.ERROR, 1, 1.0, 2.0).to_json())
    document.update(output_tail="a" + "z" * 20_000, forced=["f" * 999] * 999)
    report = PhaseReport.from_json(document)
    assert report.output_tail == "z" * TAIL_CHARS  # the tail: the end is kept
    assert len(report.forced) == MAX_FORCED and {len(f) for f in report.forced} == {200}


@pytest.mark.parametrize("event", [
    DnsEvent(1.5, "x" * 60 + ".evil.example.", "TXT", "tcp"),
    HttpEvent(2.0, 8443, True, "evil.example", "POST", "/up?x=1", "evil.example:8443",
              (("Host", "evil.example:8443"), ("X-Token", "ghp_canary")), b"\x00\xffsecret",
              True),
    HttpEvent(2.0, 80, False, None, "GET", "/", "", (), b"", False),
    TlsEvent(3.0, 443, "c2.example", ("h2", "http/1.1"), "failed", "certificate unknown"),
    TlsEvent(3.0, 443, None, (), "ok"),
    TcpEvent(4.0, 4444, b"\x01id\n", None),
    TcpEvent(4.0, 443, b"bytes after TLS", "c2.example"),
])
def test_every_network_event_round_trips(event: NetworkEvent) -> None:
    assert network_event(event.to_json()) == event


GOOD_HTTP = json.loads(HttpEvent(2.0, 80, False, None, "GET", "/", "h", (("A", "b"),), b"x",
                                 False).to_json())


@pytest.mark.parametrize("change", [
    {"t": "2.0"}, {"t": None}, {"t": float("inf")}, {"t": True}, {"t": 10**400},
    {"port": "80"}, {"port": 70000}, {"port": -1}, {"port": True}, {"port": 80.0},
    {"tls": "yes"}, {"sni": 5}, {"method": ["GET"]}, {"path": None}, {"body": "not base64!"},
    {"body": 1}, {"headers": "Host: x"}, {"headers": [["only-name"]]}, {"headers": [[1, 2]]},
    {"headers": {"Host": "x"}}, {"kind": "http2"}, {"kind": None}, {"kind": []},
    {"kind": {"a": 1}}, {"truncated": 1},
])
def test_a_malformed_network_event_is_refused(change: dict[str, Any]) -> None:
    event = {**GOOD_HTTP, **change}
    with pytest.raises(ProtocolError):
        network_event(json.dumps(event))


@pytest.mark.parametrize("line", [
    b"", b"not json", b"[1, 2]", b'"text"', b"null", b"[" * 100_000 + b"]" * 100_000,
    b'{"kind": "dns", "t": 1, "name": "a"}',  # no qtype
    b'{"kind": "tls", "t": 1, "port": 443, "sni": null, "alpn": [], "handshake": "maybe"}',
    b'{"kind": "tls", "t": 1, "port": 443, "sni": null, "alpn": [1], "handshake": "ok"}',
    b'{"kind": "tcp", "t": 1, "port": 1, "bytes": "%%%"}', b"\xff\xfe garbage",
])
def test_any_line_is_an_event_or_a_protocol_error(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        network_event(line)


def test_the_simulator_s_own_diagnostics_are_no_evidence_and_no_error() -> None:
    assert network_event('{"kind": "tcp-error", "t": 1, "port": 80, "error": "reset"}') is None
    assert network_event('{"kind": "dns-malformed", "t": 1, "bytes": "AAA="}') is None


def test_what_an_event_carries_is_cut_to_its_bounds() -> None:
    event = network_event(json.dumps({
        **GOOD_HTTP, "host": "h" * 999, "path": "/" * 9999, "method": "M" * 99,
        "headers": [["k" * 999, "v" * 9999]] * 500}))
    assert isinstance(event, HttpEvent)
    assert (len(event.host), len(event.path), len(event.method)) == (255, 4096, 16)
    assert len(event.headers) == MAX_HEADERS and event.headers[0] == ("k" * 256, "v" * 4096)


def test_the_log_keeps_every_valid_event_counts_the_rest_and_stops_at_the_bound(
        tmp_path: Path) -> None:
    dns = DnsEvent(1.0, "a.example", "A").to_json()
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join([dns, "{broken", '{"kind": "dns", "t": "x"}',
                              '{"kind": "tcp-error", "t": 1}'] + [dns] * MAX_NETWORK_EVENTS))
    network = read_network_log(log)
    assert len(network.events) == MAX_NETWORK_EVENTS
    assert (network.malformed, network.left_out) == (2, 1)
    driver = read_result(DriverResult(()).to_line().encode())
    assert driver is not None
    assert readback_notes(driver, network) == [
        "the network simulator's log held 2 malformed lines; they were left out",
        f"the network simulator logged {MAX_NETWORK_EVENTS + 1} events; the first "
        f"{MAX_NETWORK_EVENTS} were kept"]


def test_a_log_the_sandbox_replaced_by_a_link_or_a_fifo_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "host-secret"
    secret.write_text(DnsEvent(1.0, "host.secret", "A").to_json())
    linked = tmp_path / "out" / "netsim"
    linked.mkdir(parents=True)
    (linked / "events.jsonl").symlink_to(secret)
    assert read_network_log(linked / "events.jsonl").events == ()
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "events.jsonl").write_text(secret.read_text())
    (tmp_path / "linked-dir").symlink_to(tmp_path / "real")
    assert read_network_log(tmp_path / "linked-dir" / "events.jsonl").events == ()
    os.mkfifo(tmp_path / "fifo")
    assert read_network_log(tmp_path / "fifo").events == ()  # returns: nobody writes it


def test_phases_and_statuses_are_the_protocol_s_own_words() -> None:
    assert models.Phase is Phase and models.PhaseStatus is PhaseStatus


def test_the_images_hold_the_protocol_and_their_tag_covers_it() -> None:
    link = DRIVER / "protocol.py"
    assert link.is_symlink() and link.resolve() == PROJECT_ROOT / "analyzer" / "protocol.py"
    files = dict(image_files())
    assert files[Path("driver/protocol.py")].read_bytes() == \
        (PROJECT_ROOT / "analyzer" / "protocol.py").read_bytes()
    assert "cp -rL" in (IMAGES_DIR / "build.sh").read_text()  # the copy holds the file


# ---- the simulator writes what the host reads


@pytest.fixture(scope="module")
def netsim() -> ModuleType:
    loaded = importlib.util.spec_from_file_location("netsim_for_protocol", DRIVER / "netsim.py")
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules["netsim_for_protocol"] = module
    loaded.loader.exec_module(module)
    return module


def test_the_simulator_caps_its_log_where_the_host_stops_reading(netsim: ModuleType) -> None:
    assert netsim.MAX_LOG == MAX_NETWORK_LOG
    assert netsim.HttpEvent.__module__ == "protocol"  # the image's copy, not a look-alike


def _serve(netsim: ModuleType, recorder: Any, port: int, sent: bytes) -> None:
    """One connection through the simulator's real TCP handler, over a socket pair."""
    client, server = socket.socketpair()
    owner = SimpleNamespace(server_address=("0.0.0.0", port), recorder=recorder,  # noqa: S104
                            certificates=None)

    def send() -> None:
        client.sendall(sent)
        client.shutdown(socket.SHUT_WR)

    with client, server:
        sender = threading.Thread(target=send)
        sender.start()
        netsim.TcpHandler(server, ("127.0.0.1", 40000), owner)
        sender.join()


def test_what_the_simulator_records_is_read_back_as_typed_events(
        netsim: ModuleType, tmp_path: Path) -> None:
    from scapy.layers.dns import DNS, DNSQR

    log = tmp_path / "events.jsonl"
    recorder = netsim.Recorder(str(log))
    try:
        query = bytes(DNS(rd=1, qd=DNSQR(qname="exfil.evil.example", qtype="TXT")))
        netsim.answer_dns(query, recorder, "udp")
        netsim.answer_dns(b"\x00garbage", recorder, "udp")
        _serve(netsim, recorder, 8080, b"POST /up HTTP/1.1\r\nHost: evil.example:8080\r\n"
                                       b"Content-Length: 6\r\n\r\nsecret")
        _serve(netsim, recorder, 4444, b"\x01\x02shell")
    finally:
        recorder._file.close()
    network = read_network_log(log)
    assert network.malformed == 0
    dns, http, tcp = network.events
    assert isinstance(dns, DnsEvent) and (dns.name, dns.qtype) == ("exfil.evil.example.", "TXT")
    assert isinstance(http, HttpEvent)
    assert (http.method, http.path, http.host, http.body, http.port, http.tls) == (
        "POST", "/up", "evil.example:8080", b"secret", 8080, False)
    assert ("Content-Length", "6") in http.headers
    assert isinstance(tcp, TcpEvent) and (tcp.port, tcp.data) == (4444, b"\x01\x02shell")


# ---- any JSON at all


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.binary(max_size=20).map(lambda b: b.decode("latin-1")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=6),
    max_leaves=20)
# Objects shaped like the real messages, with any values: the checks past the kind run too.
shaped = st.fixed_dictionaries(
    {"kind": st.sampled_from(["dns", "http", "tls", "tcp", "tcp-error"]), "t": json_values},
    optional={k: json_values for k in ("name", "qtype", "port", "tls", "sni", "method", "path",
                                       "host", "headers", "body", "bytes", "alpn", "handshake",
                                       "truncated", "phase", "status", "exit_code", "started",
                                       "ended", "output_tail", "forced")})


@settings(max_examples=150, deadline=None)
@given(value=json_values | shaped)
def test_any_json_is_a_typed_message_or_a_protocol_error(value: object) -> None:
    line = json.dumps(value)
    for read in (network_event, lambda text: progress_record(json_document(text)),
                 lambda text: PhaseReport.from_json(json_document(text))):
        with contextlib.suppress(ProtocolError):  # anything else fails the test
            read(line)
