"""The Windows persona: the package's process is told it runs on Windows.

Most stealers and droppers on PyPI gate their payload on `sys.platform == "win32"` and
look under %APPDATA% for Discord, browser and wallet files. Under the persona Python
answers Windows to `sys.platform`, `os.name`, `platform.system()` and `platform.release()`,
the Windows-only modules are stand-ins (`win32crypt.CryptUnprotectData` hands back what
it was given: the bait's plaintext), and Windows paths (`C:\\Users\\...`, backslashes)
are mapped onto the home, where the driver laid the Windows bait. The environment
(%APPDATA% and the rest) is set by the driver. Stdlib only.
"""

import builtins
import io
import os
import pathlib
import platform
import re
import sqlite3
import sys

import standins

_DRIVE = re.compile(r"^([A-Za-z]):[\\/]*")


def windows_path(path):
    """A Windows path as the same place in this machine's home; anything else unchanged."""
    if isinstance(path, (bytes, int)) or path is None:
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    if not isinstance(text, str) or ("\\" not in text and not _DRIVE.match(text)):
        return path
    home = os.environ.get("USERPROFILE", os.path.expanduser("~"))
    match = _DRIVE.match(text)
    rest = text[match.end():] if match else text
    rest = rest.replace("\\", "/")
    if match:
        parts = [p for p in rest.split("/") if p]
        if len(parts) >= 2 and parts[0].lower() == "users":
            rest = "/".join([home.rstrip("/"), *parts[2:]])
        else:
            rest = "/".join([home.rstrip("/"), f".drive_{match.group(1).lower()}", *parts])
    return re.sub("/{2,}", "/", rest)


def _mapped(function, *positions):
    def wrapper(*args, **kwargs):
        args = list(args)
        for index in positions:
            if index < len(args):
                args[index] = windows_path(args[index])
        return function(*args, **kwargs)
    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__wrapped__ = function
    return wrapper


_FILE_FUNCTIONS = {"open": (0,), "stat": (0,), "lstat": (0,), "listdir": (0,), "scandir": (0,),
                   "mkdir": (0,), "makedirs": (0,), "remove": (0,), "unlink": (0,), "rmdir": (0,),
                   "rename": (0, 1), "replace": (0, 1), "chdir": (0,), "access": (0,),
                   "chmod": (0,), "utime": (0,)}


def _map_paths():
    builtins.open = _mapped(builtins.open, 0)
    io.open = builtins.open
    for name, positions in _FILE_FUNCTIONS.items():
        if hasattr(os, name):
            setattr(os, name, _mapped(getattr(os, name), *positions))
    sqlite3.connect = _mapped(sqlite3.connect, 0)
    os.path.expandvars = _expand_windows_vars(os.path.expandvars)


def _expand_windows_vars(expand):
    def expandvars(path):
        if isinstance(path, str):
            path = re.sub(r"%([A-Za-z_][A-Za-z0-9_]*)%",
                          lambda m: os.environ.get(m.group(1).upper(), m.group(0)), path)
        return expand(path)
    return expandvars


def _posix_paths_only():
    # With os.name "nt", pathlib.Path() would make a WindowsPath, which refuses to exist here.
    def __new__(cls, *args, **kwargs):
        if cls is pathlib.Path:
            cls = pathlib.PosixPath
        return cls._from_parts([windows_path(a) for a in args])
    pathlib.Path.__new__ = __new__


def _as_linux(function):
    """The standard library's own code that asks sys.platform at call time (ssl's default
    certificates would read Windows' certificate stores) runs as what it really is on."""
    def wrapper(*args, **kwargs):
        saved = sys.platform, os.name
        sys.platform, os.name = "linux", "posix"
        try:
            return function(*args, **kwargs)
        finally:
            sys.platform, os.name = saved
    wrapper.__wrapped__ = function
    return wrapper


def _crypt_unprotect(data, *args, **kwargs):
    """DPAPI as seen from the user's own session: the plaintext, which is the bait."""
    standins.record("win32crypt.CryptUnprotectData")
    return ("", bytes(data) if not isinstance(data, standins.StandIn) else b"")


def _windows_modules():
    crypt = standins.StandInModule("win32crypt")
    crypt.CryptUnprotectData = _crypt_unprotect
    sys.modules["win32crypt"] = crypt


# Imported before the persona: on "win32" they would reach for Windows-only internals.
PREIMPORT = ("asyncio", "ssl", "socket", "http.client", "urllib.request", "json", "shutil",
             "tempfile", "getpass", "uuid", "mimetypes", "email.message", "logging", "zipfile",
             "base64", "hashlib", "sqlite3", "threading", "multiprocessing", "ctypes.util",
             "ctypes.wintypes", "requests", "urllib3", "httpx", "aiohttp")


def enable(importers):
    for name in PREIMPORT:
        try:
            __import__(name)
        except Exception:  # noqa: S112 - a library that is not installed is not needed
            continue
    standins.enable(importers, windows_modules=True)
    import tempfile
    # Chosen now, without gettempdir()'s probe (a file made and deleted in the home):
    # with os.name "nt" it would look for C:\\TEMP.
    tempfile.tempdir = os.environ.get("TEMP") or "/tmp"  # noqa: S108 - inside the sandbox
    _windows_modules()
    _posix_paths_only()
    _map_paths()
    import ssl
    ssl.SSLContext.load_default_certs = _as_linux(ssl.SSLContext.load_default_certs)
    sys.platform = "win32"
    os.name = "nt"
    platform.system = lambda: "Windows"
    platform.release = lambda: "10"
    platform.version = lambda: "10.0.19045"
    platform.platform = lambda *args, **kwargs: "Windows-10-10.0.19045-SP0"
    platform.win32_ver = lambda *args, **kwargs: ("10", "10.0.19045", "SP0", "Multiprocessor Free")
    platform.uname = _uname(platform.uname)
    standins.record("persona:windows")


SETUP_SECONDS = 20
SETUP_MEMBERS = 5000


def run_setup_script(artifact):
    """An sdist's setup.py once more under the persona, and the `run` of each command class
    it gives `setup()`: the install hooks that pip ran on Linux, now on "Windows"."""
    import runpy
    import signal
    import tarfile
    import tempfile
    import zipfile
    if not artifact or not artifact.endswith((".tar.gz", ".tgz", ".zip", ".tar.bz2")):
        return
    folder = tempfile.mkdtemp(prefix="pip-install-", dir="/tmp")  # noqa: S108 - as pip does
    try:
        if artifact.endswith(".zip"):
            # Inside the sandbox, as the package's user; zipfile drops ../ and leading /.
            with zipfile.ZipFile(artifact) as archive:
                archive.extractall(folder, members=archive.namelist()[:SETUP_MEMBERS])  # noqa: S202
        else:
            # Regular files with relative names only (Debian's 3.11.2 has no filter="data").
            with tarfile.open(artifact) as archive:
                archive.extractall(folder, members=[  # noqa: S202
                    m for m in archive.getmembers()[:SETUP_MEMBERS] if m.isfile()
                    and not m.name.startswith("/") and ".." not in m.name.split("/")])
    except (OSError, tarfile.TarError, zipfile.BadZipFile, ValueError, TypeError) as exc:
        print(f"persona: could not unpack the sdist: {exc}")
        return
    scripts = sorted((os.path.join(root, "setup.py") for root, _, files in os.walk(folder)
                      if "setup.py" in files), key=len)
    if not scripts:
        return
    _stub_setup()
    script = scripts[0]
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    sys.argv = [script, "install"]
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(SETUP_SECONDS)
    try:
        os.chdir(os.path.dirname(script))
        sys.path.insert(0, os.path.dirname(script))
        runpy.run_path(script, run_name="__main__")
        print("ran setup.py as if on Windows")
    except BaseException as exc:  # the package's own exceptions, SystemExit included
        print(f"persona: setup.py: {type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        sys.path.remove(os.path.dirname(script))


class _SetupTimeout(Exception):
    pass


def _timeout(signum, frame):
    raise _SetupTimeout()


# The setuptools commands an install by pip runs (building the wheel, the metadata, an
# editable install); a package's `test`, `clean` or `upload` command is never run by it.
PIP_RUNS_COMMANDS = frozenset({
    "egg_info", "dist_info", "bdist_wheel", "build", "build_py", "build_ext", "build_clib",
    "build_scripts", "install", "install_lib", "install_scripts", "install_data",
    "install_headers", "install_egg_info", "develop", "editable_wheel",
})


def _stub_setup():
    """`setup()` runs the `run` of each command class it is given that pip would run,
    and nothing else."""
    def setup(*args, **kwargs):
        for name, command in dict(kwargs.get("cmdclass") or {}).items():
            if name not in PIP_RUNS_COMMANDS:
                continue
            for base in command.__mro__[1:]:
                if base.__module__.startswith(("setuptools", "distutils")) and "run" in vars(base):
                    base.run = lambda self: None  # the real build is not what we are after
            try:
                command.run(command.__new__(command))
                print(f"ran the {name} command as if on Windows")
            except Exception as exc:  # noqa: BLE001 - the package's own failures
                print(f"persona: {name} command: {type(exc).__name__}: {exc}")
    for module_name in ("setuptools", "distutils.core"):
        try:
            module = __import__(module_name, fromlist=["setup"])
        except ImportError:
            continue
        module.setup = setup


def _uname(uname):
    def windows_uname():
        real = uname()
        return platform.uname_result("Windows", real.node, "10", "10.0.19045", "AMD64")
    return windows_uname
