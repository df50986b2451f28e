"""Shells wired to the network: reverse shells (they call out) and bind shells (they listen).

A socket is wired to a shell when its descriptor is dup2'd onto 0/1/2 before a shell
starts, when it is a shell's stdin, when a shell's streams are piped to and from it, or
when what it receives is run as a command. The socket's origin decides the kind: one
returned by accept() (or handed to a server's connection callback) is a bind shell's,
one that connected out a reverse shell's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.text import Clue, Lang, SourceFile, balanced
from analyzer.signals import SignalKind, StaticSignal

_REVERSE_SHELL = (
    Clue(("/dev/tcp", "/dev/udp"), re.compile(r"/dev/(?:tcp|udp)/[\w.-]+/\d+"),
         "shell redirected to /dev/tcp"),
    Clue(("nc ", "ncat", "netcat"),
         re.compile(r"(?i)\b(?:nc|ncat|netcat)\b[^\n;|]{0,80}\s-[a-z]*[ec]\s*['\"]?\S*(?:sh|cmd)\b"),
         "netcat -e/-c with a shell"),
    Clue(("sh -i",), re.compile(r"\b(?:ba|z|da)?sh\s+-i\s*(?:>&|>\s*/dev|2>&1|<&)"),
         "interactive shell redirect"),
    Clue(("mkfifo",), re.compile(r"\bmkfifo\b[^\n]{0,100}\b(?:nc|ncat|openssl)\b"),
         "fifo piped through netcat"),
    Clue(("socat",), re.compile(r"(?i)\bsocat\b[^\n]{0,120}\bexec:"), "socat exec"),
)  # fmt: skip
# `nc -l -p 4444 -e /bin/sh` listens: the same netcat rule, but a bind shell.
_NC_LISTEN = re.compile(r"(?i)\b(?:nc|ncat|netcat)\b[^\n;|]{0,80}\s-[a-z]*l")
_SOCAT_LISTEN = re.compile(r"(?i)\bsocat\b[^\n]{0,120}\b(?:tcp\d?|ssl|openssl)-listen:")
_PY_DUP2 = re.compile(r"\bdup2\s*\(")
_PY_SHELL = re.compile(r"pty\.spawn|/bin/(?:ba|z|da)?sh\b|cmd\.exe|powershell")
# The shell itself as a program name: what a process started for a peer would run.
_SHELL_PROGRAM = re.compile(
    r"""['"`](?:/bin/|/usr/bin/)?(?:ba|z|da|k)?sh['"`]|['"`]cmd(?:\.exe)?['"`]"""
    r"""|['"`](?:powershell|pwsh)(?:\.exe)?['"`]|pty\.spawn"""
)
_JS_SOCKET = re.compile(r"\bnet\.(?:Socket|connect|createConnection)\b|\bnew\s+net\.")
_JS_SHELL_PIPE = re.compile(
    r"spawn\w*\(\s*['\"`](?:/bin/|/usr/bin/)?(?:(?:ba|z|da)?sh|cmd(?:\.exe)?|powershell)['\"`]"
)
_NAME = r"[A-Za-z_$][\w$]*"
# Matched against one line each. conn, addr = srv.accept()  /  conn = (await ...accept(s))[0]
_PY_ACCEPTED = re.compile(rf"\s*\(?\s*({_NAME})\s*(?:,\s*\w+\s*)?\)?\s*=[^\n]{{0,40}}accept\(")
_PY_CONNECTED = re.compile(rf"\s*({_NAME})\s*=\s*(?:socket\.)?(?:socket\(|create_connection\()")
_PY_RUN = re.compile(
    r"\b(?:os\.(?:system|popen)|subprocess\.(?:run|call|check_call|check_output|getoutput"
    r"|getstatusoutput|Popen)|(?<![\w.])(?:Popen|check_output|getoutput))\s*\("
)
_JS_SERVER = re.compile(
    rf"\b(?:net|tls)\.createServer\(\s*(?:\{{[^{{}}]*\}}\s*,\s*)?(?:async\s+)?"
    rf"(?:function\s*(?:{_NAME})?\s*)?\(?\s*({_NAME})"
    rf"|\.on\(\s*['\"](?:connection|secureConnection)['\"]\s*,\s*(?:async\s+)?"
    rf"(?:function\s*(?:{_NAME})?\s*)?\(?\s*({_NAME})"
)
_JS_CLIENT = re.compile(
    rf"[^\n]*?\b({_NAME})\s*=\s*(?:new\s+net\.Socket\(|net\.(?:connect|createConnection)\()"
)
_JS_RUN = re.compile(
    r"(?:(?<![\w$.])|\b(?:child_process|childProcess|cp)\.)"
    r"(?:exec|execSync|spawn|spawnSync)\s*\("
)


def check_shells(src: SourceFile) -> Iterator[StaticSignal]:
    """Reverse and bind shells: shell one-liners anywhere, socket wiring in Python and JS."""
    for entry in _REVERSE_SHELL:
        m = entry.search(src)
        if m:
            line = src.text[m.start() : m.start() + 200].split("\n", 1)[0]
            bind = _NC_LISTEN.search(line) or _SOCAT_LISTEN.search(line)
            kind = SignalKind.BIND_SHELL if bind else SignalKind.REVERSE_SHELL
            yield src.signal(kind, m.start(), entry.what + (" (listening)" if bind else ""))
    if src.lang is Lang.PYTHON:
        yield from _python(src)
    elif src.lang is Lang.JS:
        yield from _javascript(src)


def _python(src: SourceFile) -> Iterator[StaticSignal]:
    text = src.text
    reverse = False
    if src.has("dup2") and ".connect(" in text:
        m = _PY_DUP2.search(text)
        if m and _PY_SHELL.search(text):
            reverse = True
            yield src.signal(SignalKind.REVERSE_SHELL, m.start(), "socket dup2'd onto a shell")
    if not src.has("accept(", ".connect(", "create_connection("):
        return
    sockets = [(name, SignalKind.BIND_SHELL) for name in _on_lines(src, "accept(", _PY_ACCEPTED)]
    if not reverse:
        sockets += [
            (name, SignalKind.REVERSE_SHELL)
            for needle in ("socket(", "create_connection(")
            for name in _on_lines(src, needle, _PY_CONNECTED)
        ]
    for name, kind in dict(sockets).items():
        found = _py_wiring(src, name)
        if found:
            offset, how = found
            yield src.signal(kind, offset, how)


def _py_wiring(src: SourceFile, sock: str) -> tuple[int, str] | None:
    """Where, and how, the socket called `sock` is wired to a shell."""
    text, s = src.text, re.escape(sock)
    if _PY_SHELL.search(text):
        dup = re.search(rf"\bdup2\(\s*{s}\.fileno\(\)", text)
        if dup and not src.is_comment(dup.start()):
            return dup.start(), f"socket {sock} dup2'd onto a shell"
    stdin = re.compile(rf"\bstdin\s*=\s*{s}\b")
    for m in re.finditer(r"\bPopen\s*\(", text) if stdin.search(text) else ():
        args = balanced(text, m.end() - 1)
        if stdin.search(args) and _SHELL_PROGRAM.search(args):
            return m.start(), f"a shell's stdin is socket {sock}"
    if f"{sock}.recv(" not in text:
        return None
    received = _derived(src, f"{sock}.recv(")
    for m in _PY_RUN.finditer(text):
        args = balanced(text, m.end() - 1)[:300]
        if re.search(rf"\b{s}\.recv\(", args) or any(
            re.match(rf"\s*{re.escape(r)}\b", args) for r in received
        ):
            return m.start(), f"runs the commands socket {sock} receives"
    return None


def _on_lines(src: SourceFile, needle: str, pattern: re.Pattern[str]) -> list[str]:
    """group(1) of `pattern` matched at the start of each line that holds `needle`: a
    literal search first, as patterns that open with a name are slow over a whole file."""
    found: list[str] = []
    at = src.text.find(needle)
    while at != -1 and len(found) < 20:
        start = src.text.rfind("\n", 0, at) + 1
        m = pattern.match(src.text, start, src.text.find("\n", at) % (len(src.text) + 1))
        if m:
            found.append(m.group(1))
        at = src.text.find(needle, at + 1)
    return found


def _derived(src: SourceFile, source: str) -> set[str]:
    """Names assigned from an expression holding `source`, or from a name so assigned."""
    names = {n for n, values in src.assignments.items() if any(source in v for v in values)}
    for name in list(names):
        names |= {
            n for n, values in src.assignments.items()
            if any(re.match(rf"\s*{re.escape(name)}\b", v) for v in values[:5])
        }  # fmt: skip
    return names


def _javascript(src: SourceFile) -> Iterator[StaticSignal]:
    text = src.text
    if src.has("net.") and ".pipe(" in text and _JS_SOCKET.search(text):
        m = _JS_SHELL_PIPE.search(text)
        if m:
            yield src.signal(SignalKind.REVERSE_SHELL, m.start(), "shell piped to a socket")
    if not src.has("createserver", "'connection'", '"connection"', "net."):
        return
    sockets = [(m.group(1) or m.group(2), SignalKind.BIND_SHELL) for m in _JS_SERVER.finditer(text)]
    sockets += [
        (name, SignalKind.REVERSE_SHELL)
        for needle in ("net.Socket(", "net.connect(", "net.createConnection(")
        for name in _on_lines(src, needle, _JS_CLIENT)
    ]
    for name, kind in dict(sockets).items():
        found = _js_wiring(src, name)
        if found:
            offset, how = found
            yield src.signal(kind, offset, how)


def _js_wiring(src: SourceFile, sock: str) -> tuple[int, str] | None:
    text, s = src.text, re.escape(sock)
    shell = _JS_SHELL_PIPE.search(text)
    if shell and re.search(rf"\b{s}\.pipe\(|\.pipe\(\s*{s}\b|stdio\s*:\s*\[\s*{s}\b", text):
        return shell.start(), f"a shell's streams are piped to and from socket {sock}"
    if "child_process" not in text:
        return None
    data = re.compile(
        rf"\b{s}\.on\(\s*['\"]data['\"]\s*,\s*(?:async\s+)?(?:function\s*(?:{_NAME})?\s*)?"
        rf"\(?\s*({_NAME})"
    )
    for m in data.finditer(text):
        received = re.escape(m.group(1))
        handler = text[m.end() : m.end() + 1000]
        for run in _JS_RUN.finditer(handler):
            args = balanced(handler, run.end() - 1)[:200]
            if re.match(rf"\s*(?:String\(\s*)?{received}\b", args):
                return m.end() + run.start(), f"runs the commands socket {sock} receives"
    return None


SHELLS = Scanner(
    name="shells",
    check=text_check(check_shells),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    kinds={
        SignalKind.REVERSE_SHELL: KindInfo("a shell wired to a network connection", strong=True),
        SignalKind.BIND_SHELL: KindInfo(
            "a shell wired to a socket that listens for connections",
            strong=True,
        ),
    },
)
