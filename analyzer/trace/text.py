"""Turning the strings gVisor prints (raw paths, Go-quoted buffers and argv) into capped text."""

from __future__ import annotations

import re

# Paths, argv items and DNS names are attacker-controlled: a package can exec with a
# 2 MB argument or create 4 KB paths. Keep enough to read, never enough to bloat a
# result: one item is cut at MAX_TEXT characters, argv at MAX_ARGV items.
MAX_TEXT = 4096
MAX_ARGV = 256
CUT_MARK = "...[cut]"

_SIMPLE_ESCAPES = {
    b"a": b"\a", b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t",
    b"v": b"\v", b"\\": b"\\", b'"': b'"', b"'": b"'",
}
# Go's %q (strconv.Quote) writes \a\b\f\n\r\t\v\\\", \xNN for bytes that are not
# valid UTF-8 or are control characters, \uNNNN/\UNNNNNNNN for unprintable runes, and
# printable UTF-8 as is.
_ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPE_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
# One Go-quoted string; possessive so a hostile string cannot make the match backtrack.
QUOTED = rb'"((?:[^"\\]++|\\.)*+)"'
# ["cat", "/etc/hostname"] as printed for execve's argv: one item and what follows it.
_VECTOR_ITEM = re.compile(QUOTED + rb"(, |\])", re.S)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if len(code) == 1:
        return _SIMPLE_ESCAPES.get(code, code)
    value = int(code[1:], 16)
    if code[:1] == b"x":
        return bytes((value,))
    try:
        return chr(value).encode("utf-8", "surrogatepass")
    except (ValueError, OverflowError):
        return b"?"


def go_unquote(body: bytes) -> bytes:
    """The bytes behind the inside of a Go-quoted string (quotes already stripped)."""
    if b"\\" not in body:
        return body
    return _ESCAPE.sub(_unescape, body)


def to_text(raw: bytes, limit: int = MAX_TEXT) -> str:
    """Bytes as text a reviewer can read: invalid UTF-8 and control characters become
    \\xNN (an escape sequence in a file name must not drive a reviewer's terminal;
    newlines and tabs stay, argv often holds a script), long text is cut."""
    # A character is at most 4 bytes: decode no more than can be kept.
    text = raw[: limit * 4].decode("utf-8", "backslashreplace")
    if _CONTROL.search(text) is not None:
        text = text.translate(_ESCAPE_CONTROL)
    if len(text) > limit:
        return text[:limit] + CUT_MARK
    return text


def parse_vector(data: bytes, pos: int) -> tuple[tuple[str, ...], int] | None:
    """The argv printed at `pos` (just after its `[`): the items and the end offset.

    None when the vector is not well formed (gVisor prints `{error copying vector...}`
    when it cannot read it).
    """
    items: list[str] = []
    if data.startswith(b"]", pos):
        return (), pos + 1
    dropped = 0
    while True:
        match = _VECTOR_ITEM.match(data, pos)
        if match is None:
            return None
        if len(items) < MAX_ARGV:
            items.append(to_text(go_unquote(match.group(1))))
        else:
            dropped += 1
        pos = match.end()
        if match.group(2) == b"]":
            break
    if dropped:
        items.append(f"{CUT_MARK} {dropped} more arguments")
    return tuple(items), pos


def quoted_strings(data: bytes) -> list[bytes]:
    """Every Go-quoted string in `data`, decoded, in order."""
    return [go_unquote(m.group(1)) for m in re.finditer(QUOTED, data, re.S)]
