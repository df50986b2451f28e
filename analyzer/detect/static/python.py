"""setup.py and .pth: the Python files that run while a package is being installed."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.text import Lang, SourceFile, clip, display
from analyzer.signals import MAX_SIGNALS_PER_CHECK, FileRole, SignalKind, StaticSignal

# Commands pip runs while installing an sdist; build_ext/build_py/sdist overrides are the
# ordinary way to compile extensions or generate files, so they are not reported.
_HOOK_COMMANDS = frozenset(
    {"install", "develop", "egg_info", "build", "bdist_egg", "easy_install", "install_lib",
     "install_scripts", "install_data", "dist_info"}
)  # fmt: skip
# Commands only a developer runs (never pip): code in their classes is not install-time.
_DEV_COMMANDS = frozenset(
    {"test", "pytest", "sdist", "upload", "register", "clean", "check", "docs", "build_sphinx",
     "lint", "flake8", "format", "coverage", "release", "publish", "bdist_rpm", "tox"}
)  # fmt: skip
_BUILD_TOOLS = frozenset(
    {"git", "hg", "svn", "pkg-config", "cython", "cythonize", "make", "cmake", "ninja", "meson",
     "gcc", "g++", "cc", "c++", "clang", "clang++", "cl", "nvcc", "swig", "xcrun", "sw_vers",
     "uname", "lsb_release", "ldconfig", "rustc", "cargo", "go", "llvm-config", "mpicc", "nm",
     "otool", "install_name_tool", "patchelf", "pandoc", "protoc", "f2py", "gfortran",
     "python-config", "pg_config", "mysql_config", "xml2-config", "xslt-config", "icu-config",
     "curl-config", "which", "where", "configure", "./configure", "autoreconf", "brew"}
)  # fmt: skip
_PROCESS_FUNCS = frozenset(
    {"system", "popen", "Popen", "call", "check_call", "check_output", "run", "getoutput",
     "getstatusoutput", "startfile", "spawn", "execv", "execve", "execvp", "execl", "execlp",
     "spawnv", "spawnl", "spawnlp", "spawnvp"}
)  # fmt: skip
# Real setup.py files are a few KB; a huge one is parsed by pattern (the AST costs seconds).
_MAX_AST_CHARS = 512 * 1024
_PROCESS_MODULES = ("os", "subprocess", "pty", "commands", "sh")
_NETWORK_NAMES = frozenset(
    {"urlopen", "urlretrieve", "create_connection", "HTTPConnection", "HTTPSConnection",
     "FTP", "SMTP", "PoolManager", "build_opener"}
)  # fmt: skip
_NETWORK_MODULES = ("requests.", "httpx.", "urllib3.", "aiohttp.", "socket.socket", "ftplib.")


def dotted_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return dotted_name(node.func) + "()"
    return "?"


def _is_file_read(node: ast.expr, read_names: set[str]) -> bool:
    """open(...).read(), f.read(), Path(...).read_text(), or a name holding one of those."""
    if isinstance(node, ast.Name):
        return node.id in read_names
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("read", "read_text"):
            return True
        if dotted_name(node.func) == "compile" and node.args:
            return _is_file_read(node.args[0], read_names)
    return False


class _SetupVisitor(ast.NodeVisitor):
    def __init__(self, src: SourceFile, tree: ast.Module) -> None:
        self.src = src
        self.scope: list[str] = []
        self.signals: list[StaticSignal] = []
        self.process_aliases: set[str] = set()
        self.read_names: set[str] = set()
        self.dev_only = {
            target for _, command, target in _commands(tree) if command in _DEV_COMMANDS
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "") in _PROCESS_MODULES:
                self.process_aliases |= {a.asname or a.name for a in node.names}
            if isinstance(node, ast.Assign) and _is_file_read(node.value, set()):
                self.read_names |= {t.id for t in node.targets if isinstance(t, ast.Name)}

    def _emit(self, kind: SignalKind, node: ast.AST, detail: str) -> None:
        if self.scope and self.scope[0] in self.dev_only:
            return
        if len(self.signals) >= MAX_SIGNALS_PER_CHECK:
            return
        where = f"in {'.'.join(self.scope)}" if self.scope else "at module level"
        offset = self.src.offset_of(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        self.signals.append(self.src.signal(kind, offset, f"{detail} ({where})"))

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        if len(self.signals) >= MAX_SIGNALS_PER_CHECK:
            return
        name = dotted_name(node.func)
        last = name.rsplit(".", 1)[-1]
        module = name.rsplit(".", 1)[0] if "." in name else ""
        if last in _PROCESS_FUNCS and (
            module.split(".")[-1] in _PROCESS_MODULES or name in self.process_aliases
        ):
            command = _command_text(node)
            if command.split()[:1] and command.split()[0].rsplit("/", 1)[-1] not in _BUILD_TOOLS:
                self._emit(SignalKind.SETUP_RUNS_PROCESS, node, f"{name}: {command}")
        elif last in _NETWORK_NAMES or name.startswith(_NETWORK_MODULES):
            self._emit(SignalKind.SETUP_NETWORK, node, f"calls {name}")
        elif name in ("exec", "eval") or name.endswith((".exec", ".eval")):
            arg = node.args[0] if node.args else None
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str | bytes)
            if arg is not None and not literal and not _is_file_read(arg, self.read_names):
                shown = display(clip(ast.unparse(arg), width=120))
                self._emit(SignalKind.SETUP_EXEC, node, f"{name} of {shown}")
        self.generic_visit(node)


def _command_text(call: ast.Call) -> str:
    if not call.args:
        return "(no arguments)"
    arg = call.args[0]
    if isinstance(arg, ast.List | ast.Tuple):
        parts = [
            e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else ast.unparse(e)
            for e in arg.elts
        ]
        text = " ".join(parts)
    elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        text = arg.value
    else:
        text = ast.unparse(arg)
    return display(clip(text, width=150))


def _commands(tree: ast.Module) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, command, class name) for every cmdclass-style entry: {'install': C},
    dict(install=C), and cmdclass['install'] = C."""

    def is_class(value: ast.expr) -> bool:
        return isinstance(value, ast.Name | ast.Attribute)

    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and is_class(value):
                    yield key, key.value, dotted_name(value)
        elif isinstance(node, ast.Call) and dotted_name(node.func) == "dict":
            for kw in node.keywords:
                if kw.arg is not None and is_class(kw.value):
                    yield kw, kw.arg, dotted_name(kw.value)
        elif isinstance(node, ast.Assign) and is_class(node.value):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and "cmdclass" in dotted_name(target.value)
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    yield target, target.slice.value, dotted_name(node.value)


def _hooks(tree: ast.Module) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, command, class name) for every install-time command a setup.py replaces."""
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    seen: set[str] = set()
    for key, command, target in _commands(tree):
        if command in _HOOK_COMMANDS:
            seen.add(target)
            yield classes.get(target, key), command, target
    for name, cls in classes.items():
        bases = {dotted_name(b).rsplit(".", 1)[-1] for b in cls.bases}
        hooked = sorted(bases & _HOOK_COMMANDS)
        if hooked and name not in seen:
            yield cls, hooked[0], name


def _calls_in(node: ast.AST) -> str:
    names = {
        dotted_name(n.func)
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and not dotted_name(n.func).endswith(".run")
    }
    shown = sorted(n for n in names if n != "?")[:6]
    return f"; its code calls {', '.join(shown)}" if shown else ""


def check_setup_py(src: SourceFile) -> Iterator[StaticSignal]:
    if len(src.text) > _MAX_AST_CHARS:
        yield from _fallback(src, "setup.py too large to parse")
        return
    try:
        signals = _from_ast(src, ast.parse(src.text))
    except (SyntaxError, ValueError, MemoryError):
        yield from _fallback(src, "setup.py did not parse")
        return
    except RecursionError:  # deeply nested code, in the parser or in our tree walks
        yield from _fallback(src, "setup.py nests too deeply to parse")
        return
    yield from signals


def _from_ast(src: SourceFile, tree: ast.Module) -> list[StaticSignal]:
    signals = []
    for node, command, target in _hooks(tree):
        detail = f"cmdclass {command!r} -> {display(target)}{_calls_in(node)}"
        offset = src.offset_of(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        signals.append(src.signal(SignalKind.SETUP_CMDCLASS_HOOK, offset, detail))
    visitor = _SetupVisitor(src, tree)
    visitor.visit(tree)
    return signals + visitor.signals


_FALLBACK = (
    (re.compile(r"['\"](?:install|develop|egg_info|build|bdist_egg)['\"]\s*:\s*\w+"),
     SignalKind.SETUP_CMDCLASS_HOOK),
    (re.compile(r"\b(?:os\.system|os\.popen|subprocess\.\w+|Popen)\s*\("),
     SignalKind.SETUP_RUNS_PROCESS),
    (re.compile(r"\b(?:urlopen|urlretrieve|requests\.\w+|socket\.socket)\s*\("),
     SignalKind.SETUP_NETWORK),
    (re.compile(r"(?<![\w.])(?:exec|eval)\s*\((?!\s*(?:open\(|f\.read|['\"]))"),
     SignalKind.SETUP_EXEC),
)  # fmt: skip


def _fallback(src: SourceFile, why: str) -> Iterator[StaticSignal]:
    """Patterns instead of the AST, for a setup.py Python 3 cannot parse (often Python 2)."""
    for pattern, kind in _FALLBACK:
        m = pattern.search(src.text)
        if m:
            yield src.signal(kind, m.start(), f"{m.group()} ({why}; matched by pattern)")


def check_pth(src: SourceFile) -> Iterator[StaticSignal]:
    """site.py executes .pth lines that start with 'import' at every interpreter start."""
    for offset, line in src.lines():
        if re.match(r"\ufeff?import[ \t]", line):  # newer site.py reads .pth as utf-8-sig
            detail = f"runs at every Python start: {display(clip(line, width=150))}"
            yield src.signal(SignalKind.PTH_IMPORT, offset, detail)


SETUP_PY = Scanner(
    name="setup-py",
    check=text_check(check_setup_py),
    reads=frozenset({Reads.SOURCE}),
    langs=frozenset({Lang.PYTHON}),
    roles=frozenset({FileRole.INSTALL}),
    suffixes=("setup.py",),
    kinds={
        SignalKind.SETUP_CMDCLASS_HOOK: KindInfo(
            "setup.py replaces an install-time command (install, develop, egg_info, build...)",
            strong=False,
        ),
        SignalKind.SETUP_RUNS_PROCESS: KindInfo(
            "setup.py starts a process that is not a known build tool",
            strong=False,
        ),
        SignalKind.SETUP_NETWORK: KindInfo(
            "setup.py opens a network connection or downloads something",
            strong=True,
        ),
        SignalKind.SETUP_EXEC: KindInfo(
            "setup.py runs exec/eval on something other than a local file",
            strong=True,
        ),
    },
)

PTH = Scanner(
    name="pth",
    check=text_check(check_pth),
    reads=frozenset({Reads.SOURCE}),
    langs=frozenset({Lang.PYTHON}),
    roles=frozenset({FileRole.INSTALL}),
    suffixes=(".pth",),
    kinds={
        SignalKind.PTH_IMPORT: KindInfo(
            ".pth file with an import line: code that runs at every Python start",
            strong=False,
        ),
    },
)
