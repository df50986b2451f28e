"""The simulator's HTTP reader keeps every request, whatever headers the client sends."""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path
from types import ModuleType

import pytest

NETSIM = Path(__file__).resolve().parents[2] / "sandbox_images" / "driver" / "netsim.py"


@pytest.fixture(scope="module")
def netsim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("netsim", NETSIM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(netsim: ModuleType, raw: bytes) -> tuple[str, str, list[tuple[str, str]], bytes, bool]:
    client, server = socket.socketpair()

    def send() -> None:  # from a thread: a large body fills the socket buffer
        client.sendall(raw)
        client.shutdown(socket.SHUT_WR)

    with client, server:
        sender = threading.Thread(target=send)
        sender.start()
        server.settimeout(2)
        request = netsim.read_http_request(server, b"")
        sender.join()
    assert request is not None
    return request  # type: ignore[no-any-return]


@pytest.mark.parametrize("length", ["abc", "\u00b2", "-5", "1e3", ""])
def test_a_bad_content_length_still_gives_the_request(netsim: ModuleType, length: str) -> None:
    raw = (b"POST /up HTTP/1.1\r\nHost: evil.example\r\nContent-Length: "
           + length.encode("latin-1") + b"\r\n\r\nsecret")
    method, path, headers, body, truncated = read(netsim, raw)
    assert (method, path) == ("POST", "/up")
    assert ("Host", "evil.example") in headers
    assert not truncated


def test_declared_length_and_chunked_bodies(netsim: ModuleType) -> None:
    _, _, _, body, _ = read(netsim, b"POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nsecret")
    assert body == b"secret"
    chunked = (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nsec\r\n3\r\nret\r\n0\r\n\r\n")
    assert read(netsim, chunked)[3] == b"secret"


def test_an_oversized_body_is_cut_and_marked(netsim: ModuleType) -> None:
    size = netsim.MAX_BODY + 10
    raw = b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size
    _, _, _, body, truncated = read(netsim, raw)
    assert len(body) == netsim.MAX_BODY and truncated


def test_websocket_upgrade_is_accepted_and_frames_are_unmasked(netsim: ModuleType) -> None:
    # RFC 6455's own example key and answer.
    assert netsim.websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    mask = b"\x37\xfa\x21\x3d"
    secret = b'{"token":"npm_' + b"A" * 200 + b'"}'
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(secret))
    frames = (b"\x81\xfe" + len(secret).to_bytes(2, "big") + mask + masked  # 16-bit length
              + b"\x81\x85" + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(b"Hello"))
              + b"\x88\x80" + mask + b"\x81\x03abc")  # close, then nothing more counts
    assert netsim.websocket_payloads(frames) == secret + b"Hello"
    assert netsim.websocket_payloads(b"\x81") == b""  # a cut frame is no crash
