"""Execution of hidden data (decoded, decrypted or downloaded) and the obfuscation around it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.names import assembled_lookups
from analyzer.detect.static.text import (
    Lang,
    SourceFile,
    balanced,
    clue,
    first_argument,
    without_strings,
)
from analyzer.signals import SignalKind, StaticSignal

# `prefix` is set for builtins.exec; a sink after any other dot is some object's method.
_PY_SINK = re.compile(
    r"\b(?P<prefix>builtins['\"]?\)?\.|__builtins__\.)?(?:exec|eval)\s*\("
    r"|\bcompile\s*\((?!\s*(?:r|b|rb|br)?['\"])"
)
_JS_SINK = re.compile(
    r"(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w$.])Function\s*\("
    r"|\bvm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)\s*\("
    r"|\bnew\s+vm\.Script\s*\("
)
# A bare exec() in JavaScript is child_process.exec only where child_process is loaded
# (elsewhere it is often a local RegExp#exec).
_JS_SHELL_SINK = re.compile(r"(?:(?<![\w$.])|\bchild_process\.)exec(?:Sync)?\s*\(")
# Where Python hands a string to a shell or starts a program with it.
_PY_SHELL_SINK = re.compile(
    r"\b(?:os\.(?:system|popen)|subprocess\.(?:run|call|check_call|check_output|Popen"
    r"|getoutput|getstatusoutput)|Popen|getoutput)\s*\("
)
# marshal.load(file) and marshal.loads(data[16:]) are how importers read .pyc files.
_PY_MARSHAL = r"\bmarshal\b(?!\.load\s*\(|\.dumps?\s*\(|\.loads\(\s*[\w.]+\[\s*\d+\s*:\s*\]\s*\))"
_PY_DECODERS = re.compile(
    r"b(?:64|32|16|85)decode|a85decode|decodebytes|decodestring|unhexlify|fromhex|"
    rf"\bzlib\b|decompress|{_PY_MARSHAL}|codecs\.decode|rot_?13|\.decrypt\s*\(|\bFernet\b|"
    r"\bAES\b|\[::-1\]|\bbytes\(\s*\[|\bbytearray\(\s*\[|\bchr\s*\(|\bmap\(\s*chr\b|\bord\s*\(|"
    r"\blzma\b|\bbz2\b"
)
# The same, as calls only: matched against code with its string literals blanked, since
# a command line may name zlib or bz2 as plain words.
_PY_DECODER_CALLS = re.compile(
    r"\bb(?:64|32|16|85)decode\s*\(|\ba85decode\s*\(|\bdecodebytes\s*\(|\bunhexlify\s*\("
    rf"|\bfromhex\s*\(|\bdecompress\s*\(|{_PY_MARSHAL}\.loads\s*\(|\bcodecs\.decode\s*\("
    r"|\.decrypt\s*\(|\[::-1\]|\bbytes\(\s*\[|\bchr\s*\(|\bmap\(\s*chr\b"
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
_CALLED = re.compile(r"([A-Za-z_$][\w$]*)\s*\(")
_NOT_NAMES = frozenset(
    {"exec", "eval", "compile", "globals", "locals", "None", "True", "False", "str", "bytes",
     "print", "open", "read", "decode", "encode", "utf8", "string", "return", "function",
     "this", "new", "var", "let", "const"}
)  # fmt: skip
_MAX_SINKS = 50
_CALL = re.compile(r"\s*\(")
_ASSEMBLED_SINKS = frozenset({"exec", "eval", "Function", "execSync"})


@dataclass(frozen=True)
class _Tracer:
    """Follows a window of code back through the names it uses (what they were assigned,
    what the helpers it calls return) to a decoder or a download."""

    src: SourceFile
    decoders: re.Pattern[str]
    remote: re.Pattern[str] | None
    code_only: bool  # match against the code with string contents blanked

    def trace(
        self, window: str, depth: int = 3, seen: set[str] | None = None, helpers: int = 2
    ) -> tuple[str, str] | None:
        """('decoded'|'remote', token) when the window, or what its names stand for
        (a few hops deep, each name followed once), decodes or downloads data. Helper
        functions are looked into for the first `helpers` hops only: further away, a
        decoder in a helper is more often a file format being read."""
        code = without_strings(window) if self.code_only else window
        m = self.remote.search(code) if self.remote else None
        if m:
            return "remote", m.group()
        m = self.decoders.search(code)
        if m:
            return "decoded", m.group()
        if depth == 0:
            return None
        seen = set() if seen is None else seen
        # Helpers count when the code calls them (not when a string names them), and
        # only for what their own body does.
        called = set(_CALLED.findall(without_strings(code)[:500]))
        for name in dict.fromkeys(_IDENT.findall(code[:500])):
            helper = self.src.functions.get(name) if name in called and helpers else None
            if name in _NOT_NAMES or name in seen or (len(name) < 2 and helper is None):
                continue
            seen.add(name)
            for rhs in self.src.assignments.get(name, [])[:3]:
                found = self.trace(rhs, depth - 1, seen, helpers - 1)
                if found:
                    return found
            found = self.trace(helper, 0, seen, 0) if helper is not None else None
            if found:
                return found[0], f"{found[1]} in {name}()"
        return None


def _sinks(src: SourceFile) -> list[tuple[int, int, str]]:
    """(start, index of the opening bracket of the arguments, name) of each exec/eval call,
    including calls of an exec or eval whose name was assembled from pieces."""
    text, sinks = src.text, []
    if src.lang is Lang.PYTHON and src.has("exec", "eval", "compile"):
        for m in _PY_SINK.finditer(text):
            if not m.group("prefix") and m.start() and text[m.start() - 1] == ".":
                continue  # re.compile, obj.eval: a method, not the builtin
            if m.group().startswith("compile") and re.search(
                r"(?:exec|eval)\(\s*$", text[max(0, m.start() - 8) : m.start()]
            ):
                continue  # exec(compile(...)): the exec is reported
            sinks.append((m.start(), m.end() - 1, m.group()))
    elif src.lang is Lang.JS and src.has("eval", "function", "vm.", "exec"):
        sinks = [(m.start(), m.end() - 1, m.group()) for m in _JS_SINK.finditer(text)]
        if "child_process" in text:
            sinks += [(m.start(), m.end() - 1, m.group()) for m in _JS_SHELL_SINK.finditer(text)]
    for found in assembled_lookups(src):
        call = _CALL.match(text, found.end)
        if found.name in _ASSEMBLED_SINKS and call:
            sinks.append((found.start, call.end() - 1, f"{found.name} (assembled name)"))
    return sinks


def _window(src: SourceFile, bracket: int) -> str | None:
    """The arguments of the call whose bracket opens at `bracket`, or None when they are
    empty or one plain literal (nothing hidden)."""
    window = balanced(src.text, bracket, strings=True)
    if not window.strip() or re.fullmatch(r"\s*[rbuf]?(['\"])[^'\"]*\1\s*", window):
        return None
    return window


def check_exec(src: SourceFile) -> Iterator[StaticSignal]:
    """exec/eval/Function of data that was decoded, decrypted or downloaded just before,
    and a shell command that was decoded just before it runs."""
    js = src.lang is Lang.JS
    if src.lang not in (Lang.PYTHON, Lang.JS):
        return
    tracer = _Tracer(src, _JS_DECODERS if js else _PY_DECODERS,
                     _JS_REMOTE if js else _PY_REMOTE, code_only=False)
    for start, bracket, sink in _sinks(src)[:_MAX_SINKS]:
        window = None if src.is_comment(start) else _window(src, bracket)
        found = tracer.trace(window) if window is not None else None
        if window is None or found is None:
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
    if src.lang is Lang.PYTHON and src.has("system", "popen", "subprocess", "getoutput"):
        yield from _decoded_commands(src)
        yield from _interpreter_fed(src)


def _decoded_commands(src: SourceFile) -> Iterator[StaticSignal]:
    """os.system, os.popen and subprocess given a command decoded on the way (base64,
    chr codes, reversed...): the shell equivalent of exec of a decoded string."""
    tracer = _Tracer(src, _PY_DECODER_CALLS, None, code_only=True)
    sinks = (
        m for m in _PY_SHELL_SINK.finditer(src.text)
        if not (m.group().startswith(("Popen", "getoutput")) and src.text[m.start() - 1] == ".")
    )
    for m in itertools.islice(sinks, _MAX_SINKS):
        window = None if src.is_comment(m.start()) else _window(src, m.end() - 1)
        command = first_argument(window) if window is not None else ""  # not input= or env=
        found = tracer.trace(command, depth=2) if command.strip() else None
        if found is not None:
            name = m.group().rstrip("( ").split(".")[-1]
            detail = f"{name} of a command decoded through {found[1]}"
            yield src.signal(SignalKind.EXEC_DECODED, m.start(), detail)


_OBFUSCATION = (
    (Lang.PYTHON, clue("__builtins__|builtins",
        r"getattr\(\s*__builtins__\s*,\s*(?:[^'\"\s]|(['\"])\1\s*\.)"
        r"|__import__\(\s*['\"]builtins['\"]\s*\)\s*\.\s*(?:exec|eval|compile)"
        r"|__builtins__\.__dict__\s*\[|globals\(\)\s*\[\s*['\"]__builtins__",
        "builtins looked up indirectly")),
    (None, clue("\\x|\\u00",
        r"\b(?:eval|exec|__import__|getattr|Function)\s*\(\s*[rbu]?['\"]"
        r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}|\\[0-7]{3}){4,}",
        "code hidden in an escaped string")),
    (Lang.PYTHON, clue("chr(|map(chr",
        r"(?:\bchr\(\s*\d+\s*\)\s*\+\s*){5}"
        r"|join\(\s*map\(\s*chr\s*,\s*[\[(]\s*(?:\d+\s*,\s*){3,}\d"
        r"|join\(\s*\[?\s*chr\(\s*\w+\s*\)\s*for\s+\w+\s+in\s+[\[(]\s*(?:\d+\s*,\s*){3,}\d",
        "string built from chr() codes")),
    (Lang.JS, clue("fromcharcode", r"fromCharCode\((?:\s*(?:0x)?[0-9a-fA-F]+\s*,){10}",
        "string built from char codes")),
)  # fmt: skip
_TOOLS = (
    clue("pyarmor|pytransform|__armor_enter__",
         r"__pyarmor__|pyarmor_runtime|from pytransform import|__armor_enter__", "pyarmor"),
    clue("vareobfuscator", r"__VareObfuscator__", "Vare obfuscator"),
    clue("blankobf|obfuscated|pyobfuscate",
         r"(?i)BlankOBF|\bobfuscated (?:with|by|using)\b|pyobfuscate", "named obfuscator"),
    clue("eval(function(p", r"eval\(function\(p,\s*a,\s*c,\s*k,\s*e,\s*[dr]\)",
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


# A Python interpreter reading its program from stdin: `[sys.executable, "-"]`.
_STDIN_INTERPRETER = re.compile(
    r"""\[\s*(?:sys\.executable|['"](?:python[\d.]*|py)['"])\s*,\s*['"]-['"]\s*\]"""
)
_FED = re.compile(r"\.stdin\.write\s*\(|\.communicate\s*\(|\binput\s*=")


def _interpreter_fed(src: SourceFile) -> Iterator[StaticSignal]:
    """`python -` started with what was just downloaded on its stdin: exec of remote code
    in a child process."""
    interpreter = _STDIN_INTERPRETER.search(src.text)
    if interpreter is None:
        return
    tracer = _Tracer(src, re.compile(r"(?!)"), _PY_REMOTE, code_only=True)
    for m in itertools.islice(_FED.finditer(src.text), _MAX_SINKS):
        if m.group().startswith("input"):
            end = src.text.find("\n", m.end())
            window = src.text[m.end() : end if end != -1 else None][:200]
        else:
            window = balanced(src.text, m.end() - 1, strings=True)
        found = tracer.trace(window, depth=2) if window.strip() else None
        if found is not None and not src.is_comment(m.start()):
            detail = f"python - reads its program from stdin, fed data from {found[1]}"
            yield src.signal(SignalKind.EXEC_REMOTE, m.start(), detail)
            return


EXEC = Scanner(
    name="exec",
    check=text_check(check_exec),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    langs=frozenset({Lang.PYTHON, Lang.JS}),
    kinds={
        SignalKind.EXEC_DECODED: KindInfo(
            "code executes data it has just decoded, decompressed or decrypted",
            strong=True,
        ),
        SignalKind.EXEC_REMOTE: KindInfo("code executes data it has just downloaded", strong=True),
    },
)

OBFUSCATION = Scanner(
    name="obfuscation",
    check=text_check(check_obfuscation),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    kinds={
        SignalKind.OBFUSCATION: KindInfo(
            "hand-made obfuscation around execution (chr-joins, builtins lookups, escaped code)",
            strong=True,
        ),
        SignalKind.OBFUSCATOR_TOOL: KindInfo(
            "output of a known obfuscator or packer (pyarmor, _0x names...)",
            strong=False,
        ),
    },
)
