"""The DNS question decoder: real payloads from the logs, then broken and hostile ones."""

from __future__ import annotations

import struct

import pytest

from analyzer.trace.dns import TRUNCATED, decode_queries
from analyzer.trace.text import go_unquote

# The iovec of a sendmsg in phases.boot.txt, as gVisor printed it (Go-quoted).
PRINTED = (rb"\x124\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03msg\battacker\x04test"
           rb"\x00\x00\x01\x00\x01")


def query(*labels: bytes, qtype: int = 1, qclass: int = 1, flags: int = 0x0100) -> bytes:
    name = b"".join(bytes([len(label)]) + label for label in labels) + b"\0"
    header = struct.pack(">HHHHHH", 0xBEEF, flags, 1, 0, 0, 0)
    return header + name + struct.pack(">HH", qtype, qclass)


def test_a_printed_query_from_the_log() -> None:
    assert decode_queries(go_unquote(PRINTED)) == [("msg.attacker.test", "A")]
    assert decode_queries(go_unquote(PRINTED), strict=True) == [("msg.attacker.test", "A")]


@pytest.mark.parametrize(("qtype", "name"), [(28, "AAAA"), (16, "TXT"), (65, "HTTPS"),
                                              (4242, "TYPE4242")])
def test_query_types(qtype: int, name: str) -> None:
    assert decode_queries(query(b"x", b"test", qtype=qtype)) == [("x.test", name)]


def test_over_tcp_the_length_prefix_is_skipped() -> None:
    packet = query(b"tcp", b"test")
    assert decode_queries(struct.pack(">H", len(packet)) + packet, tcp=True) == [
        ("tcp.test", "A")]


def test_a_cut_query_keeps_its_name_unless_strict() -> None:
    packet = query(b"c2VjcmV0", b"exfil", b"attacker", b"test")
    assert decode_queries(packet[:-4]) == [("c2VjcmV0.exfil.attacker.test", TRUNCATED)]
    assert decode_queries(packet[:21]) == [("c2VjcmV0", TRUNCATED)]  # before the 2nd label
    assert decode_queries(packet[:20]) == [("c2VjcmV", TRUNCATED)]  # inside the 1st label
    assert decode_queries(packet[:-4], strict=True) == []
    assert decode_queries(packet[:12]) == []
    assert decode_queries(b"") == []


def test_answers_and_other_data_are_not_queries() -> None:
    assert decode_queries(query(b"a", b"test", flags=0x8180)) == []  # a response
    assert decode_queries(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == []
    assert decode_queries(query(b"a", b"test", qclass=77), strict=True) == []


def test_label_bytes_are_escaped_as_in_zone_files() -> None:
    assert decode_queries(query(b"a.b", b"sp ace", b"\xff")) == [("a\\.b.sp\\032ace.\\255", "A")]


def test_compression_pointers_are_followed_but_never_loop() -> None:
    header = struct.pack(">HHHHHH", 1, 0x0100, 1, 0, 0, 0)
    looping = header + b"\xc0\x0c" + b"\x00\x01\x00\x01"  # points at itself
    assert decode_queries(looping) == []
    pointing = header + b"\x03abc\xc0\x0c" + b"\x00\x01\x00\x01"  # back to "abc" forever
    names = decode_queries(pointing)
    assert names and names[0][0].startswith("abc.abc")
    assert len(names[0][0]) <= 8 * 4 + 3


def test_overlong_names_stop_at_255_bytes() -> None:
    packet = query(*[b"a" * 63] * 6)
    [(name, qtype)] = decode_queries(packet)
    assert qtype == TRUNCATED
    assert name == ".".join(["a" * 63] * 4)  # the label that crosses 255 bytes is kept
