"""Names of exec, eval, system and friends assembled from pieces and then looked up.

Small synthetic snippets (no real malware); nothing is run.
"""

from __future__ import annotations

import pytest

from analyzer.detect.static.scan import SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem


def scan(path: str, body: str) -> list[StaticSignal]:
    ecosystem = Ecosystem.NPM if path.startswith("package/") else Ecosystem.PYPI
    return list(scan_package([(path, body.encode())], ecosystem))


def assembled(path: str, body: str) -> list[str]:
    return [
        s.detail
        for s in scan(path, body)
        if s.kind is SignalKind.OBFUSCATION and "assembled" in s.detail
    ]


PY = "pkg-1.0/pkg/util.py"
JS = "package/lib/util.js"


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        (PY, "import builtins\nf = getattr(builtins, ''.join(map(chr, (101, 120, 101, 99))))\n",
         "exec"),
        (PY, "f = getattr(__import__('builtins'), 'lave'[::-1])\n", "eval"),
        (PY, "import os\nrun = getattr(os, 'sys' + 'tem')\n", "system"),
        (PY, "name = ''.join(['ex', 'ec'])\nf = globals()['__builtins__'][name]\n", "exec"),
        (PY, "m = __import__(bytes.fromhex('6f73').decode())\n", "os"),
        (PY, "f = getattr(__builtins__, ''.join(chr(c) for c in [101, 118, 97, 108]))\n", "eval"),
        (PY, "import codecs\nf = getattr(__builtins__, codecs.decode('rkrp', 'rot13'))\n", "exec"),
        (JS, "const cp = require('child_' + 'process');\n", "child_process"),
        (JS, "global[String.fromCharCode(101, 118, 97, 108)](code);\n", "eval"),
        (JS, "const k = 'cexe'.split('').reverse().join('');\ncp[k](cmd);\n", "exec"),
        (JS, "window[['ev', 'al'].join('')](s);\n", "eval"),
        (JS, "this[atob('ZXZhbA==')](s);\n", "eval"),
        (JS, "proc['\\x65\\x78\\x65\\x63' + 'Sync'](cmd);\n", "execSync"),
    ],  # fmt: skip
    ids=["py-map-chr", "py-reversed", "py-concat", "py-join-name", "py-fromhex-import",
         "py-genexpr", "py-rot13", "js-require", "js-fromcharcode", "js-reversed", "js-join",
         "js-atob", "js-escapes"],  # fmt: skip
)
def test_assembled_dangerous_name(path: str, body: str, name: str) -> None:
    assert assembled(path, body) == [f"the name {name!r} assembled from pieces and looked up"]


def test_call_of_an_assembled_exec_is_an_exec_sink() -> None:
    body = (
        "import base64, zlib\nBLOB = ('eJwrKMrMK1EozsgvzUlRKMnILFYAAD6VBnM=',)\n"
        "getattr(__import__('builtins'), ''.join(map(chr, (101, 120, 101, 99))))(\n"
        "    zlib.decompress(base64.b64decode(''.join(BLOB))))\n"
    )
    [found] = [s for s in scan(PY, body) if s.kind is SignalKind.EXEC_DECODED]
    assert found.line == 3 and found.detail.startswith("exec (assembled name) of data through")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (PY, "SEP = ''.join(map(chr, [9, 10, 13, 32]))\nBAR = chr(0x2500) * 40\n"),
        (PY, "value = getattr(obj, 'get_' + field)\nhandler = getattr(self, 'do_' + 'GET')\n"),
        (PY, "title = ''.join(['Hello', ', ', 'world'])\nprint(getattr(config, 'na' + 'me'))\n"),
        (PY, "import builtins\nprint_ = getattr(builtins, 'print')\n"),
        (JS, "const label = String.fromCharCode(72, 105);\nel[['data', 'id'].join('-')] = 1;\n"),
        (JS, "const fn = obj['on' + name];\nconst x = cache['key-' + id];\n"),
        (JS, "const cp = require('child_process');\ncp.exec('ls');\n"),
    ],
    ids=["chr-text", "getattr-prefix", "joined-text", "plain-literal", "js-text", "js-dynamic",
         "js-plain-require"],  # fmt: skip
)
def test_ordinary_text_and_dynamic_lookups_are_quiet(path: str, body: str) -> None:
    assert assembled(path, body) == []
