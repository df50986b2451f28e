"""Python wipers, read through the syntax tree: walks of the home folder or / that delete.

`python_wipes` follows a walk's start folder through assignments, `os.path.join`,
`Path /`, glob patterns and a function's parameters to its call sites, so that
`def shred(root): for ... in os.walk(root): os.remove(...)` called with
`os.path.expanduser("~")` counts, and a walk of `build/` or `~/.cache/tool` does not.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator

from analyzer.detect.static.python import dotted_name
from analyzer.detect.static.text import SourceFile

# Folders of the user's data: a wipe aimed at them is a wipe of the home folder.
USER_DATA = frozenset(
    {"documents", "desktop", "downloads", "pictures", "photos", "music", "videos", "movies",
     "projects", "project", "src", "source", "code", "work", "workspace", "repos", "dev", "git",
     "onedrive", "dropbox", ".ssh", ".aws", ".gnupg", ".kube", ".config", ".docker", ".azure",
     ".config/gcloud", "home", "users", "etc", "usr", "var", "root", "boot", "opt", "*"}
)  # fmt: skip
# Real modules are a few hundred KB at most; a huge one is not parsed (the AST costs seconds).
_MAX_AST_CHARS = 512 * 1024


def python_wipes(src: SourceFile) -> Iterator[tuple[int, str]]:
    """(offset, detail) of each wipe in a Python file."""
    if len(src.text) > _MAX_AST_CHARS or not _py_hints(src):
        return
    try:
        tree = ast.parse(src.text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return
    for node, detail in _PyWipes(tree).found():
        yield src.offset_of(node.lineno, node.col_offset), detail


_PY_DELETE = frozenset({"remove", "unlink", "rmtree", "write_text", "write_bytes", "truncate"})


# Cheap hints that a file is worth parsing: it names the home folder or the root, walks
# folders and deletes or writes files.
_PY_HOME_HINT = re.compile(
    r"""(?m)expanduser|home\(\)|['"](?:HOME|USERPROFILE)['"]|\(\s*['"](?:/|~/?)['"]\s*[,)]"""
    r"""|=\s*['"]/['"]\s*$"""
)


_PY_WALK_HINT = re.compile(r"(?:walk|glob|listdir|scandir|iterdir)\(|rmtree\(")
_PY_DELETE_HINT = re.compile(r"remove\(|unlink\(|rmtree\(|write_|truncate\(|open\(")


def _py_hints(src: SourceFile) -> bool:
    """A walk with a delete or an open() a few lines around it, and a home-like name."""
    if not src.has("walk(", "glob(", "listdir(", "scandir(", "iterdir(", "rmtree("):
        return False
    near = any(
        _PY_DELETE_HINT.search(src.text, max(0, m.start() - 300), m.end() + 1500)
        for m in itertools.islice(_PY_WALK_HINT.finditer(src.text), 200)
    )
    return near and _PY_HOME_HINT.search(src.text) is not None


def _const(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _deletes(body: list[ast.stmt] | list[ast.expr]) -> bool:
    for node in (n for part in body for n in ast.walk(part)):
        if not isinstance(node, ast.Call):
            continue
        name = dotted_name(node.func).rsplit(".", 1)[-1]
        if name in _PY_DELETE:
            return True
        if name == "open" and len(node.args) > 1:
            mode = _const(node.args[1]) or ""
            if "w" in mode or "+" in mode:
                return True
    return False


class _PyWipes:
    """Finds walks that start at the home folder or / and delete or overwrite files."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.assigned: dict[str, list[ast.expr]] = {}
        self.loops: dict[str, list[ast.expr]] = {}  # loop variable -> what it iterates over
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.owner: dict[int, str] = {}  # id of a node -> the function it sits in
        self.calls: dict[str, list[ast.Call]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                if isinstance(node.targets[0], ast.Name):
                    self.assigned.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, ast.For | ast.comprehension) and isinstance(
                node.target, ast.Name
            ):
                self.loops.setdefault(node.target.id, []).append(node.iter)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node
                for inner in ast.walk(node):  # outer functions come first: innermost wins
                    self.owner[id(inner)] = node.name
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                self.calls.setdefault(node.func.id, []).append(node)

    def found(self) -> Iterator[tuple[ast.expr | ast.stmt, str]]:
        for node in ast.walk(self.tree):
            loops: list[tuple[ast.expr | ast.stmt, ast.expr, list[ast.stmt] | list[ast.expr]]]
            if isinstance(node, ast.For):
                loops = [(node, node.iter, list(node.body))]
            elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
                loops = [(g.iter, g.iter, [node.elt]) for g in node.generators]
            elif (isinstance(node, ast.Call) and node.args
                  and dotted_name(node.func).endswith("rmtree")):
                where = self._home(node.args[0], node)
                if where:
                    yield node, f"rmtree of {where}"
                continue
            else:
                continue
            for at, it, body in loops:
                root = self._walk_root(it, at)
                if root is None or not _deletes(body):
                    continue
                where = self._home(root, at)
                if where:
                    yield at, f"walks {where} and deletes or overwrites the files"

    def _walk_root(self, it: ast.expr, at: ast.AST) -> ast.expr | None:
        """The folder a recursive walk (os.walk, rglob, a self-calling listdir) starts at."""
        if not isinstance(it, ast.Call):
            return None
        name = dotted_name(it.func)
        last = name.rsplit(".", 1)[-1]
        if last == "walk" and it.args:
            return it.args[0]
        if last == "rglob" and isinstance(it.func, ast.Attribute):
            return it.func.value
        if last in ("glob", "iglob") and it.args and "**" in ast.unparse(it.args[0]):
            if isinstance(it.func, ast.Attribute) and last == "glob" and "glob." not in name:
                return it.func.value  # Path(...).glob('**/*')
            return it.args[0]  # glob.glob(home + '/**/*', recursive=True)
        if last in ("listdir", "scandir", "iterdir") and self._recursive(at):
            return it.args[0] if it.args else getattr(it.func, "value", None)
        return None

    def _recursive(self, at: ast.AST) -> bool:
        """True when `at` sits in a function that calls itself."""
        name = self.owner.get(id(at))
        return name is not None and any(
            self.owner.get(id(call)) == name for call in self.calls.get(name, [])
        )

    def _home(self, node: ast.expr, at: ast.AST, depth: int = 3) -> str | None:
        """'~', '/' or '~/Documents' when `node` is the home folder, the root or a user-data
        folder in them; follows names, and a function's parameters to its call sites."""
        if depth < 0:
            return None
        text = _const(node)
        if text is not None:  # a folder, or a glob pattern: the part before the wildcards
            folder = text.split("*")[0]
            return folder if folder in ("/", "~", "~/", "C:\\") else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # home + "/**/*"
            tail = (_const(node.right) or "x").split("*")[0].strip("/")
            if not tail:
                return self._home(node.left, at, depth - 1)
            return self._joined(node.left, [ast.Constant(tail)], at, depth)
        if isinstance(node, ast.JoinedStr) and node.values:  # f"{home}/**"
            head, rest = node.values[0], node.values[1:]
            tail = "".join(_const(v) or "x" for v in rest).split("*")[0].strip("/")
            if isinstance(head, ast.FormattedValue) and not tail:
                return self._home(head.value, at, depth - 1)
            return None
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            last = name.rsplit(".", 1)[-1]
            first = node.args[0] if node.args else None
            if last == "expanduser" and first is not None:
                return "~" if _const(first) in ("~", "~/") else None
            if last == "expanduser" and isinstance(node.func, ast.Attribute):
                return self._home(node.func.value, at, depth - 1)
            if name in ("Path.home", "pathlib.Path.home", "home"):
                return "~"
            if last in ("getenv", "get") and first and _const(first) in ("HOME", "USERPROFILE"):
                return "~"
            if last == "join" and len(node.args) >= 2:
                return self._joined(node.args[0], node.args[1:], at, depth)
            if last in ("Path", "PurePath", "abspath", "realpath", "resolve", "str", "fspath"):
                if first is not None:
                    return self._home(first, at, depth - 1)
                if isinstance(node.func, ast.Attribute):
                    return self._home(node.func.value, at, depth - 1)
        if isinstance(node, ast.Subscript) and dotted_name(node.value) == "os.environ":
            return "~" if _const(node.slice) in ("HOME", "USERPROFILE") else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self._joined(node.left, [node.right], at, depth)
        if isinstance(node, ast.Name):
            for value in self.assigned.get(node.id, [])[:3]:
                found = self._home(value, at, depth - 1)
                if found:
                    return found
            return self._argument(node.id, at, depth - 1)
        return None

    def _joined(self, base: ast.expr, rest: list[ast.expr], at: ast.AST, depth: int) -> str | None:
        """home/<user-data folder>, where the folder is a literal or a loop over literals."""
        where = self._home(base, at, depth - 1)
        if not where or not rest:
            return None
        part = rest[0]
        names = [_const(part)]
        if isinstance(part, ast.Name):
            for it in self.loops.get(part.id, []) + self.assigned.get(part.id, []):
                if isinstance(it, ast.Name):
                    it = next(iter(self.assigned.get(it.id, [])), it)
                if isinstance(it, ast.List | ast.Tuple | ast.Set):
                    names += [_const(e) for e in it.elts]
        hits = [n for n in names if n and n.strip("/").lower() in USER_DATA]
        return f"{where.rstrip('/')}/{hits[0].strip('/')}" if hits else None

    def _argument(self, param: str, at: ast.AST, depth: int) -> str | None:
        """What the callers of the function around `at` pass for its parameter `param`."""
        name = self.owner.get(id(at))
        func = self.functions.get(name) if name else None
        params = [a.arg for a in func.args.posonlyargs + func.args.args] if func else []
        if name is None or param not in params:
            return None
        index = params.index(param)
        for call in self.calls.get(name, [])[:10]:
            arg = call.args[index] if index < len(call.args) else None
            arg = next((k.value for k in call.keywords if k.arg == param), arg)
            found = self._home(arg, call, depth) if arg is not None else None
            if found:
                return found
        return None
