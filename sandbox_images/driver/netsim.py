"""Network simulator inside the sandbox: answers DNS, HTTP, TLS and raw TCP, and records it all.

The sandbox has loopback only. The driver starts this as root before any package code;
it binds its sockets, drops to its own user, says "ready" on stdout and then records
one JSON line per event into a log the package's user cannot read. DNS answers every
name with 127.0.0.1, so whatever the package dials by name lands here; HTTPS is
completed with a certificate for the requested name, signed by the run's own CA,
which the sandbox trusts. Stdlib plus scapy (DNS and TLS records) and cryptography
(leaf certificates), both from a private virtualenv so the package never sees them.
The events are the protocol's (protocol.py), which the host reads back.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import pwd
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # `-I` leaves it off
import protocol  # noqa: E402
from protocol import DnsEvent, HttpEvent, TcpEvent, TlsEvent  # noqa: E402

TCP_PORTS = (21, 22, 25, 80, 443, 1337, 3333, 4444, 5555, 6667, 8000, 8080, 8443, 8888, 9001)
BANNERS = {21: b"220 ProFTPD Server ready.\r\n", 22: b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
           25: b"220 mail.example.com ESMTP Postfix\r\n"}
HTTP_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"PATCH ", b"DELETE ", b"OPTIONS ")
# Valid, empty input for sh, python and node alike: a dropper runs it and goes on.
HTTP_BODY = b"#!/bin/sh\n"
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_BODY = 256 * 1024
MAX_HEADER = 64 * 1024
MAX_STREAM = 4096
MAX_LOG = protocol.MAX_NETWORK_LOG  # where the host stops reading
IO_TIMEOUT = 3.0

# scapy and cryptography take over a second to import under gVisor: the simulator says
# "ready" once its sockets are bound, and imports them on a thread of their own while
# the package installs. A query that arrives first waits in its socket until they are in.
_LOADING = threading.Lock()
_libraries = None


def libraries():
    """scapy (DNS and TLS records) and cryptography (certificates), imported once; a
    caller during the import waits for it."""
    global _libraries
    with _LOADING:
        if _libraries is None:
            _libraries = _import_libraries()
        return _libraries


def _import_libraries():
    import scapy.arch

    scapy.arch.read_routes6 = lambda: []  # gVisor's netlink omits the address scope scapy reads
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from scapy.layers.dns import DNS, DNSRR
    from scapy.layers.tls.extensions import TLS_Ext_ALPN, TLS_Ext_ServerName
    from scapy.layers.tls.handshake import TLSClientHello
    from scapy.layers.tls.record import TLS

    return types.SimpleNamespace(
        x509=x509, hashes=hashes, serialization=serialization, ec=ec, NameOID=NameOID,
        DNS=DNS, DNSRR=DNSRR, TLS_Ext_ALPN=TLS_Ext_ALPN, TLS_Ext_ServerName=TLS_Ext_ServerName,
        TLSClientHello=TLSClientHello, TLS=TLS)


class Recorder:
    """Appends events as JSON lines, bounded in size, safe across handler threads."""

    def __init__(self, path):
        self._file = open(path, "a", buffering=1)  # noqa: SIM115 (open for the server's life)
        self._lock = threading.Lock()
        self._written = 0

    def record(self, event):
        """One protocol event (a DnsEvent, HttpEvent, TlsEvent or TcpEvent)."""
        self._write(event.to_json() + "\n")

    def diagnose(self, kind, **fields):
        """What the simulator could not make sense of: for people, not read as evidence."""
        assert kind in protocol.DIAGNOSTIC_KINDS
        self._write(json.dumps({"kind": kind, "t": time.time(), **fields}) + "\n")

    def _write(self, line):
        with self._lock:
            if self._written + len(line) > MAX_LOG:
                return
            self._written += len(line)
            self._file.write(line)


class Certificates:
    """Leaf certificates for requested names, signed by the run's CA, cached per name.

    Made as root, which alone can read the CA; its key is parsed, and the leaf key made,
    at the first TLS connection."""

    def __init__(self, ca_cert_path, ca_key_path, workdir):
        with open(ca_cert_path, "rb") as f:
            self._ca_cert_pem = f.read()
        with open(ca_key_path, "rb") as f:
            self._ca_key_pem = f.read()
        self.key_path = os.path.join(workdir, "leaf.key")
        self.workdir = workdir
        self._signing = None  # (CA certificate, CA key, leaf key) once parsed
        self._contexts = {}
        self._lock = threading.Lock()

    def context(self, name):
        name = (name or "localhost").strip(".").lower()[:253] or "localhost"
        with self._lock:
            if name not in self._contexts:
                self._contexts[name] = self._make_context(name)
            return self._contexts[name]

    def _keys(self):
        if self._signing is None:
            lib = libraries()
            serialization = lib.serialization
            ca_cert = lib.x509.load_pem_x509_certificate(self._ca_cert_pem)
            ca_key = serialization.load_pem_private_key(self._ca_key_pem, password=None)
            key = lib.ec.generate_private_key(lib.ec.SECP256R1())
            with open(self.key_path, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
            self._signing = (ca_cert, ca_key, key)
        return self._signing

    def _make_context(self, name):
        lib = libraries()
        x509 = lib.x509
        ca_cert, ca_key, key = self._keys()
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(lib.NameOID.COMMON_NAME, name[:64])]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now + datetime.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, lib.hashes.SHA256())
        )
        pem = lib.serialization.Encoding.PEM
        path = os.path.join(self.workdir, f"leaf-{len(self._contexts)}.pem")
        with open(path, "wb") as f:
            f.write(cert.public_bytes(pem))
            f.write(ca_cert.public_bytes(pem))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(path, self.key_path)
        context.set_alpn_protocols(["http/1.1"])  # keep clients off HTTP/2, which we do not speak
        return context


def parse_client_hello(data):
    """SNI and ALPN from a TLS ClientHello record, or (None, []) when it is not one."""
    lib = libraries()
    try:
        record = lib.TLS(data)
    except Exception:  # scapy raises many kinds on garbage; garbage is expected here
        return None, []
    sni, alpn = None, []
    for message in getattr(record, "msg", []) or []:
        if not isinstance(message, lib.TLSClientHello):
            continue
        for ext in message.ext or []:
            if isinstance(ext, lib.TLS_Ext_ServerName) and ext.servernames:
                sni = ext.servernames[0].servername.decode("ascii", "replace")
            elif isinstance(ext, lib.TLS_Ext_ALPN):
                alpn = [p.protocol.decode("ascii", "replace") for p in ext.protocols]
    return sni, alpn


def read_http_request(conn, first):
    """One HTTP/1.x request: (method, path, headers, body, truncated) or None."""
    data = first
    while b"\r\n\r\n" not in data and len(data) < MAX_HEADER:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = [tuple(h.split(":", 1)) for h in lines[1:] if ":" in h]
    headers = [(k.strip(), v.strip()) for k, v in headers][:100]
    lookup = {k.lower(): v for k, v in headers}
    # The client writes these headers: a length that is not plain ASCII digits ("abc",
    # "²") counts as absent rather than ending the handler before the request is logged.
    declared = lookup.get("content-length", "")
    length = int(declared) if re.fullmatch(r"[0-9]{1,15}", declared) else 0
    chunked = "chunked" in lookup.get("transfer-encoding", "").lower()
    wanted = MAX_BODY if chunked else min(length, MAX_BODY)
    while len(body) < wanted:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    if chunked:
        body = dechunk(body)
    truncated = len(body) > MAX_BODY or length > MAX_BODY
    return parts[0], parts[1], headers, body[:MAX_BODY], truncated


def dechunk(data):
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            return out + rest
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


class TcpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        conn, port = self.request, self.server.server_address[1]
        conn.settimeout(IO_TIMEOUT)
        try:
            if port in BANNERS:
                conn.sendall(BANNERS[port])
            first = conn.recv(MAX_STREAM, socket.MSG_PEEK)
            if first[:1] == b"\x16":
                self.handle_tls(conn, port)
            elif first.startswith(HTTP_METHODS):
                self.handle_http(conn, port, tls=False, sni=None)
            elif first:
                self.server.recorder.record(TcpEvent(time.time(), port, conn.recv(MAX_STREAM)))
        except (OSError, ssl.SSLError) as exc:
            self.server.recorder.diagnose("tcp-error", port=port, error=str(exc)[:200])

    def handle_tls(self, conn, port):
        hello = conn.recv(16384, socket.MSG_PEEK)
        sni, alpn = parse_client_hello(hello)
        recorder = self.server.recorder
        try:
            tls = self.server.certificates.context(sni).wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            # The client refused our certificate (or spoke garbage): still evidence.
            recorder.record(TlsEvent(time.time(), port, sni, tuple(alpn), "failed",
                                     str(exc)[:200]))
            return
        recorder.record(TlsEvent(time.time(), port, sni, tuple(alpn), "ok"))
        tls.settimeout(IO_TIMEOUT)
        first = tls.recv(MAX_STREAM)
        if first.startswith(HTTP_METHODS):
            self.handle_http(tls, port, tls=True, sni=sni, first=first)
        elif first:
            recorder.record(TcpEvent(time.time(), port, first, sni))

    def handle_http(self, conn, port, tls, sni, first=None):
        pending = first if first is not None else b""
        for _ in range(20):  # keep-alive: a client may send several requests
            if not pending:
                pending = conn.recv(65536)
                if not pending:
                    return
            request = read_http_request(conn, pending)
            pending = b""
            if request is None:
                return
            method, path, headers, body, truncated = request
            host = next((v for k, v in headers if k.lower() == "host"), sni or "")
            self.server.recorder.record(HttpEvent(
                time.time(), port, tls, sni, method[:16], path[:4096], host[:255],
                tuple(headers), body, truncated))
            key = next((v for k, v in headers if k.lower() == "sec-websocket-key"), None)
            if key is not None and method == "GET":
                self.handle_websocket(conn, port, sni, key)
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: "
                         b"application/octet-stream\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(HTTP_BODY), HTTP_BODY))


    def handle_websocket(self, conn, port, sni, key):
        """Accept the upgrade and record what the client sends, unmasked, as a stream."""
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                     % websocket_accept(key))
        data = b""
        try:
            while len(data) < MAX_BODY:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass  # the client keeps the socket open and waits: what it sent is all there is
        if data:
            self.server.recorder.record(TcpEvent(time.time(), port,
                                                 websocket_payloads(data)[:MAX_BODY], sni))


def websocket_accept(key):
    # RFC 6455 fixes SHA-1 here: a handshake check, not a security use.
    digest = hashlib.sha1(key.encode("latin-1") + WEBSOCKET_GUID, usedforsecurity=False)
    return base64.b64encode(digest.digest())


def websocket_payloads(data):
    """The payloads of the client's frames, unmasked and joined (RFC 6455, section 5.2)."""
    out, at = [], 0
    while at + 2 <= len(data):
        opcode, masked, length = data[at] & 0x0F, data[at + 1] & 0x80, data[at + 1] & 0x7F
        at += 2
        if length in (126, 127):
            size = 2 if length == 126 else 8
            length, at = int.from_bytes(data[at:at + size], "big"), at + size
        mask = data[at:at + 4] if masked else b"\0\0\0\0"
        at += 4 if masked else 0
        payload = data[at:at + length]
        at += length
        if opcode == 8:  # close
            break
        out.append(bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return b"".join(out)


class DnsUdpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        reply = answer_dns(data, self.server.recorder, "udp")
        if reply:
            sock.sendto(reply, self.client_address)


class DnsTcpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        conn.settimeout(IO_TIMEOUT)
        try:
            size = int.from_bytes(conn.recv(2), "big")
            data = b""
            while len(data) < size:
                chunk = conn.recv(size - len(data))
                if not chunk:
                    return
                data += chunk
            reply = answer_dns(data, self.server.recorder, "tcp")
            if reply:
                conn.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError:
            return


def answer_dns(data, recorder, transport):
    """Record every question of a query and answer A questions with 127.0.0.1. Garbage
    (a header that claims questions it does not hold, fields scapy cannot rebuild) is
    recorded as malformed, with its bytes: never a handler that dies with the evidence."""
    lib = libraries()
    try:
        query = lib.DNS(data)
        questions = [q for q in (query.qd or []) if hasattr(q, "qname")]
    except Exception:  # scapy raises many kinds on garbage; garbage is expected here
        questions, query = [], None
    if not questions:
        recorder.diagnose("dns-malformed", transport=transport, bytes=b64(data[:512]))
        return None
    answers = None
    for question in questions:
        name = question.qname.decode("ascii", "replace")
        recorder.record(DnsEvent(time.time(), name[:1024], question.sprintf("%qtype%"),
                                 transport))
        if question.qtype == 1 and answers is None:  # A: here; AAAA and others: no data
            answers = lib.DNSRR(rrname=question.qname, type="A", ttl=300, rdata="127.0.0.1")
    try:
        reply = lib.DNS(id=query.id, qr=1, aa=1, rd=query.rd, ra=1, qd=questions, an=answers)
        return bytes(reply)
    except Exception:  # the questions are recorded; a reply scapy cannot build is none
        return None


def b64(data):
    return base64.b64encode(data).decode("ascii")


class ThreadingTcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ThreadingUdp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ca-cert", required=True)
    parser.add_argument("--ca-key", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()

    servers = [ThreadingUdp(("127.0.0.1", 53), DnsUdpHandler),
               ThreadingTcp(("127.0.0.1", 53), DnsTcpHandler)]
    for port in TCP_PORTS:
        # Every address of the sandbox's loopback-only machine: nothing else can reach it.
        servers.append(ThreadingTcp(("0.0.0.0", port), TcpHandler))  # noqa: S104
    # Bound; now drop root before reading anything a package could influence.
    user = pwd.getpwnam(args.user)
    workdir = os.path.dirname(args.log)
    certificates = Certificates(args.ca_cert, args.ca_key, workdir)
    os.setgroups([])
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    recorder = Recorder(args.log)
    for server in servers:
        server.recorder = recorder
        server.certificates = certificates
        threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    libraries()
    threading.Event().wait()


if __name__ == "__main__":
    main()
