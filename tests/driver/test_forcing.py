"""The exercisers' forcing and Windows persona, run on the host against test packages of
our own (the driver is stdlib-only; nothing here comes from a registry)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parents[2] / "sandbox_images" / "driver"
FORCED = "PKGSANDBOX-FORCED "

MISSING_IMPORT = '''
from never_installed_zq import Client
Client("token").connect()
print("AFTER THE FAILED IMPORT")
'''
WINDOWS_ONLY = r'''
import ctypes, os, pathlib, platform, subprocess, sys
if sys.platform == "win32" and os.name == "nt" and platform.system() == "Windows":
    import winreg, win32crypt
    winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run")
    ctypes.windll.user32.MessageBoxW(0, "x", "y", 0)
    store = os.getenv("APPDATA") + "\\discord\\Local Storage\\leveldb"
    print("LISTED", os.listdir(store))
    print("READ", open("C:\\Users\\someone\\AppData\\Roaming\\discord\\Local Storage\\leveldb"
                       "\\000005.ldb").read())
    print("PATHLIB", [p.name for p in pathlib.Path(store).iterdir()])
    print("DPAPI", win32crypt.CryptUnprotectData(b"plain", None, None, None, 0)[1])
    subprocess.Popen(["true"], startupinfo=subprocess.STARTUPINFO(),
                     creationflags=subprocess.CREATE_NO_WINDOW).wait()
    print("POPEN OK")
'''
SETUP_PY = '''
import os
from setuptools import setup
from setuptools.command.install import install
class Hook(install):
    def run(self):
        install.run(self)
        if os.name == "nt":
            print("CMDCLASS ON WINDOWS")
class Tests(install):
    def run(self):
        print("THE TEST COMMAND RAN")
setup(name="gated", version="1.0", cmdclass={"install": Hook, "test": Tests})
'''


def make_dist(site: Path, name: str, code: str) -> None:
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(code)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n")


def exercise(site: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    run = subprocess.run(
        [sys.executable, str(DRIVER / "exercise_python.py"), *args], capture_output=True,
        text=True, timeout=60, check=False,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(site), **(env or {})})
    forced = [json.loads(line[len(FORCED):]) for line in run.stdout.splitlines()
              if line.startswith(FORCED)]
    return run.stdout + run.stderr, forced[-1] if forced else []


def test_a_failed_import_is_tried_again_with_stand_ins(tmp_path: Path) -> None:
    make_dist(tmp_path, "needs_missing", MISSING_IMPORT)
    output, forced = exercise(tmp_path, "import", "needs_missing")
    assert "AFTER THE FAILED IMPORT" in output
    assert "imported needs_missing with stand-ins" in output
    assert forced[:2] == ["never_installed_zq", "never_installed_zq.Client"]


def test_a_library_keeps_its_own_import_fallbacks(tmp_path: Path) -> None:
    """Only the package's own imports get stand-ins: json's fallback for a missing
    accelerator, or a library's `try: import x / except ImportError`, still works."""
    make_dist(tmp_path, "other_lib", "try:\n    import not_here_zq\nexcept ImportError:\n"
                                     "    not_here_zq = None\n")
    make_dist(tmp_path, "uses_lib", "import other_lib\nassert other_lib.not_here_zq is None\n"
                                    "import gone_zq\n")
    output, forced = exercise(tmp_path, "import", "uses_lib")
    assert "imported uses_lib with stand-ins" in output, output
    assert forced == ["gone_zq"]


def test_without_a_failure_nothing_is_forced(tmp_path: Path) -> None:
    make_dist(tmp_path, "plain_pkg", "import json\nVALUE = json.dumps(1)\n")
    output, forced = exercise(tmp_path, "import", "plain_pkg")
    assert "imported plain_pkg\n" in output and "stand-ins" not in output
    assert forced == []


def test_the_persona_answers_windows_and_maps_its_paths(tmp_path: Path) -> None:
    site, home = tmp_path / "site", tmp_path / "home"
    make_dist(site, "win_only", WINDOWS_ONLY)
    store = home / "AppData/Roaming/discord/Local Storage/leveldb"
    store.mkdir(parents=True)
    (store / "000005.ldb").write_text("canary-token")
    env = {"USERPROFILE": str(home), "APPDATA": str(home / "AppData/Roaming")}

    output, forced = exercise(site, "persona", "win_only", "", env=env)
    assert "LISTED ['000005.ldb']" in output, output
    assert "READ canary-token" in output
    assert "PATHLIB ['000005.ldb']" in output
    assert "DPAPI b'plain'" in output
    assert "POPEN OK" in output
    assert forced[0] == "persona:windows"
    assert {"winreg.OpenKey", "ctypes.windll.user32.MessageBoxW",
            "win32crypt.CryptUnprotectData", "subprocess.Popen(startupinfo=)"} <= set(forced)

    linux_output, linux_forced = exercise(site, "import", "win_only")
    assert "LISTED" not in linux_output and linux_forced == []


def test_the_persona_runs_an_sdists_setup_script_and_its_command_classes(
        tmp_path: Path) -> None:
    import tarfile

    site, source = tmp_path / "site", tmp_path / "gated-1.0"
    make_dist(site, "gated", "")
    source.mkdir()
    (source / "setup.py").write_text(SETUP_PY)
    sdist = tmp_path / "gated-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(source, arcname="gated-1.0")
    output, _ = exercise(site, "persona", "gated", str(sdist),
                         env={"USERPROFILE": str(tmp_path)})
    assert "CMDCLASS ON WINDOWS" in output, output
    assert "ran the install command as if on Windows" in output
    assert "THE TEST COMMAND RAN" not in output  # pip never runs `setup.py test`


NODE_PACKAGE = {
    "index.js": 'const c = require("never-installed-zq");\nnew c.Client().send("x");\n'
                'if (process.platform === "win32") console.log("NODE ON WINDOWS",'
                ' require("os").platform());\nmodule.exports = { hi: () => 1 };\n',
    "post.js": 'console.log("POSTINSTALL ON", process.platform);\n',
    "package.json": json.dumps({"name": "node-gated", "version": "1.0.0", "main": "index.js",
                                "scripts": {"postinstall": "node post.js"}}),
}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_stand_ins_and_the_persona(tmp_path: Path) -> None:
    folder = tmp_path / "node_modules" / "node-gated"
    folder.mkdir(parents=True)
    for name, text in NODE_PACKAGE.items():
        (folder / name).write_text(text)
    script = (DRIVER / "exercise_node.js").read_text()

    def run(mode: str) -> str:
        done = subprocess.run(["node", "-e", script, mode, "node-gated", str(DRIVER)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              check=False, env={"PATH": os.environ["PATH"],
                                                "USERPROFILE": str(tmp_path)})
        return done.stdout + done.stderr

    imported = run("import")
    assert "imported node-gated with stand-ins" in imported, imported
    assert "NODE ON WINDOWS" not in imported
    assert '"never-installed-zq"' in imported
    persona = run("persona")
    assert "POSTINSTALL ON win32" in persona, persona
    assert "ran postinstall as if on Windows" in persona
    assert "NODE ON WINDOWS win32" in persona
    assert '"persona:windows"' in persona


def test_https_still_works_under_the_persona(tmp_path: Path) -> None:
    """ssl asks sys.platform when it loads the default certificates: it must not go
    looking for Windows' certificate stores."""
    make_dist(tmp_path, "uses_tls", "import ssl\nssl.create_default_context()\n"
                                    "print('TLS CONTEXT OK')\n")
    output, _ = exercise(tmp_path, "persona", "uses_tls", "", env={"USERPROFILE": str(tmp_path)})
    assert "TLS CONTEXT OK" in output, output
