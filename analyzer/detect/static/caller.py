"""Library functions that send away what their caller holds: the wallet key or seed
phrase they are handed, or the source of the program that calls them.

A wallet library signs with a key and sends the signed result; a client sends what it is
asked to. Neither sends the key itself, nor reads its caller's source file off the call
stack and posts it. The check follows a key parameter through plain assignments (into a
dict, a list, an f-string, json.dumps) but not through other calls (`sign(tx, key)`
makes something new), to a request made in the same function, directly or through a
helper of the same file that makes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.network import REQUEST_CALL
from analyzer.detect.static.text import Lang, SourceFile
from analyzer.signals import SignalKind, StaticSignal

_HINTS = ("private", "priv_key", "privkey", "mnemonic", "seed", "secret_key", "secretkey",
          "inspect.stack", "_getframe", "currentframe")  # fmt: skip
_KEY_PARAM = re.compile(
    r"(?i)(?:private|priv|secret|wallet|signing)_?key|mnemonic\w*|seed(?:_?phrase|_?words)?"
    r"|recovery_?phrase"
)
_DEF = re.compile(r"(?m)^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(([^)]*)\)[^\n]*:")
_ASSIGN = re.compile(r"^[ \t]*([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=(?!=)(.*)$")
# Calls that keep their argument whole: the key is still in what they return.
_TRANSPARENT = frozenset({"dict", "list", "tuple", "set", "str", "repr", "format", "dumps",
                          "encode", "b64encode", "urlencode", "quote", "join"})  # fmt: skip
_CALL = re.compile(r"([A-Za-z_][\w.]*)\s*\(")
_SENDS = frozenset({"post", "put", "patch", "get", "request", "urlopen", "Request", "send",
                    "sendall", "sendto"})  # fmt: skip
_STACK = re.compile(r"\binspect\.stack\s*\(|\bsys\._getframe\s*\(|\binspect\.currentframe\s*\(")
_CALLER_FILE = re.compile(r"\bopen\s*\(\s*(?:\w+\.)*(?:filename|f_code\.co_filename)\b"
                          r"|\bopen\s*\(\s*filename\b")
_BODY_LINES = 120
_URL_LITERAL = re.compile(r"['\"]https?://")


@dataclass(frozen=True)
class _Function:
    name: str
    params: tuple[str, ...]
    lines: tuple[tuple[int, str], ...]  # (offset, text) of the body


def _functions(src: SourceFile) -> list[_Function]:
    found = []
    for m in _DEF.finditer(src.text):
        indent = len(m.group(1).expandtabs())
        params = tuple(p.split(":")[0].split("=")[0].strip().lstrip("*")
                       for p in m.group(3).split(","))
        body: list[tuple[int, str]] = []
        offset = m.end() + 1
        for line in src.text[offset:].split("\n")[:_BODY_LINES]:
            stripped = line.strip()
            if stripped and len(line) - len(line.lstrip()) <= indent:
                break
            body.append((offset, line))
            offset += len(line) + 1
        found.append(_Function(m.group(2), params, tuple(body)))
    return found


def _bare_uses(text: str, names: set[str], senders: frozenset[str]) -> bool:
    """Whether `text` uses one of `names` whole: bare, in a literal, or as the argument of
    a call that keeps it (json.dumps) or sends it; not only inside another call."""
    for name in names:
        for m in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w(])", text):
            open_calls = [c for c in _CALL.finditer(text, 0, m.start())
                          if _closes_after(text, c.end(), m.start())]
            call = open_calls[-1].group(1).rsplit(".", 1)[-1] if open_calls else None
            if call is None or call in _TRANSPARENT or call in _SENDS or call in senders:
                return True
    return False


def _closes_after(text: str, open_at: int, position: int) -> bool:
    """Whether the bracket opened at `open_at` is still open at `position`."""
    depth = 1
    for ch in text[open_at:position]:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return False
    return True


def check_caller_exfil(src: SourceFile) -> Iterator[StaticSignal]:
    if src.lang is not Lang.PYTHON or not src.has(*_HINTS):
        return
    functions = _functions(src)
    # Helpers of this file that make a request: calling one is making it.
    senders = frozenset(
        f.name for f in functions if any(REQUEST_CALL.search(t) for _, t in f.lines))
    helpers = "".join(rf"|\b{re.escape(n)}\s*\(" for n in senders)
    send = re.compile(REQUEST_CALL.pattern + helpers)
    for function in functions:
        found = _key_sent(function, send, senders) or _caller_source_sent(function, send)
        if found is not None:
            offset, what = found
            yield src.signal(SignalKind.CALLER_DATA_EXFIL, offset, f"{function.name}() {what}")
            return


def _key_sent(function: _Function, send: re.Pattern[str],
              senders: frozenset[str]) -> tuple[int, str] | None:
    keys = {p for p in function.params if _KEY_PARAM.fullmatch(p)}
    if not keys:
        return None
    tainted = set(keys)
    assignments: dict[str, str] = {}
    for offset, text in function.lines:
        if _fixed_send(text, send, function.params, assignments) and _bare_uses(
                text, tainted, senders):
            return offset, f"sends the {sorted(keys)[0]} it is given to an address of its own"
        assigned = _ASSIGN.match(text)
        if assigned:
            assignments[assigned.group(1)] = assigned.group(2)
            if _bare_uses(assigned.group(2), tainted, senders):
                tainted.add(assigned.group(1))
    return None


def _fixed_send(text: str, send: re.Pattern[str], params: tuple[str, ...],
                assignments: dict[str, str]) -> bool:
    """A request on this line to an address the function fixes itself: a URL literal, or
    a name it made from neither its parameters nor `self` (a key management service the
    caller configured is the caller's choice)."""
    call = send.search(text)
    if call is None or text[: call.start()].rstrip().endswith("self."):
        return False
    if _URL_LITERAL.search(text):
        return True
    first = re.match(r"\s*(?:url\s*=\s*)?([A-Za-z_]\w*)\s*[,)]", text[call.end():])
    if first is None or first.group(1) not in assignments:
        return False
    made_from = assignments[first.group(1)]
    return not re.search(r"\bself\b", made_from) and not any(
        re.search(rf"(?<![\w.]){re.escape(p)}\b", made_from) for p in params if p)


def _caller_source_sent(function: _Function, send: re.Pattern[str]) -> tuple[int, str] | None:
    body = "\n".join(t for _, t in function.lines)
    if not (_STACK.search(body) and _CALLER_FILE.search(body)):
        return None
    reading = False
    for offset, text in function.lines:
        reading = reading or bool(_CALLER_FILE.search(text))
        if reading and send.search(text) and _URL_LITERAL.search(text):
            return offset, "reads its callers' source files off the call stack and sends them"
    return None


CALLER_EXFIL = Scanner(
    name="caller-exfil",
    check=text_check(check_caller_exfil),
    reads=frozenset({Reads.SOURCE}),
    langs=frozenset({Lang.PYTHON}),
    kinds={
        SignalKind.CALLER_DATA_EXFIL: KindInfo(
            "a function sends away the wallet key or seed phrase it is given, or its callers' "
            "source files",
            strong=True,
        ),
    },
)
