"""Go-quoted strings, argv vectors and the caps on attacker-controlled text."""

from __future__ import annotations

from analyzer.trace.text import (
    CUT_MARK,
    MAX_ARGV,
    MAX_TEXT,
    go_unquote,
    parse_vector,
    quoted_strings,
    to_text,
)


def test_go_escapes() -> None:
    assert go_unquote(rb"a\nb\t\"q\"\\ \x00\xff \u00e9 \U0001f600") == (
        b'a\nb\t"q"\\ \x00\xff ' + "é".encode() + b" " + "😀".encode())
    assert go_unquote(b"plain") == b"plain"


def test_vector_with_quotes_brackets_and_escapes() -> None:
    printed = rb'["sh", "-c", "echo \"], [x\"\n", "caf\xc3\xa9"], 0x7f ["ENV=1"]'
    vector = parse_vector(printed, 1)
    assert vector is not None
    items, end = vector
    assert items == ("sh", "-c", 'echo "], [x"\n', "café")
    assert printed[end:].startswith(b", 0x7f")
    assert parse_vector(b"]", 0) == ((), 1)
    assert parse_vector(b'"unterminated', 0) is None


def test_vector_item_count_is_capped() -> None:
    printed = b"[" + b", ".join(b'"a"' for _ in range(MAX_ARGV + 10)) + b"]"
    vector = parse_vector(printed, 1)
    assert vector is not None
    assert len(vector[0]) == MAX_ARGV + 1
    assert vector[0][-1] == f"{CUT_MARK} 10 more arguments"


def test_text_is_capped_and_terminal_safe() -> None:
    assert to_text(b"x" * (MAX_TEXT + 1)) == "x" * MAX_TEXT + CUT_MARK
    assert to_text("é".encode() * MAX_TEXT) == "é" * MAX_TEXT
    assert to_text(b"\x1b[2J\r\x9b keep\nnew\ttab") == "\\x1b[2J\\x0d\\x9b keep\nnew\ttab"
    assert to_text(b"bad-\xff\xfe") == "bad-\\xff\\xfe"


def test_quoted_strings_in_order() -> None:
    printed = rb'{base=0x1, len=2, "\x12"}, {base=0x2, len=3, "a\"b"...}, control={0x0 }'
    assert quoted_strings(printed) == [b"\x12", b'a"b']
