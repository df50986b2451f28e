"""Forced execution: what a payload needs in order to go on, handed out as stand-ins.

A module that cannot be imported (a dependency that could not be had, a Windows-only
module) and the Windows-only names of ctypes, subprocess, os and msvcrt are answered by
a permissive stand-in: any attribute, call, iteration or `with` gives another stand-in,
so the code after a failed import runs. Every stand-in handed out is recorded by name,
and the exerciser reports them. Stdlib only; runs inside the package's own process.
"""

import builtins
import ctypes
import importlib.abc
import importlib.machinery
import os
import subprocess
import sys
import types

MAX_RECORDED = 200
handed_out: dict[str, None] = {}  # name -> None, in the order first handed out


def record(name):
    if len(handed_out) < MAX_RECORDED:
        handed_out.setdefault(name, None)


class StandIn:
    """Anything at all: each use gives another stand-in, named after the path taken."""

    def __init__(self, name):
        object.__setattr__(self, "_standin_name", name)

    def _child(self, part):
        name = f"{self._standin_name}{part}"
        record(name.split("(")[0])
        return StandIn(name)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # pickling, copying and typing probes stay honest
        return self._child(f".{attr}")

    def __setattr__(self, attr, value):
        pass

    def __call__(self, *args, **kwargs):
        return self._child("()")

    def __getitem__(self, key):
        return self._child("[]")

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __str__(self):
        return ""

    def __repr__(self):
        return f"<stand-in {self._standin_name}>"

    def __fspath__(self):
        return os.devnull

    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return id(self)

    def __mro_entries__(self, bases):
        return (object,)  # `class Hook(missing.Base):` still defines a class


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "or", "and", "xor",
            "lshift", "rshift"):
    for _name in (f"__{_op}__", f"__r{_op}__"):
        setattr(StandIn, _name, lambda self, other: self._child("()"))


class StandInModule(types.ModuleType):
    """A module that was not there: every name imported from it is a stand-in."""

    def __init__(self, name):
        super().__init__(name)
        self.__path__ = []  # a package, so `import missing.sub` works too

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        record(f"{self.__name__}.{attr}")
        return StandIn(f"{self.__name__}.{attr}")


class _StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        record(spec.name)
        return StandInModule(spec.name)

    def exec_module(self, module):
        pass


class WindowsModuleFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: Windows-only modules are stand-ins, for every importer."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in WINDOWS_MODULES:
            return None
        return importlib.machinery.ModuleSpec(name, _StandInLoader(), is_package=True)


def _import_with_stand_ins(importers):
    """`import` that answers a missing module with a stand-in, for the package's own code.

    Only imports made by the package's modules (`importers`, top-level names) are
    answered: a library's own `try: import x / except ImportError` keeps working."""
    original = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        importer = str((globals or {}).get("__name__") or "").split(".")[0]
        for _ in range(8):  # one stand-in per missing part of a dotted name
            try:
                return original(name, globals, locals, fromlist, level)
            except ModuleNotFoundError as exc:
                if importer not in importers or not exc.name or exc.name in sys.modules:
                    raise
                record(exc.name)
                sys.modules[exc.name] = StandInModule(exc.name)
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = __import__


# Windows-only names the payloads reach for first. Given on Linux only while forcing.
WINDOWS_MODULES = ("winreg", "_winreg", "msvcrt", "_winapi", "winsound", "win32api", "win32con",
                   "win32crypt", "win32clipboard", "win32gui", "win32process", "win32com",
                   "win32security", "pywintypes", "pythoncom", "wmi")
CTYPES_NAMES = ("windll", "oledll", "WinDLL", "OleDLL", "WINFUNCTYPE", "WinError", "FormatError",
                "GetLastError")
SUBPROCESS_NAMES = {"STARTUPINFO": None, "STARTF_USESHOWWINDOW": 1, "STARTF_USESTDHANDLES": 256,
                    "SW_HIDE": 0, "CREATE_NO_WINDOW": 0x08000000, "CREATE_NEW_CONSOLE": 0x10,
                    "DETACHED_PROCESS": 0x8, "CREATE_NEW_PROCESS_GROUP": 0x200,
                    "HIGH_PRIORITY_CLASS": 0x80, "BELOW_NORMAL_PRIORITY_CLASS": 0x4000}
_WINDOWS_ONLY_POPEN_ARGS = ("startupinfo", "creationflags")


def _popen_without_windows_arguments():
    """Popen on Linux refuses `startupinfo` and `creationflags`: drop them, keep the launch."""
    original = subprocess.Popen.__init__

    def __init__(self, *args, **kwargs):
        for name in _WINDOWS_ONLY_POPEN_ARGS:
            if kwargs.pop(name, None):
                record(f"subprocess.Popen({name}=)")
        original(self, *args, **kwargs)

    subprocess.Popen.__init__ = __init__


def _startfile(path, *args, **kwargs):
    """Launch what a payload hands to os.startfile, as Windows would: an exec attempt."""
    record("os.startfile")
    target = os.fspath(path)
    try:
        os.chmod(target, os.stat(target).st_mode | 0o111)  # noqa: S103 - as Windows runs it
        subprocess.Popen([target], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        print(f"os.startfile({target!r}): {exc.strerror}")


_enabled: list[bool] = []


def enable(importers, windows_modules=False):
    """Turn forcing on for this process: missing modules imported by the package's own
    modules (`importers`: top-level names), the Windows-only names of ctypes, subprocess
    and os; with `windows_modules`, Windows-only modules for every importer (persona)."""
    if _enabled:
        return
    _enabled.append(True)
    _import_with_stand_ins(set(importers) | {"__main__"})
    if windows_modules:
        for name in WINDOWS_MODULES:
            sys.modules.pop(name, None)
        # Ours first: a `wmi` from PyPI is not Windows' wmi.
        sys.meta_path.insert(0, WindowsModuleFinder())
    for name in CTYPES_NAMES:
        if not hasattr(ctypes, name):
            setattr(ctypes, name, StandIn(f"ctypes.{name}"))
    for name, value in SUBPROCESS_NAMES.items():
        if not hasattr(subprocess, name):
            setattr(subprocess, name, StandIn(f"subprocess.{name}") if value is None else value)
    if not hasattr(os, "startfile"):
        os.startfile = _startfile
    _popen_without_windows_arguments()


def forget_modules(before):
    """Drop the modules imported since `before` (a set of names), so a retry runs afresh."""
    for name in set(sys.modules) - before:
        sys.modules.pop(name, None)
