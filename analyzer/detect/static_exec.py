"""Execution of hidden data (decoded, decrypted or downloaded) and the obfuscation around it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static_text import Lang, SourceFile, balanced
from analyzer.detect.static_types import SignalKind, StaticSignal

_PY_SINK = re.compile(
    r"(?:(?<![\w.])|\bbuiltins['\"]?\)?\.|__builtins__\.)(?:exec|eval)\s*\("
    r"|\b(?:c?[Pp]ickle|_pickle|dill)\.loads\s*\("
)
_JS_SINK = re.compile(
    r"(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w$.])Function\s*\("
    r"|\bvm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)\s*\("
    r"|\bnew\s+vm\.Script\s*\(|(?:(?<![\w$.])|\bchild_process\.)exec(?:Sync)?\s*\("
)
_DECODERS = re.compile(
    r"b(?:64|32|16|85)decode|a85decode|decodebytes|decodestring|unhexlify|fromhex|"
    r"\bzlib\b|decompress|\bmarshal\b|codecs\.decode|rot_?13|\.decrypt\s*\(|\bFernet\b|"
    r"\bAES\b|\[::-1\]|\bbytes\(\s*\[|\bbytearray\(\s*\[|\bchr\s*\(|\blzma\b|\bbz2\b|"
    r"\batob\s*\(|Buffer\.from\([^)]{0,200}['\"](?:base64|hex)['\"]|fromCharCode|"
    r"\bunescape\s*\(|\.reverse\(\)\s*\.join|CryptoJS|createDecipher\w*|inflate\w*\(|gunzip\w*\("
)
_REMOTE = re.compile(
    r"\burlopen\s*\(|\burlretrieve\s*\(|\brequests\.\w+\s*\(|\.get\([^)]{0,200}\)\.(?:text|content)"
    r"|\bhttpx\.|\burllib3\b|\bhttp\.client\b|\.recv\s*\(|\bfetch\s*\(|\bhttps?\.get\s*\("
    r"|\baxios\b|XMLHttpRequest|\.responseText\b"
)
_ASSIGN = re.compile(
    r"(?:^|[;\n{])[ \t]*(?:const\s+|let\s+|var\s+)?([A-Za-z_$][\w$]*)[ \t]*=(?!=)([^;\n]{0,2000})"
)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NOT_NAMES = frozenset(
    {"exec", "eval", "compile", "globals", "locals", "None", "True", "False", "str", "bytes",
     "print", "open", "read", "decode", "encode", "utf8", "string", "return", "function",
     "this", "new", "var", "let", "const"}
)  # fmt: skip
_MAX_SINKS = 50


def _assignments(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in _ASSIGN.finditer(text):
        found.setdefault(m.group(1), []).append(m.group(2))
    return found


def _trace(window: str, assigned: dict[str, list[str]], depth: int = 3) -> tuple[str, str] | None:
    """('decoded'|'remote', token) when `window`, or what its names were assigned from
    (a few hops deep), decodes or downloads data."""
    m = _REMOTE.search(window)
    if m:
        return "remote", m.group()
    m = _DECODERS.search(window)
    if m:
        return "decoded", m.group()
    if depth == 0:
        return None
    for name in dict.fromkeys(_IDENT.findall(window[:500])):
        if name in _NOT_NAMES or len(name) < 2:
            continue
        for rhs in assigned.get(name, ())[:3]:
            if rhs.strip() == window.strip():
                continue
            found = _trace(rhs, assigned, depth - 1)
            if found:
                return found
    return None


def check_exec(src: SourceFile) -> Iterator[StaticSignal]:
    """exec/eval/Function of data that was decoded, decrypted or downloaded just before."""
    sink = {Lang.PYTHON: _PY_SINK, Lang.JS: _JS_SINK}.get(src.lang)
    if sink is None:
        return
    assigned: dict[str, list[str]] | None = None
    for count, m in enumerate(sink.finditer(src.text)):
        if count >= _MAX_SINKS:
            break
        if src.is_comment(m.start()):
            continue
        window = balanced(src.text, m.end() - 1)
        if not window.strip() or re.fullmatch(r"\s*[rbuf]?(['\"])[^'\"]*\1\s*", window):
            continue  # exec('') or a plain literal: nothing hidden
        if assigned is None:
            assigned = _assignments(src.text)
        found = _trace(window, assigned)
        if found is None:
            continue
        how, token = found
        name = m.group().rstrip("( ").split(".")[-1]
        if how == "remote":
            yield src.signal(SignalKind.EXEC_REMOTE, m.start(), f"{name} of data from {token}")
        else:
            reverse = " (reversed string)" if "[::-1]" in window or ".reverse()" in window else ""
            yield src.signal(
                SignalKind.EXEC_DECODED, m.start(), f"{name} of data through {token}{reverse}"
            )


_OBFUSCATION = (
    (Lang.PYTHON, re.compile(r"getattr\(\s*__builtins__\s*,\s*[^'\"\s]"
                             r"|__import__\(\s*['\"]builtins['\"]\s*\)\s*\.\s*(?:exec|eval|compile)"
                             r"|__builtins__\.__dict__\s*\[|globals\(\)\s*\[\s*['\"]__builtins__"),
     "builtins looked up indirectly"),
    (None, re.compile(r"\b(?:eval|exec|__import__|getattr|Function)\s*\(\s*[rbu]?['\"]"
                      r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}|\\[0-7]{3}){4,}"),
     "code hidden in an escaped string"),
    (Lang.PYTHON, re.compile(r"(?:\bchr\(\s*\d+\s*\)\s*\+\s*){5}|join\(\s*(?:map\(\s*)?chr\b"
                             r"|join\(\s*\[?\s*chr\(\s*\w+\s*\)\s*for\b"),
     "string built from chr() codes"),
    (Lang.JS, re.compile(r"fromCharCode\((?:\s*(?:0x)?[0-9a-fA-F]+\s*,){10}"),
     "string built from char codes"),
)  # fmt: skip
_TOOLS = (
    (re.compile(r"__pyarmor__|pyarmor_runtime|from pytransform import|__armor_enter__"), "pyarmor"),
    (re.compile(r"__VareObfuscator__"), "Vare obfuscator"),
    (re.compile(r"(?i)BlankOBF|\bobfuscated (?:with|by|using)\b|pyobfuscate"), "named obfuscator"),
    (re.compile(r"eval\(function\(p,\s*a,\s*c,\s*k,\s*e,\s*[dr]\)"), "Dean Edwards packer"),
)  # fmt: skip
_HEX_NAME = re.compile(r"\b_0x[0-9a-fA-F]{4,6}\b")


def check_obfuscation(src: SourceFile) -> Iterator[StaticSignal]:
    for lang, pattern, what in _OBFUSCATION:
        if lang is not None and lang is not src.lang:
            continue
        m = pattern.search(src.text)
        if m and not src.is_comment(m.start()):
            yield src.signal(SignalKind.OBFUSCATION, m.start(), what)
    for pattern, what in _TOOLS:
        m = pattern.search(src.text)
        if m:
            yield src.signal(SignalKind.OBFUSCATOR_TOOL, m.start(), what)
    if src.lang is Lang.JS:
        names = _HEX_NAME.findall(src.text)
        first = _HEX_NAME.search(src.text)
        if len(names) >= 20 and first:
            detail = f"javascript-obfuscator style names ({len(names)} _0x identifiers)"
            yield src.signal(SignalKind.OBFUSCATOR_TOOL, first.start(), detail)
            sink = _JS_SINK.search(src.text)
            if sink:
                yield src.signal(SignalKind.OBFUSCATION, sink.start(), "_0x names with eval")
