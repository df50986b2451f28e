"""Execution of hidden data (decoded, decrypted or downloaded) and the obfuscation around it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from analyzer.detect.static_names import assembled_lookups
from analyzer.detect.static_text import Lang, SourceFile, balanced, rule
from analyzer.detect.static_types import SignalKind, StaticSignal

_PY_SINK = re.compile(r"(?:(?<![\w.])|\bbuiltins['\"]?\)?\.|__builtins__\.)(?:exec|eval)\s*\(")
_JS_SINK = re.compile(
    r"(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w$.])Function\s*\("
    r"|\bvm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)\s*\("
    r"|\bnew\s+vm\.Script\s*\("
)
# A bare exec() in JavaScript is child_process.exec only where child_process is loaded
# (elsewhere it is often a local RegExp#exec).
_JS_SHELL_SINK = re.compile(r"(?:(?<![\w$.])|\bchild_process\.)exec(?:Sync)?\s*\(")
_PY_DECODERS = re.compile(
    r"b(?:64|32|16|85)decode|a85decode|decodebytes|decodestring|unhexlify|fromhex|"
    r"\bzlib\b|decompress|\bmarshal\b|codecs\.decode|rot_?13|\.decrypt\s*\(|\bFernet\b|"
    r"\bAES\b|\[::-1\]|\bbytes\(\s*\[|\bbytearray\(\s*\[|\bchr\s*\(|\blzma\b|\bbz2\b"
)
_JS_DECODERS = re.compile(
    r"\batob\s*\(|Buffer\.from\([^)]{0,200}['\"](?:base64|hex)['\"]|fromCharCode|"
    r"\bunescape\s*\(|\.reverse\(\)\s*\.join|CryptoJS|createDecipher\w*|inflate\w*Sync\(|"
    r"gunzipSync\("
)
_PY_REMOTE = re.compile(
    r"\burlopen\s*\(|\burlretrieve\s*\(|\brequests\.(?:get|post|request)\s*\("
    r"|\.get\([^)]{0,200}\)\.(?:text|content)\b|\bhttpx\.(?:get|post)|\burllib3\b|\.recv\s*\("
)
_JS_REMOTE = re.compile(
    r"\bfetch\s*\(|\bhttps?\.get\s*\(|\baxios\b|XMLHttpRequest|\.responseText\b"
)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NOT_NAMES = frozenset(
    {"exec", "eval", "compile", "globals", "locals", "None", "True", "False", "str", "bytes",
     "print", "open", "read", "decode", "encode", "utf8", "string", "return", "function",
     "this", "new", "var", "let", "const"}
)  # fmt: skip
_MAX_SINKS = 50
_CALL = re.compile(r"\s*\(")
_ASSEMBLED_SINKS = frozenset({"exec", "eval", "Function", "execSync"})


def _trace(
    window: str,
    assigned: dict[str, list[str]],
    js: bool,
    depth: int = 3,
    seen: set[str] | None = None,
) -> tuple[str, str] | None:
    """('decoded'|'remote', token) when `window`, or what its names were assigned from
    (a few hops deep, each name followed once), decodes or downloads data."""
    m = (_JS_REMOTE if js else _PY_REMOTE).search(window)
    if m:
        return "remote", m.group()
    m = (_JS_DECODERS if js else _PY_DECODERS).search(window)
    if m:
        return "decoded", m.group()
    if depth == 0:
        return None
    seen = set() if seen is None else seen
    for name in dict.fromkeys(_IDENT.findall(window[:500])):
        if name in _NOT_NAMES or name in seen or len(name) < 2:
            continue
        seen.add(name)
        for rhs in assigned.get(name, ())[:3]:
            found = _trace(rhs, assigned, js, depth - 1, seen)
            if found:
                return found
    return None


def _sinks(src: SourceFile) -> list[tuple[int, int, str]]:
    """(start, index of the opening bracket of the arguments, name) of each exec/eval call,
    including calls of an exec or eval whose name was assembled from pieces."""
    text, sinks = src.text, []
    if src.lang is Lang.PYTHON and src.has("exec", "eval"):
        sinks = [(m.start(), m.end() - 1, m.group()) for m in _PY_SINK.finditer(text)]
    elif src.lang is Lang.JS and src.has("eval", "function", "vm.", "exec"):
        sinks = [(m.start(), m.end() - 1, m.group()) for m in _JS_SINK.finditer(text)]
        if "child_process" in text:
            sinks += [(m.start(), m.end() - 1, m.group()) for m in _JS_SHELL_SINK.finditer(text)]
    for found in assembled_lookups(src):
        call = _CALL.match(text, found.end)
        if found.name in _ASSEMBLED_SINKS and call:
            sinks.append((found.start, call.end() - 1, f"{found.name} (assembled name)"))
    return sinks


def check_exec(src: SourceFile) -> Iterator[StaticSignal]:
    """exec/eval/Function of data that was decoded, decrypted or downloaded just before."""
    js = src.lang is Lang.JS
    if src.lang not in (Lang.PYTHON, Lang.JS):
        return
    for start, bracket, sink in _sinks(src)[:_MAX_SINKS]:
        if src.is_comment(start):
            continue
        window = balanced(src.text, bracket)
        if not window.strip() or re.fullmatch(r"\s*[rbuf]?(['\"])[^'\"]*\1\s*", window):
            continue  # exec('') or a plain literal: nothing hidden
        found = _trace(window, src.assignments, js)
        if found is None:
            continue
        how, token = found
        name = sink.rstrip("( ").split(".")[-1]
        if how == "remote":
            yield src.signal(SignalKind.EXEC_REMOTE, start, f"{name} of data from {token}")
        else:
            reverse = " (reversed string)" if "[::-1]" in window or ".reverse()" in window else ""
            yield src.signal(
                SignalKind.EXEC_DECODED, start, f"{name} of data through {token}{reverse}"
            )


_OBFUSCATION = (
    (Lang.PYTHON, rule("__builtins__|builtins",
        r"getattr\(\s*__builtins__\s*,\s*(?:[^'\"\s]|(['\"])\1\s*\.)"
        r"|__import__\(\s*['\"]builtins['\"]\s*\)\s*\.\s*(?:exec|eval|compile)"
        r"|__builtins__\.__dict__\s*\[|globals\(\)\s*\[\s*['\"]__builtins__",
        "builtins looked up indirectly")),
    (None, rule("\\x|\\u00",
        r"\b(?:eval|exec|__import__|getattr|Function)\s*\(\s*[rbu]?['\"]"
        r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}|\\[0-7]{3}){4,}",
        "code hidden in an escaped string")),
    (Lang.PYTHON, rule("chr(|map(chr",
        r"(?:\bchr\(\s*\d+\s*\)\s*\+\s*){5}"
        r"|join\(\s*map\(\s*chr\s*,\s*[\[(]\s*(?:\d+\s*,\s*){3,}\d"
        r"|join\(\s*\[?\s*chr\(\s*\w+\s*\)\s*for\s+\w+\s+in\s+[\[(]\s*(?:\d+\s*,\s*){3,}\d",
        "string built from chr() codes")),
    (Lang.JS, rule("fromcharcode", r"fromCharCode\((?:\s*(?:0x)?[0-9a-fA-F]+\s*,){10}",
        "string built from char codes")),
)  # fmt: skip
_TOOLS = (
    rule("pyarmor|pytransform|__armor_enter__",
         r"__pyarmor__|pyarmor_runtime|from pytransform import|__armor_enter__", "pyarmor"),
    rule("vareobfuscator", r"__VareObfuscator__", "Vare obfuscator"),
    rule("blankobf|obfuscated|pyobfuscate",
         r"(?i)BlankOBF|\bobfuscated (?:with|by|using)\b|pyobfuscate", "named obfuscator"),
    rule("eval(function(p", r"eval\(function\(p,\s*a,\s*c,\s*k,\s*e,\s*[dr]\)",
         "Dean Edwards packer"),
)  # fmt: skip
_HEX_NAME = re.compile(r"\b_0x[0-9a-fA-F]{4,6}\b")


def check_obfuscation(src: SourceFile) -> Iterator[StaticSignal]:
    for found in itertools.islice(assembled_lookups(src), 5):
        detail = f"the name {found.name!r} assembled from pieces and looked up"
        yield src.signal(SignalKind.OBFUSCATION, found.start, detail)
    for lang, entry in _OBFUSCATION:
        if lang is not None and lang is not src.lang:
            continue
        m = entry.search(src)
        if m and not src.is_comment(m.start()):
            yield src.signal(SignalKind.OBFUSCATION, m.start(), entry.what)
    for entry in _TOOLS:
        m = entry.search(src)
        if m:
            yield src.signal(SignalKind.OBFUSCATOR_TOOL, m.start(), entry.what)
    if src.lang is Lang.JS and "_0x" in src.text:
        names = _HEX_NAME.findall(src.text)
        first = _HEX_NAME.search(src.text)
        if len(names) >= 20 and first:
            detail = f"javascript-obfuscator style names ({len(names)} _0x identifiers)"
            yield src.signal(SignalKind.OBFUSCATOR_TOOL, first.start(), detail)
            sink = _JS_SINK.search(src.text)
            if sink:
                yield src.signal(SignalKind.OBFUSCATION, sink.start(), "_0x names with eval")
