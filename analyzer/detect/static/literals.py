"""Short encoded string literals: decoded (base64, hex, reversed, zlib; layer on layer), and
what they hide reported. Long runs are the blob check's (blobs.py); these are the
strings too short to be blobs, where a drop box's address usually hides:
`base64.b64decode("aHR0cDovLzE5OC41MS4xMDAuNzo1MDAwL3Bvc3Q=")`.

A decoded destination (a webhook, a bot API, a paste site, an out-of-band host, a raw-IP
URL) is an `encoded-destination`: honest code has no reason to hide where it connects.
Decoded text is rescanned like source, so a decoded command line or snippet of code
raises what it would raise in plain sight.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterable, Iterator

from analyzer.detect.static.dropper import own_url
from analyzer.detect.static.interface import KindInfo, Reads, ScanContext, Scanner
from analyzer.detect.static.network import REQUEST_CALL
from analyzer.detect.static.text import (
    Lang,
    SourceFile,
    as_text,
    b64decode_loose,
    clip,
    code_language,
    display,
    inflate,
)
from analyzer.signals import BLOB_MIN_CHARS, FileRole, SignalKind, StaticSignal

Rescan = Callable[[SourceFile], Iterable[StaticSignal]]

# Destinations found in decoded text that make it an encoded destination.
DESTINATIONS = frozenset(
    {SignalKind.EXFIL_WEBHOOK, SignalKind.PASTE_SITE, SignalKind.OAST_HOST,
     SignalKind.TUNNEL_HOST, SignalKind.RAW_IP_URL}
)  # fmt: skip
# A quoted run of the base64 (standard or URL-safe) or hex alphabet, shorter than a blob.
# (It opens with the quote so that the regex engine can skip ahead to quotes.)
_LITERAL = re.compile(
    rf"""(['"`])(={{0,2}}[A-Za-z0-9+/_-]{{12,{BLOB_MIN_CHARS - 1}}}={{0,2}})\1"""
)
_PREFIXED = re.compile(r"(?:^|[^\w\\])[bBuU]?$")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){6,}")
_B64ISH = re.compile(r"={0,2}[A-Za-z0-9+/_-]{8,}={0,2}")
_DIGIT = re.compile(r"\d")
_MAX_LITERALS = 400
_URL = re.compile(r"https?://[\w.-]+(?::\d+)?(?:/\S*)?")
_MAX_LAYERS = 4


def decode_layers(literal: str) -> tuple[str, str] | None:
    """(text, how) when `literal` decodes to printable text through one or more layers of
    hex, base64 (plain or reversed) and zlib/gzip; None when it is not encoded text."""
    layers: list[str] = []
    current = literal
    for _ in range(_MAX_LAYERS):
        step = _decode_once(current)
        if step is None:
            break
        text, how = step
        layers.append(how)
        current = text.strip()
        if not (_B64ISH.fullmatch(current) or _HEX.fullmatch(current)):
            return text, " + ".join(layers)
    if layers:
        return current, " + ".join(layers)
    return None


def _decode_once(value: str) -> tuple[str, str] | None:
    candidates: list[tuple[bytes | None, str]] = []
    if _HEX.fullmatch(value):  # pairs of hex digits: always decodes
        candidates.append((binascii.unhexlify(value), "hex"))
    if _B64ISH.fullmatch(value) and _mixed(value):
        if not value.startswith("="):
            candidates.append((b64decode_loose(value), "base64"))
        if not value.endswith("="):
            candidates.append((b64decode_loose(value[::-1]), "reversed base64"))
    for data, how in candidates:
        if not data:
            continue
        if data[:1] in (b"\x78", b"\x1f"):
            inflated = inflate(data)
            if inflated:
                data, how = inflated, f"{how} + zlib"
        text = as_text(data)
        if text is not None and len(text.strip()) >= 4 and _wordy(text):
            return text, how
    return None


def _mixed(value: str) -> bool:
    """Base64 of text mixes cases and usually digits; identifiers rarely decode as text."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def _wordy(text: str) -> bool:
    """Text a person or program wrote: mostly letters, digits, spaces and punctuation
    used in URLs and code, with no control characters but line breaks and tabs."""
    sample = text[:400]
    ordinary = sum(ch.isalnum() or ch in " ./:-_?=&%@'\"(){}[];,+*#!$<>|\\\n\t~^" for ch in sample)
    return ordinary >= 0.9 * len(sample) and any(ch.isalpha() for ch in sample)


def check_literals(src: SourceFile, rescan: Rescan) -> Iterator[StaticSignal]:
    """Short encoded literals in code: their decoded destinations and what their decoded
    text says when scanned as source."""
    if src.role not in (FileRole.CODE, FileRole.INSTALL) or src.lang is Lang.OTHER:
        return
    seen: set[str] = set()
    for count, m in enumerate(_LITERAL.finditer(src.text)):
        if count >= _MAX_LITERALS:
            break
        literal = m.group(2)
        # Encoded text nearly always shows a digit; words and identifiers rarely do.
        if literal in seen or not _DIGIT.search(literal):
            continue
        if not _PREFIXED.search(src.text, max(0, m.start() - 2), m.start()):
            continue  # the end of one string and the start of another: 'a'+'b'
        if src.is_comment(m.start()):
            continue
        seen.add(literal)
        decoded = decode_layers(literal)
        if decoded is None:
            continue
        text, how = decoded
        where = f"{len(literal)}-char {how} string"
        hidden = _hidden_request_url(src, m.start(2), text)
        if hidden is not None:
            detail = f"{where} decodes to the address a request on its line goes to: {hidden}"
            yield src.signal(SignalKind.ENCODED_DESTINATION, m.start(2), detail)
        yield from reveal(src, m.start(2), text, where, rescan)


def _hidden_request_url(src: SourceFile, offset: int, text: str) -> str | None:
    """The URL `text` is when it is the address of a request made on the same line: an
    endpoint nobody is meant to read, which no honest client hides (its own hosts aside)."""
    url = text.strip()
    if not _URL.fullmatch(url) or not REQUEST_CALL.search(src.line_text(src.line_of(offset))):
        return None
    return None if own_url(src, url) else display(clip(url, width=120))


def reveal(
    src: SourceFile, offset: int, text: str, where: str, rescan: Rescan
) -> Iterator[StaticSignal]:
    """What decoded `text` says, rescanned as source, and an `encoded-destination` for
    each place it names that data is sent to or fetched from."""
    line = src.line_of(offset)
    if src.origin is None:
        origin = (line, f"in the {where} at line {line}")
    else:
        outer_line, outer = src.origin
        origin = (outer_line, f"in the {where} {outer.replace('in the', 'inside the', 1)}")
    language = code_language(text)
    lang = {"Python": Lang.PYTHON, "JavaScript": Lang.JS, "PowerShell": Lang.POWERSHELL,
            "shell": Lang.SHELL}.get(language or "", Lang.OTHER)  # fmt: skip
    inner = src.decoded(lang, text, origin)
    yield from with_destinations(src, offset, where, rescan(inner))
    if language in ("Python", "JavaScript", "PowerShell") and len(text) >= 16:
        detail = f"{where} decodes to {language} code: {display(clip(text, width=120))}"
        yield src.signal(SignalKind.ENCODED_PAYLOAD, offset, detail)


def with_destinations(
    src: SourceFile, offset: int, where: str, signals: Iterable[StaticSignal]
) -> Iterator[StaticSignal]:
    """`signals` found in text decoded at `offset`, each destination among them followed
    by the `encoded-destination` it makes."""
    for signal in signals:
        yield signal
        if signal.kind in DESTINATIONS:
            found = signal.detail.split(" (in the ", 1)[0]
            detail = f"{where} decodes to a {_NAMES[signal.kind]}: {found}"
            yield src.signal(SignalKind.ENCODED_DESTINATION, offset, detail)


_NAMES = {
    SignalKind.EXFIL_WEBHOOK: "webhook or bot API",
    SignalKind.PASTE_SITE: "paste site or file drop",
    SignalKind.OAST_HOST: "out-of-band testing host",
    SignalKind.TUNNEL_HOST: "tunnel host",
    SignalKind.RAW_IP_URL: "raw-IP URL",
}


def _check_literals(src: SourceFile, context: ScanContext) -> Iterator[StaticSignal]:
    return check_literals(src, context.rescan)


# Decoded text is rescanned as DECODED, and its own literals with it: each layer is
# shorter than the one it came from, so this ends.
LITERALS = Scanner(
    name="literals",
    check=_check_literals,
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    roles=frozenset({FileRole.CODE, FileRole.INSTALL}),
    kinds={
        SignalKind.ENCODED_DESTINATION: KindInfo(
            "a string that decodes (base64, hex, zlib...) to a webhook, bot API, paste site, out-"
            "of-band host or raw-IP URL",
            strong=True,
        ),
    },
    shares=frozenset({SignalKind.ENCODED_PAYLOAD}),
)
