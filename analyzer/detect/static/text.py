"""One scanned text file with line lookup and safe excerpts, plus small decoding helpers."""

from __future__ import annotations

import base64
import binascii
import bisect
import enum
import functools
import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace

from analyzer.signals import (
    EXCERPT_CHARS,
    FileRole,
    PackageIdentity,
    SignalKind,
    StaticSignal,
)

MAX_DECODED_BYTES = 1024 * 1024


class Lang(enum.Enum):
    PYTHON = "python"
    JS = "js"
    SHELL = "shell"
    POWERSHELL = "powershell"
    BATCH = "batch"
    OTHER = "other"  # config, JSON, requirement files, unknown text


_EXT_LANG = {
    ".py": Lang.PYTHON, ".pyw": Lang.PYTHON, ".pth": Lang.PYTHON, ".pyx": Lang.PYTHON,
    ".js": Lang.JS, ".mjs": Lang.JS, ".cjs": Lang.JS, ".jsx": Lang.JS,
    ".ts": Lang.JS, ".tsx": Lang.JS, ".mts": Lang.JS, ".cts": Lang.JS,
    ".sh": Lang.SHELL, ".bash": Lang.SHELL, ".zsh": Lang.SHELL, ".command": Lang.SHELL,
    ".ps1": Lang.POWERSHELL, ".psm1": Lang.POWERSHELL,
    ".bat": Lang.BATCH, ".cmd": Lang.BATCH, ".vbs": Lang.BATCH,
}  # fmt: skip


def language_of(path: str, head: str) -> Lang:
    dot = path.rfind(".")
    lang = _EXT_LANG.get(path[dot:].lower()) if dot > path.rfind("/") else None
    if lang is not None:
        return lang
    if head.startswith("#!"):
        first = head.split("\n", 1)[0]
        if "python" in first:
            return Lang.PYTHON
        if "node" in first:
            return Lang.JS
        return Lang.SHELL
    return Lang.OTHER


_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_WS_RUN = re.compile(r"[ \t]{12,}")
_PY_DEF = re.compile(r"(?m)^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\([^\n]*")
_JS_FUNCTION = re.compile(r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(")
_FUNCTION_CHARS = 3000
_ASSIGN = re.compile(
    r"(?:^|[;\n{])[ \t]*(?:const\s+|let\s+|var\s+)?([A-Za-z_$][\w$]*)[ \t]*=(?!=)([^;\n]{0,2000})"
)


def display(text: str) -> str:
    """Package text made safe for a terminal or a report: no control, bidi or
    zero-width characters, and long whitespace runs shown as a count."""
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    text = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _WS_RUN.sub(lambda m: f" [{len(m.group())} spaces] ", text)


def clip(text: str, col: int = 0, width: int = EXCERPT_CHARS) -> str:
    """`width` characters of `text` around `col`, with ellipses where it was cut."""
    text = text.strip() if col == 0 else text
    if len(text) <= width:
        return text.strip()
    start = max(0, min(col - width // 3, len(text) - width))
    end = start + width
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def entropy(text: str | bytes) -> float:
    """Shannon entropy in bits per symbol."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def balanced(text: str, open_index: int, limit: int = 4000, strings: bool = False) -> str:
    """The text inside the brackets that open at `open_index`. With `strings`, brackets
    inside quoted strings ('', "", ``, and Python's triple quotes) do not count."""
    depth = 0
    end = min(len(text), open_index + limit)
    i = open_index
    while i < end:
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : i]
        elif strings and ch in "'\"`":
            i = _string_end(text, i, end)
            continue
        i += 1
    return text[open_index + 1 : end]


def first_argument(arguments: str) -> str:
    """The first of comma-separated call arguments (brackets and strings respected)."""
    depth, i = 0, 0
    while i < len(arguments):
        ch = arguments[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "'\"`":
            i = _string_end(arguments, i, len(arguments))
            continue
        elif ch == "," and depth == 0:
            return arguments[:i]
        i += 1
    return arguments


def _string_end(text: str, start: int, end: int) -> int:
    """The index just past the string literal that opens at `start` (or `end`)."""
    quote = text[start : start + 3]
    if quote in ("'''", '"""'):
        close = text.find(quote, start + 3, end)
        return end if close == -1 else close + 3
    i = start + 1
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == text[start]:
            return i + 1
        if ch == "\n" and text[start] != "`":
            return i + 1  # an unterminated quote: an apostrophe in a comment, say
        i += 1
    return end


_LITERAL = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.S
)


def without_strings(code: str) -> str:
    """`code` with the contents of its string literals blanked (quotes kept): what is left
    is the code that would run, not the text it handles."""
    return _LITERAL.sub(lambda m: m.group()[0] * 2, code)


@dataclass
class SourceFile:
    """A text file being scanned. `origin` marks text decoded out of a blob: its signals
    point at the blob's line and say what was decoded. `package` is what the package's
    metadata says about itself."""

    path: str
    role: FileRole
    lang: Lang
    text: str
    origin: tuple[int, str] | None = None
    package: PackageIdentity = field(default_factory=PackageIdentity)

    def decoded(self, lang: Lang, text: str, origin: tuple[int, str]) -> SourceFile:
        """Text decoded out of this file, scanned as a file of its own that reports here."""
        return replace(self, lang=lang, text=text, origin=origin)

    @functools.cached_property
    def lower(self) -> str:
        """The text in lower case, for the cheap literal pre-checks of `Clue`."""
        return self.text.lower()

    @functools.cached_property
    def _starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    @functools.cached_property
    def long_lines(self) -> list[tuple[int, str]]:
        """(offset, text) of lines of 100 characters or more: blobs, long strings, packed
        code and whitespace tricks all live in these, so those checks read only them."""
        return [(m.start(), m.group()) for m in re.finditer(r"(?m)^[^\n]{100,}", self.text)]

    @functools.cached_property
    def assignments(self) -> dict[str, list[str]]:
        """name -> the right-hand sides of `name = ...` (and JS const/let/var) in the text."""
        found: dict[str, list[str]] = {}
        for m in _ASSIGN.finditer(self.text):
            found.setdefault(m.group(1), []).append(m.group(2))
        return found

    @functools.cached_property
    def functions(self) -> dict[str, str]:
        """name -> the start of the body of `def name(` (Python) or `function name(` (JS):
        what a call of a small helper such as `d(x)` hands back."""
        found: dict[str, str] = {}
        if self.lang is Lang.PYTHON and "def " in self.text:
            for m in _PY_DEF.finditer(self.text):
                indent = len(m.group(1).expandtabs())
                body = []
                for line in self.text[m.end() : m.end() + _FUNCTION_CHARS].split("\n")[1:]:
                    stripped = line.strip()
                    if stripped and len(line) - len(line.lstrip()) <= indent:
                        break
                    body.append(line)
                found.setdefault(m.group(2), "\n".join(body))
        elif self.lang is Lang.JS and "function" in self.text:
            for m in _JS_FUNCTION.finditer(self.text):
                brace = self.text.find("{", m.end(), m.end() + 300)
                if brace != -1:
                    found.setdefault(m.group(1), balanced(self.text, brace, _FUNCTION_CHARS))
        return found

    def has(self, *hints: str) -> bool:
        """True when any of the lower-case literals occurs in the text."""
        return any(h in self.lower for h in hints)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def offset_of(self, line: int, col: int = 0) -> int:
        return self._starts[min(max(line, 1), len(self._starts)) - 1] + col

    def line_text(self, line: int) -> str:
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end]

    def lines(self) -> list[tuple[int, str]]:
        """(offset, text) of every line."""
        return [(start, self.line_text(i)) for i, start in enumerate(self._starts, 1)]

    @functools.cached_property
    def _prose(self) -> list[tuple[int, int]]:
        """Spans of Python triple-quoted strings that stand alone as a statement: docstrings
        and prose, never assigned or passed to anything."""
        if self.lang is not Lang.PYTHON or ('"""' not in self.text and "'''" not in self.text):
            return []
        return [(m.start(), m.end()) for m in _STANDALONE_TRIPLE_QUOTED.finditer(self.text)]

    def is_comment(self, offset: int) -> bool:
        """True when `offset` sits on a line that is only a comment, or in a docstring."""
        start = self.offset_of(self.line_of(offset))
        stripped = self.text[start : start + 200].lstrip(" \t")  # bounded: lines can be huge
        if any(begin <= offset < end for begin, end in self._prose):
            return True
        if self.lang in (Lang.PYTHON, Lang.SHELL, Lang.POWERSHELL):
            return stripped.startswith("#")
        if self.lang is Lang.JS:
            return stripped.startswith(("//", "/*", "* ", "*\n")) or stripped == "*"
        if self.lang is Lang.BATCH:
            return stripped.lower().startswith(("rem ", "::"))
        return False

    def signal(self, kind: SignalKind, offset: int, detail: str) -> StaticSignal:
        line = self.line_of(offset)
        col = offset - self.offset_of(line)
        excerpt = display(clip(self.line_text(line), col))
        if len(excerpt) > EXCERPT_CHARS + 2:  # escapes made it longer
            excerpt = excerpt[:EXCERPT_CHARS] + "…"
        if self.origin is None:
            return StaticSignal(kind, self.path, line, excerpt, detail, self.role)
        blob_line, what = self.origin
        return StaticSignal(
            kind, self.path, blob_line, "[decoded] " + excerpt, f"{detail} ({what})", self.role
        )

    def file_signal(self, kind: SignalKind, detail: str) -> StaticSignal:
        return StaticSignal(kind, self.path, None, "", detail, self.role)


# A triple-quoted string first on its line (a statement of its own: a docstring). A
# backslash escapes the next character, a line end too (a shell example's `\`).
_STANDALONE_TRIPLE_QUOTED = re.compile(
    r'(?m)^[ \t]*[rRuU]?(?:"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*''')"
)


@dataclass(frozen=True)
class Clue:
    """What a scanner looks for in a file (a `Rule` is a YAML rule): a pattern, what it
    means, and lower-case literals one of which must be in the text for the pattern to
    be worth running (regexes are the slow part of a scan)."""

    hints: tuple[str, ...]
    pattern: re.Pattern[str]
    what: str

    def search(self, src: SourceFile) -> re.Match[str] | None:
        return self.pattern.search(src.text) if src.has(*self.hints) else None


def clue(hints: str, pattern: str, what: str) -> Clue:
    """A `Clue` from '|'-separated hints and a pattern string."""
    return Clue(tuple(hints.split("|")), re.compile(pattern), what)


def b64decode_loose(text: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None when it is not base64."""
    compact = re.sub(r"\s+", "", text)
    compact += "=" * (-len(compact) % 4)
    altchars = b"-_" if ("-" in compact or "_" in compact) else None
    try:
        return base64.b64decode(compact, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None


def inflate(data: bytes) -> bytes | None:
    """zlib, gzip or raw deflate, at most MAX_DECODED_BYTES of output (bomb-safe)."""
    for wbits in (15, 31, -15):
        decoder = zlib.decompressobj(wbits)
        try:
            out = decoder.decompress(data, MAX_DECODED_BYTES)
        except zlib.error:
            continue
        if out:
            return out
    return None


def as_text(data: bytes) -> str | None:
    """`data` as text when it is mostly printable UTF-8 (or UTF-16LE, as PowerShell uses)."""
    candidates = []
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        candidates.append(data.decode("utf-16-le", "replace"))
    candidates.append(data.decode("utf-8", "replace"))
    for text in candidates:
        sample = text[:65536]
        if not sample:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
        if printable / len(sample) >= 0.95 and sample.count("\ufffd") <= len(sample) // 100:
            return text
    return None


_CODE_HINTS = (
    (re.compile(r"(?m)^\s*(?:import \w|from [\w.]+ import )|\bexec\(|\bdef \w+\("), "Python"),
    (re.compile(r"\brequire\(['\"]|\bfunction\s*\w*\(|=>\s*\{|\bprocess\.env\b"), "JavaScript"),
    (re.compile(r"(?i)\b(?:invoke-\w+|iex\b|new-object\b|\$env:|start-process)"), "PowerShell"),
    (re.compile(r"(?m)^#!/|\b(?:curl|wget|chmod|bash|/bin/sh)\b"), "shell"),
)


def code_language(text: str) -> str | None:
    """Which language decoded text is written in, when it looks like code."""
    for pattern, name in _CODE_HINTS:
        if pattern.search(text):
            return name
    return None
