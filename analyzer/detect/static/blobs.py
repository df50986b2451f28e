"""Content that hides something: encoded blobs (decoded and rescanned), random-looking
strings, packed lines, and code pushed off-screen with whitespace."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from analyzer.detect.static.binary import executable_format
from analyzer.detect.static.interface import (
    READ_ROLES,
    KindInfo,
    Reads,
    ScanContext,
    Scanner,
    text_check,
)
from analyzer.detect.static.literals import with_destinations
from analyzer.detect.static.text import (
    Lang,
    SourceFile,
    as_text,
    b64decode_loose,
    clip,
    code_language,
    display,
    entropy,
    inflate,
)
from analyzer.signals import BLOB_MIN_CHARS, FileRole, SignalKind, StaticSignal

Rescan = Callable[[SourceFile], Iterable[StaticSignal]]

_B64_RUN = re.compile(rf"(?<![\w+/=-])[A-Za-z0-9+/_-]{{{BLOB_MIN_CHARS},}}={{0,2}}")
_HEX_RUN = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){80,}(?![0-9A-Fa-f])")
_ESCAPED_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2}){50,}")
_RUNS = ((_HEX_RUN, "hex"), (_B64_RUN, "base64"), (_ESCAPED_RUN, "escaped"))
_BENIGN_CONTEXT = re.compile(r"(?i)data:[\w/+.-]+;base64,?$|sourceMappingURL=\S*$|sha\d+-$")
_MEDIA_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO",
    b"RIFF", b"%PDF", b"\x00\x00\x01\x00", b"<svg", b"<?xml", b"\x00asm",
)  # fmt: skip
_MAX_BLOBS = 20
# Longer runs are decoded only this far: enough to classify them and rescan the start.
_MAX_RUN = 1024 * 1024
_LONG_LINE = 1000
# Decoded text longer than this that is not code is a document, not a hidden address.
_MAX_DESTINATION_TEXT = 4096
# Code, then 100+ blanks, then more code on the same line.
_HIDING_BLANKS = re.compile(r"\S([ \t]{100,})(?=\S)")


def _decode(run: str, kind: str) -> tuple[bytes | None, str]:
    run = run[: _MAX_RUN - _MAX_RUN % 4]
    if kind == "hex":
        return bytes.fromhex(run), "hex"
    if kind == "escaped":
        return bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-fA-F]{2})", run)), "escaped bytes"
    data = b64decode_loose(run)
    if data is None or as_text(data) is None and entropy(data) < 7.0:
        reversed_data = b64decode_loose(run[::-1])
        if reversed_data is not None:
            return reversed_data, "reversed base64"
    return data, "base64"


def check_blobs(src: SourceFile, rescan: Rescan, depth: int = 2) -> Iterator[StaticSignal]:
    """Long base64/hex/escaped runs: what they decode to, and what that decoded text says."""
    runs: list[tuple[int, str, str]] = []
    for line_offset, line in src.long_lines:
        for pattern, kind in _RUNS:
            for m in pattern.finditer(line):
                run = m.group()
                if kind == "base64" and (not _plausible_base64(run) or _HEX_RUN.fullmatch(run)):
                    continue
                if _BENIGN_CONTEXT.search(line[max(0, m.start() - 60) : m.start()]):
                    continue
                runs.append((line_offset + m.start(), run, kind))
    for offset, run, kind in sorted(runs)[:_MAX_BLOBS]:
        if run.startswith("gAAAAA"):
            if src.role is not FileRole.TEST:
                detail = f"{len(run)}-char Fernet token (encrypted data, key usually nearby)"
                yield src.signal(SignalKind.ENCODED_BLOB, offset, detail)
            continue
        data, encoding = _decode(run, kind)
        yield from _classify(src, offset, len(run), data, encoding, rescan, depth)


def _plausible_base64(run: str) -> bool:
    run = run[:4096]
    digits = sum(ch.isdigit() for ch in run)
    upper = sum(ch.isupper() for ch in run)
    lower = sum(ch.islower() for ch in run)
    n = len(run)
    return digits >= n * 0.03 and upper >= n * 0.1 and lower >= n * 0.1


def _classify(
    src: SourceFile,
    offset: int,
    length: int,
    data: bytes | None,
    encoding: str,
    rescan: Rescan,
    depth: int,
) -> Iterator[StaticSignal]:
    where = f"{length}-char {encoding} string"
    if data is None:
        if src.role is not FileRole.TEST:
            yield src.signal(SignalKind.ENCODED_BLOB, offset, f"{where} that does not decode")
        return
    if data.startswith(_MEDIA_MAGIC):
        return  # images, fonts, documents: embedded assets
    inflated = inflate(data) if data[:1] in (b"\x78", b"\x1f") else None
    if inflated:
        data, where = inflated, f"{where}, zlib-compressed"
    fmt = executable_format(data)
    if fmt is not None:
        detail = f"{where} decodes to a {fmt} executable ({len(data)} bytes)"
        yield src.signal(SignalKind.ENCODED_PAYLOAD, offset, detail)
        return
    text = as_text(data)
    if text is None:
        if src.role is not FileRole.TEST:
            detail = f"{where} decodes to {len(data)} bytes of binary (entropy {entropy(data):.2f})"
            yield src.signal(SignalKind.ENCODED_BLOB, offset, detail)
        return
    language = code_language(text)
    if language is not None:
        detail = f"{where} decodes to {language} code: {display(clip(text, width=120))}"
        yield src.signal(SignalKind.ENCODED_PAYLOAD, offset, detail)
    elif src.role is not FileRole.TEST:
        detail = f"{where} decodes to text: {display(clip(text, width=120))}"
        yield src.signal(SignalKind.ENCODED_BLOB, offset, detail)
    inner_lang = Lang.PYTHON if language == "Python" else Lang.JS if language else Lang.OTHER
    if src.origin is None:
        origin = (src.line_of(offset), f"in the {encoding} string at line {src.line_of(offset)}")
    else:  # a blob inside a decoded blob: keep pointing at the outer one
        line, outer = src.origin
        origin = (line, f"in the {encoding} string {outer.replace('in the', 'inside the', 1)}")
    inner = src.decoded(inner_lang, text, origin)
    if language is not None or len(text) <= _MAX_DESTINATION_TEXT:
        yield from with_destinations(src, offset, where, rescan(inner))
    else:  # a long document: the links in it are not where the package connects
        yield from rescan(inner)
    if depth > 0:
        yield from check_blobs(inner, rescan, depth - 1)


_STRING = re.compile(r"""(['"])((?:[^'"\\\n]|\\.){100,2000})\1""")


def check_entropy(src: SourceFile) -> Iterator[StaticSignal]:
    """Long string literals that look random but are not plain base64/hex (those are blobs)."""
    if src.lang not in (Lang.PYTHON, Lang.JS) or src.role is FileRole.TEST:
        return
    literals = (
        (offset + m.start(), m.group(2))
        for offset, line in src.long_lines
        for m in _STRING.finditer(line)
    )
    for offset, body in literals:
        if _B64_RUN.search(body) or _HEX_RUN.search(body) or _ESCAPED_RUN.search(body):
            continue
        if "://" in body or sum(ch.isascii() for ch in body) < 0.9 * len(body):
            continue
        if body.count(" ") > len(body) / 20:
            continue
        value = entropy(body)
        if value >= 5.3:
            detail = f"{len(body)}-char string literal, entropy {value:.2f} bits/char"
            yield src.signal(SignalKind.HIGH_ENTROPY_STRING, offset, detail)
            return


def check_layout(src: SourceFile) -> Iterator[StaticSignal]:
    """Very long lines (minified or packed), and code hidden after a run of whitespace."""
    if src.lang is Lang.OTHER:
        return
    for offset, line in src.long_lines:
        m = _HIDING_BLANKS.search(line)
        if m and not line[m.end() :].startswith(("#", "//")):
            hidden = display(clip(line[m.end() : m.end() + 400], width=150))
            detail = f"code after {len(m.group(1))} blanks: {hidden}"
            yield src.signal(SignalKind.WHITESPACE_HIDDEN_CODE, offset + m.end(), detail)
            break
    if src.role is FileRole.TEST:
        return
    long_lines = [
        (offset, line)
        for offset, line in src.long_lines
        if len(line) > _LONG_LINE and not _mostly_blob(line)
    ]
    if long_lines:
        longest = max(len(line) for _, line in long_lines)
        detail = f"{len(long_lines)} line(s) over {_LONG_LINE} chars, longest {longest}"
        yield src.signal(SignalKind.MINIFIED_CODE, long_lines[0][0], detail)


def _mostly_blob(line: str) -> bool:
    longest = max((len(m.group()) for m in _B64_RUN.finditer(line)), default=0)
    longest = max([longest, *(len(m.group()) for m in _HEX_RUN.finditer(line))])
    return longest >= 0.8 * len(line.strip())


def _check_blobs(src: SourceFile, context: ScanContext) -> Iterator[StaticSignal]:
    return check_blobs(src, context.rescan)


# What a blob decodes to is rescanned as DECODED text; the destinations in it make
# the literal check's `encoded-destination`.
BLOBS = Scanner(
    name="blobs",
    check=_check_blobs,
    reads=frozenset({Reads.SOURCE}),
    kinds={
        SignalKind.ENCODED_BLOB: KindInfo("a long base64 or hex string in code", strong=False),
        SignalKind.ENCODED_PAYLOAD: KindInfo(
            "an encoded blob that decodes to program code or an executable",
            strong=True,
        ),
    },
    shares=frozenset({SignalKind.ENCODED_DESTINATION}),
)

ENTROPY = Scanner(
    name="entropy",
    check=text_check(check_entropy),
    reads=frozenset({Reads.SOURCE}),
    langs=frozenset({Lang.PYTHON, Lang.JS}),
    roles=READ_ROLES - {FileRole.TEST},
    kinds={
        SignalKind.HIGH_ENTROPY_STRING: KindInfo(
            "a long string literal that looks random",
            strong=False,
        ),
    },
)

LAYOUT = Scanner(
    name="layout",
    check=text_check(check_layout),
    reads=frozenset({Reads.SOURCE}),
    kinds={
        SignalKind.MINIFIED_CODE: KindInfo(
            "very long code lines (minified or packed)",
            strong=False,
        ),
        SignalKind.WHITESPACE_HIDDEN_CODE: KindInfo(
            "code pushed off-screen by a long run of whitespace",
            strong=True,
        ),
    },
)
