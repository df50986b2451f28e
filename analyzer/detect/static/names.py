"""Names of dangerous functions and modules assembled from pieces, then looked up.

`getattr(builtins, ''.join(map(chr, (101, 120, 101, 99))))` is `exec` that a reader
(or a pattern) looking for `exec` does not see. A lookup's key (getattr's second
argument, a subscript of globals() or window, __import__'s or require's argument) is
evaluated when it is a constant expression built from pieces: chr() codes,
String.fromCharCode, reversed, joined, concatenated or base64/hex-decoded literals.
Plain literals are not reported: only the assembling hides anything.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.detect.static.names_python import python_constant
from analyzer.detect.static.text import Lang, SourceFile, balanced

_PY_NAMES = frozenset(
    {"exec", "eval", "compile", "execfile", "__import__", "system", "popen", "Popen",
     "check_output", "check_call", "getoutput", "getstatusoutput", "startfile", "execv",
     "execve", "execvp", "execl", "execlp", "spawnv", "spawnl", "import_module", "loads",
     "os", "subprocess", "builtins", "__builtin__", "__builtins__", "pty", "socket", "ctypes",
     "marshal", "base64", "zlib", "urllib", "urllib.request", "requests", "shutil"}
)  # fmt: skip
_JS_NAMES = frozenset(
    {"eval", "Function", "exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync",
     "fork", "require", "child_process", "vm", "net", "runInThisContext", "runInNewContext",
     "constructor", "mainModule", "binding"}
)  # fmt: skip
# Where a Python name is looked up: (pattern ending at the key's opening bracket, which
# argument of it is the key).
# (a literal the text must hold, a pattern that opens with it, which argument is the key)
_Lookups = tuple[tuple[str, re.Pattern[str], int], ...]
_PY_LOOKUPS: _Lookups = (
    ("getattr(", re.compile(r"getattr\((?<![\w.]getattr\()"), 1),
    ("__import__(", re.compile(r"__import__\("), 0),
    ("import_module(", re.compile(r"import_module\("), 0),
    ("globals()", re.compile(r"globals\(\)\s*\["), 0),
    ("locals()", re.compile(r"locals\(\)\s*\["), 0),
    ("vars(", re.compile(r"vars\(\s*\w*\s*\)\s*\["), 0),
    ("__builtins__", re.compile(r"__builtins__(?:['\"]\s*\]|\.__dict__)?\s*\["), 0),
    ("__dict__", re.compile(r"__dict__\s*\["), 0),
    ("sys.modules", re.compile(r"sys\.modules\s*\["), 0),
)
# Only subscripts whose key opens like an assembled string: every subscript of a large
# bundle would cost too much to look at.
_JS_KEY = (
    r"""\s*\(?\s*(?:String\.fromCharCode|atob\(|Buffer\.from\(|\[\s*['"`]"""
    r"""|['"`][^'"`\n]{0,60}['"`]\s*(?:\+|\.split))"""
)
_JS_KEY_START = re.compile(_JS_KEY)
_JS_LOOKUPS: _Lookups = (
    ("[", re.compile(rf"\[(?<=[\w$)\]]\[)(?={_JS_KEY})"), 0),
    ("require(", re.compile(rf"require\((?<![\w$.]require\()(?={_JS_KEY})"), 0),
)
_MAX_LOOKUPS = 2000
# What an assembled key is made of: without any of these there is nothing to evaluate.
_PIECES = re.compile(r"""['"`]|\bchr\b|fromCharCode|\bbytes\(""")


@dataclass(frozen=True)
class Assembled:
    """A lookup whose key was assembled: where the lookup starts, what it evaluates to,
    and the offset just past it (where a call of the looked-up function would open)."""

    start: int
    name: str
    end: int


def assembled_lookups(src: SourceFile) -> Iterator[Assembled]:
    """Lookups of dangerous names whose key is assembled from pieces."""
    if src.lang is Lang.PYTHON:
        if not src.has("chr", "join", "[::-1]", "decode", "fromhex", "+"):
            return
        lookups, evaluate, names = _PY_LOOKUPS, python_constant, _PY_NAMES
    elif src.lang is Lang.JS:
        if not src.has("fromcharcode", "join(", "reverse()", "atob(", "from(", "+"):
            return
        lookups, evaluate, names = _JS_LOOKUPS, _js_value, _JS_NAMES
    else:
        return
    if src.lang is Lang.JS:
        lookups = lookups + _js_named_keys(src)
    seen = 0
    for hint, pattern, index in lookups:
        if hint not in src.text:
            continue
        for m in pattern.finditer(src.text):
            seen += 1
            if seen > _MAX_LOOKUPS:
                return
            inside = balanced(src.text, m.end() - 1, limit=2000)
            args = _split(inside)
            if len(args) <= index:
                continue
            key = args[index].strip()
            if re.fullmatch(r"[\w$]+", key):  # a name: what it was assigned, once
                key = next(iter(src.assignments.get(key, [])), "").strip().rstrip(";")
            if not (2 < len(key) < 2000 and _PIECES.search(key)) or _plain(key):
                continue
            value = evaluate(key)
            if value in names and not src.is_comment(m.start()):
                yield Assembled(m.start(), value, m.end() + len(inside) + 1)


def _js_named_keys(src: SourceFile) -> _Lookups:
    """Subscripts by a variable that holds an assembled dangerous name: `cp[k](cmd)`.
    Every `obj[name]` of a bundle would be too many to look at, so the names come first."""
    found = []
    for name, values in src.assignments.items():
        value = values[0].strip().rstrip(";") if len(values) == 1 else ""
        if _JS_KEY_START.match(value) and not _plain(value) and _js_value(value) in _JS_NAMES:
            found.append(
                (f"[{name}]", re.compile(rf"\[(?<=[\w$)\]]\[)(?=\s*{re.escape(name)}\s*\])"), 0)
            )
    return tuple(found[:20])


def _plain(key: str) -> bool:
    """A plain string literal: nothing assembled."""
    return re.fullmatch(r"""[rbuf]?(['"`])[^'"`\\]*\1""", key) is not None


def _split(args: str, separator: str = ",") -> list[str]:
    """Top-level parts between `separator`s, aware of brackets and simple string literals."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(args):
        if quote:
            if ch == quote and args[i - 1] != "\\":
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(args[start:i])
            start = i + 1
    parts.append(args[start:])
    return parts


# --- JavaScript: a few expression shapes, by pattern --------------------------------------

_JS_LITERAL = re.compile(r"""(['"`])((?:\\.|(?!\1)[^\\$])*)\1""")
_JS_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]{1,6}\}|.)")
_JS_REVERSED = re.compile(
    r"(.*)\.split\(\s*(['\"`])\2\s*\)\s*\.reverse\(\)\s*\.join\(\s*(['\"`])\3\s*\)", re.S
)
_JS_INT = re.compile(r"\s*(0x[0-9a-fA-F]+|\d+)\s*")


def _js_value(text: str, depth: int = 0) -> str | None:
    text = text.strip()
    while text.startswith("(") and balanced(text, 0) == text[1:-1]:
        text = text[1:-1].strip()
    if depth > 8 or not text:
        return None
    literal = _JS_LITERAL.fullmatch(text)
    if literal:
        return _JS_ESCAPE.sub(_unescape, literal.group(2))
    parts = _split(text, "+")
    if len(parts) > 1:
        values = [_js_value(p, depth + 1) for p in parts]
        return "".join(v for v in values if v is not None) if None not in values else None
    m = re.fullmatch(r"String\.fromCharCode\((.*)\)", text, re.S)
    if m:
        codes = [_JS_INT.fullmatch(c) for c in _split(m.group(1))]
        return "".join(chr(int(c.group(1), 0)) for c in codes if c) if all(codes) else None
    m = re.fullmatch(r"\[(.*)\]\s*\.\s*join\(\s*(['\"`])\2\s*\)", text, re.S)
    if m:
        values = [_js_value(p, depth + 1) for p in _split(m.group(1))]
        return "".join(v for v in values if v is not None) if None not in values else None
    m = _JS_REVERSED.fullmatch(text)
    if m:
        value = _js_value(m.group(1), depth + 1)
        return value[::-1] if value is not None else None
    m = re.fullmatch(r"atob\((.*)\)|Buffer\.from\((.*),\s*['\"]base64['\"]\s*\)\s*\.toString\(\)",
                     text, re.S)  # fmt: skip
    if m:
        value = _js_value(m.group(1) or m.group(2), depth + 1)
        try:
            return base64.b64decode(value or "", validate=True).decode() if value else None
        except (binascii.Error, ValueError):
            return None
    return None


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if code[0] in "xu" and len(code) > 1:
        return chr(int(code[1:].strip("{}"), 16))
    return code
