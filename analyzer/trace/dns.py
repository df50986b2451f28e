"""Decoding the question section of a DNS query a process sent (stdlib only, never raises)."""

from __future__ import annotations

import struct

QTYPES = {
    1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT",
    28: "AAAA", 33: "SRV", 35: "NAPTR", 43: "DS", 48: "DNSKEY", 64: "SVCB", 65: "HTTPS",
    99: "SPF", 252: "AXFR", 255: "ANY", 257: "CAA",
}
# When the packet ends inside a question: the name so far is still evidence.
TRUNCATED = "UNKNOWN"
_CLASSES = frozenset({1, 3, 4, 254, 255})
_MAX_QUESTIONS = 16
_MAX_NAME = 255  # RFC 1035: a name on the wire is at most 255 octets
_HEADER = struct.Struct(">HHHHHH")


def qtype_name(value: int) -> str:
    return QTYPES.get(value, f"TYPE{value}")


def _label_text(label: bytes) -> str:
    # Master-file escaping (RFC 1035 5.1): a dot inside a label must not read as a separator.
    out = []
    for byte in label:
        if byte in (0x2E, 0x5C):
            out.append("\\" + chr(byte))
        elif 0x21 <= byte <= 0x7E:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return "".join(out)


def _read_name(packet: bytes, pos: int) -> tuple[list[str], int, bool]:
    """Labels from `pos`, the offset after the name, and whether the name ended cleanly."""
    labels: list[str] = []
    size = 0
    end = -1  # offset after the name in the question, once a pointer was followed
    jumps = 0
    while True:
        if pos >= len(packet):
            return labels, pos, False
        length = packet[pos]
        if length == 0:
            return labels, (end if end >= 0 else pos + 1), True
        if length & 0xC0 == 0xC0:
            # Compression pointers are odd in a query but legal; follow a few, never loop.
            if pos + 1 >= len(packet) or jumps >= 8:
                return labels, pos, False
            if end < 0:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | packet[pos + 1]
            jumps += 1
            continue
        if length & 0xC0:
            return labels, pos, False
        size += length + 1
        label = packet[pos + 1 : pos + 1 + length]
        if len(label) < length or size > _MAX_NAME:
            if label:
                labels.append(_label_text(label))
            return labels, pos, False
        labels.append(_label_text(label))
        pos += 1 + length


def decode_queries(payload: bytes, *, tcp: bool = False,
                   strict: bool = False) -> list[tuple[str, str]]:
    """(name, qtype) for each question in a DNS query; [] when it is not one.

    `tcp`: the payload starts with DNS-over-TCP's two-byte length. `strict`: the
    destination is unknown, so accept only a complete, plausible query (a truncated
    buffer or an odd class means "not DNS" rather than "DNS, cut short").
    """
    if tcp:
        payload = payload[2:]
    if len(payload) < _HEADER.size:
        return []
    _ident, flags, qdcount, _an, _ns, _ar = _HEADER.unpack_from(payload)
    if flags & 0x8000 or (flags >> 11) & 0xF not in (0, 2) or not 0 < qdcount <= _MAX_QUESTIONS:
        return []
    questions: list[tuple[str, str]] = []
    pos = _HEADER.size
    for _ in range(qdcount):
        labels, pos, complete = _read_name(payload, pos)
        if not complete or pos + 4 > len(payload):
            if not strict and labels:
                questions.append((".".join(labels), TRUNCATED))
            return [] if strict else questions
        qtype, qclass = struct.unpack_from(">HH", payload, pos)
        pos += 4
        if strict and (qclass not in _CLASSES or not labels):
            return []
        questions.append((".".join(labels), qtype_name(qtype)))
    return questions
