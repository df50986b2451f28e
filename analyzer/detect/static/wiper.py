"""Wipers: code that walks the user's home folder (or /) and deletes or overwrites its files.

Honest code deletes inside folders it owns (a build folder, a cache, a temporary
folder), so the signal needs the walk to start at the home folder or the root, or at
folders of the user's own data in it (~/Documents, ~/.ssh, ~/projects...). Python is
read through its syntax tree (wiper_python.py), so a walk over a function's
parameter counts when a call passes the home folder; JavaScript by patterns around
recursive readdir functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.text import Lang, SourceFile, balanced, clue
from analyzer.detect.static.wiper_python import USER_DATA, python_wipes
from analyzer.signals import SignalKind, StaticSignal

_SHELL_WIPE = (
    clue("rm -|rm --",
         r"\brm\s+(?=[^\n;|&]{0,40}?(?<![\w-])-(?:\w*[rR]|-recursive))"  # a recursive flag
         r"(?:-\w*[rR]\w*\s+|--recursive\s+|--no-preserve-root\s+|-f\s+){1,3}"
         r"['\"]?(?:~|\$HOME|\$\{HOME\}|/home|/Users|/)/?\*?['\"]?(?=[\s;&|)'\"`]|$)",
         "rm -r of the home folder or /"),
    clue("rd /|rmdir /|del /", r"(?i)\b(?:rd|rmdir|del)\s+(?:/[sqf]\s+){1,3}['\"]?"
         r"(?:%USERPROFILE%|%HOMEPATH%|[A-Z]:\\)\\?\*?['\"]?(?=[\s;&|)'\"`]|$)",
         "recursive delete of the user profile or a drive"),
)  # fmt: skip
# In Python or JavaScript the command must be run on the line it is written on: a message
# like "refusing to rm -rf /" is not a wipe.
_RUNS = re.compile(
    r"\b(?:system|popen|Popen|call|run|check_call|check_output|exec|execSync|spawn|spawnSync)\s*\("
)


def _runs(src: SourceFile, offset: int) -> bool:
    if src.lang not in (Lang.PYTHON, Lang.JS):
        return True  # shell, batch, PowerShell, package.json scripts
    return _RUNS.search(src.line_text(src.line_of(offset))) is not None


def check_wiper(src: SourceFile) -> Iterator[StaticSignal]:
    for entry in _SHELL_WIPE:
        m = entry.search(src)
        if m and not src.is_comment(m.start()) and _runs(src, m.start()):
            yield src.signal(SignalKind.WIPER, m.start(), entry.what)
    if src.lang is Lang.PYTHON:
        for offset, detail in python_wipes(src):
            yield src.signal(SignalKind.WIPER, offset, detail)
    elif src.lang is Lang.JS and src.has("homedir", "home", "userprofile", "'/'", '"/"'):
        yield from _javascript(src)


# --- JavaScript ---------------------------------------------------------------------------

_JS_FUNCTION = re.compile(
    r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)"
    r"|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\s*\w*\s*)?"
    r"\(\s*([A-Za-z_$][\w$]*)[^)]*\)\s*(?:=>)?\s*\{"
)
_JS_READDIR = re.compile(r"\breaddir(?:Sync)?\s*\(|\bopendirSync?\s*\(|\bglob(?:Sync)?\s*\(")
_JS_DELETE = re.compile(
    r"\b(?:unlink|rm|rmdir|writeFile|truncate|unlinkSync|rmSync|rmdirSync|writeFileSync"
    r"|truncateSync|rimraf(?:\.sync)?)\s*\("
)
_JS_HOME = re.compile(
    r"\bhomedir\(\)|\bprocess\.env\.(?:HOME|USERPROFILE)\b|process\.env\[['\"](?:HOME|USERPROFILE)"
)
_JS_STRING = re.compile(r"['\"`]([^'\"`\n]{1,40})['\"`]")


def _javascript(src: SourceFile) -> Iterator[StaticSignal]:
    text = src.text
    if not _JS_DELETE.search(text):
        return
    if not (_JS_READDIR.search(text) or "rimraf" in text or "rmSync" in text):
        return
    home_names = {
        name for name, values in src.assignments.items() if any(_JS_HOME.search(v) for v in values)
    }
    for m in _JS_FUNCTION.finditer(text):
        name = m.group(1) or m.group(3)
        body_start = text.find("{", m.end() - 1)
        body = balanced(text, body_start, limit=6000) if body_start != -1 else ""
        recursive = re.search(rf"(?<![\w$.]){re.escape(name)}\s*\(", body) or re.search(
            r"recursive\s*:\s*true", body
        )
        if not (recursive and _JS_READDIR.search(body) and _JS_DELETE.search(body)):
            continue
        for call in re.finditer(rf"(?<![\w$.]){re.escape(name)}\s*\(", text):
            if body_start <= call.start() <= body_start + len(body):
                continue  # the recursion itself
            arg = _first_arg(balanced(text, call.end() - 1, limit=300))
            where = _js_home(arg, text, home_names)
            if where:
                detail = f"{name}() walks {where} and deletes or overwrites the files"
                yield src.signal(SignalKind.WIPER, call.start(), detail)
                return
    for m in re.finditer(r"\b(?:rmSync|rm|rimraf(?:\.sync)?)\s*\(", text):
        arg = balanced(text, m.end() - 1, limit=300)
        first = _first_arg(arg)
        if "rimraf" in m.group() or re.search(r"recursive\s*:\s*true", arg):
            where = _js_home(first, text, home_names)
            if where:
                yield src.signal(SignalKind.WIPER, m.start(), f"recursive delete of {where}")
                return


def _first_arg(args: str) -> str:
    """The first of comma-separated arguments (brackets nest; strings are not parsed)."""
    depth = 0
    for i, ch in enumerate(args):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            return args[:i].strip()
    return args.strip()


def _js_home(arg: str, text: str, home_names: set[str]) -> str | None:
    if _JS_HOME.fullmatch(re.sub(r"^(?:os|require\(['\"]os['\"]\))\.", "", arg)) or (
        arg in home_names
    ):
        return "~"
    if re.fullmatch(r"['\"`]/['\"`]", arg):
        return "/"
    joined = re.fullmatch(r"(?:path\.)?(?:join|resolve)\(\s*([^,]+),\s*([^,)]+)\)?", arg)
    if not joined:
        return None
    base, part = joined.group(1).strip(), joined.group(2).strip()
    if _js_home(base, text, home_names) is None:
        return None
    names = [s.group(1) for s in [_JS_STRING.fullmatch(part)] if s]
    if re.fullmatch(r"[A-Za-z_$][\w$]*", part):
        loop = re.search(rf"\b{re.escape(part)}\s+of\s+([A-Za-z_$][\w$.]*)", text)
        array = loop.group(1) if loop else None
        lit = (
            re.search(rf"\b{re.escape(array)}\s*=\s*\[([^\]]{{0,2000}})\]", text) if array else None
        )
        names += _JS_STRING.findall(lit.group(1)) if lit else []
    hits = [n for n in names if n.strip("/").lower() in USER_DATA]
    return f"~/{hits[0].strip('/')}" if hits else None


WIPER = Scanner(
    name="wiper",
    check=text_check(check_wiper),
    reads=frozenset({Reads.SOURCE, Reads.DECODED, Reads.MANIFEST}),
    kinds={
        SignalKind.WIPER: KindInfo(
            "walks the home folder or / and deletes or overwrites the files in it",
            strong=True,
        ),
    },
)
