"""setup.py's requirement arguments, read from its syntax tree (literals, simple names), never run.

What is understood: string and list literals; `+`, `+=`, `.append`, `.extend` and `*x`
unpacking; names bound earlier in the file (the last binding before the use wins, in
source order, whatever branch it sits in); `dict(...)` / `{...}` passed as `**kwargs`;
and any call or comprehension whose argument names a requirements file
(`open("requirements.txt").read().splitlines()`, `Path(here) / "req.txt"`, a helper
`read_requirements("requirements/base.txt")`), which becomes a `FileRef`. Everything
else is left out. The file is hostile: its size, node count, evaluation depth and
steps are all bounded, and the parser's own failures on deep nesting are caught.
"""

from __future__ import annotations

import ast
import bisect
import posixpath
from dataclasses import dataclass

MAX_SETUP_PY_BYTES = 256 << 10
MAX_NODES = 200_000
MAX_DEPTH = 40  # nested expressions plus name look-ups, in one evaluation
MAX_STEPS = 20_000  # evaluation steps for the whole file: `b = a + a; c = b + b ...` stops
MAX_ITEMS = 1_000
KEYWORDS = ("install_requires", "setup_requires", "extras_require")
REQUIREMENTS_SUFFIXES = (".txt", ".in", ".pip")


class SetupPyError(Exception):
    """setup.py could not be read; `str()` is a short reason."""


@dataclass(frozen=True)
class FileRef:
    """A requirements file named by the code, relative to the folder of the file naming it."""

    path: str


Item = str | FileRef


@dataclass(frozen=True)
class SetupArgs:
    """What the setup() calls pass; `unread` names the keywords whose value was not literal."""

    install_requires: tuple[Item, ...] = ()
    setup_requires: tuple[Item, ...] = ()
    extras_require: tuple[tuple[str, tuple[Item, ...]], ...] = ()
    unread: tuple[str, ...] = ()


def looks_like_requirements(path: str) -> bool:
    """A file name pip users give requirements: `requirements*.txt`, `*.in`, `deps/x.txt`."""
    base = posixpath.basename(path).lower()
    return base.endswith(REQUIREMENTS_SUFFIXES) or "requirement" in base


def read_setup_py(source: bytes) -> SetupArgs:
    """The requirement keywords of every `setup(...)` call; `SetupPyError` if unreadable."""
    if len(source) > MAX_SETUP_PY_BYTES:
        raise SetupPyError(f"larger than {MAX_SETUP_PY_BYTES} bytes")
    try:
        tree = ast.parse(source, "setup.py")
    except (SyntaxError, ValueError):
        raise SetupPyError("not valid Python") from None
    except (RecursionError, MemoryError):
        # CPython's parser reports nesting past its stack as MemoryError, and the
        # conversion to Python objects as RecursionError.
        raise SetupPyError("nested too deep") from None
    evaluator = _Evaluator()
    calls: list[ast.Call] = []
    for count, node in enumerate(ast.walk(tree)):  # iterative: no recursion on deep trees
        if count >= MAX_NODES:
            raise SetupPyError(f"more than {MAX_NODES} syntax nodes")
        evaluator.note_binding(node)
        if isinstance(node, ast.Call) and _called_name(node.func) == "setup":
            calls.append(node)
    found: dict[str, list[Item]] = {key: [] for key in KEYWORDS}
    extras: dict[str, list[Item]] = {}
    unread: dict[str, None] = {}
    for call in sorted(calls, key=_start):
        for key, value in evaluator.keywords(call).items():
            try:
                result = evaluator.value(value, _start(call), 0)
            except _GiveUp:
                result = None
            if key == "extras_require":
                if isinstance(result, dict):
                    for extra, reqs in result.items():
                        extras.setdefault(extra, []).extend(_items(reqs))
                    continue
            elif result is not None:
                found[key].extend(_items(result))
                continue
            unread[key] = None
    return SetupArgs(tuple(found["install_requires"]), tuple(found["setup_requires"]),
                     tuple((k, tuple(v)) for k, v in extras.items()), tuple(unread))


class _GiveUp(Exception):
    """An expression too deep or too costly to evaluate: its keyword is left unread."""


Pos = tuple[int, int]


@dataclass(frozen=True)
class _Binding:
    start: Pos  # where the bound expression's own names are looked up
    end: Pos  # from where the name has this value
    value: ast.expr
    extend: bool  # `+=`, `.append`, `.extend`: added to the value before


def _start(node: ast.AST) -> Pos:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _end(node: ast.AST) -> Pos:
    return getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _items(value: object) -> list[Item]:
    """A value as requirement items: a string holds one per line (setuptools allows that)."""
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    if isinstance(value, FileRef):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, (str, FileRef))]
    return []


class _Evaluator:
    def __init__(self) -> None:
        # Per name, sorted by `end` once every binding is noted: look-ups bisect.
        self.sets: dict[str, list[_Binding]] = {}
        self.extends: dict[str, list[_Binding]] = {}
        self.ready = False
        self.steps = 0

    def note_binding(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self._bind(target.id, node, node.value, extend=False)
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) \
                and isinstance(node.target, ast.Name):
            self._bind(node.target.id, node, node.value, extend=True)
        elif isinstance(node, ast.With):
            for item in node.items:  # `with open("requirements.txt") as f:`
                if isinstance(item.optional_vars, ast.Name):
                    self._bind(item.optional_vars.id, item.context_expr, item.context_expr,
                               extend=False)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and isinstance(node.value.func.value, ast.Name) \
                and node.value.func.attr in ("append", "extend") and len(node.value.args) == 1:
            arg = node.value.args[0]
            value = ast.List([arg], ast.Load()) if node.value.func.attr == "append" else arg
            ast.copy_location(value, arg)
            self._bind(node.value.func.value.id, node, value, extend=True)

    def _bind(self, name: str, stmt: ast.AST, value: ast.expr, *, extend: bool) -> None:
        table = self.extends if extend else self.sets
        table.setdefault(name, []).append(_Binding(_start(stmt), _end(stmt), value, extend))
        self.ready = False

    def _sorted(self) -> None:
        if not self.ready:
            for table in (self.sets, self.extends):
                for bindings in table.values():
                    bindings.sort(key=lambda b: b.end)
            self.ready = True

    def keywords(self, call: ast.Call) -> dict[str, ast.expr]:
        """The wanted keywords, including those in a `**dict(...)` or `**{...}` argument."""
        found: dict[str, ast.expr] = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                found.update(self._spread(keyword.value, _start(call)))
            elif keyword.arg in KEYWORDS:
                found[keyword.arg] = keyword.value
        return found

    def _spread(self, node: ast.expr, before: Pos) -> dict[str, ast.expr]:
        if isinstance(node, ast.Name):
            binding = self._last_set(node.id, before)
            node = binding.value if binding is not None else node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "dict":
            return {k.arg: k.value for k in node.keywords if k.arg in KEYWORDS}
        if isinstance(node, ast.Dict):
            return {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value in KEYWORDS}
        return {}

    def _last_set(self, name: str, before: Pos) -> _Binding | None:
        self._sorted()
        bindings = self.sets.get(name, [])
        index = bisect.bisect_right(bindings, before, key=lambda b: b.end)
        return bindings[index - 1] if index else None

    def _tick(self, depth: int) -> None:
        self.steps += 1
        if depth > MAX_DEPTH or self.steps > MAX_STEPS:
            raise _GiveUp

    def value(self, node: ast.expr, before: Pos, depth: int) -> object:
        """str, list of items, dict of str to value, FileRef, or None when not understood."""
        self._tick(depth)
        if isinstance(node, ast.Constant):
            return [] if node.value is None else node.value if isinstance(node.value, str) \
                else None
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out: list[Item] = []
            for elt in node.elts:
                inner = elt.value if isinstance(elt, ast.Starred) else elt
                out.extend(_items(self.value(inner, before, depth + 1)))
            return self._capped(out)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.value(node.left, before, depth + 1)
            right = self.value(node.right, before, depth + 1)
            if isinstance(left, str) and isinstance(right, str):
                return (left + right)[:MAX_SETUP_PY_BYTES]
            if isinstance(left, (list, FileRef)) and isinstance(right, (list, FileRef)):
                return self._capped(_items(left) + _items(right))
            return None
        if isinstance(node, ast.Name):
            return self._lookup(node.id, before, depth)
        if isinstance(node, ast.Dict):
            return {k.value: self.value(v, before, depth + 1)
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args \
                and node.func.id == "dict":
            return {k.arg: self.value(k.value, before, depth + 1)
                    for k in node.keywords if k.arg is not None}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("list", "tuple", "sorted", "set") and len(node.args) == 1:
            listed = self.value(node.args[0], before, depth + 1)
            if isinstance(listed, (list, FileRef)):
                return listed
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
            # `[r.strip() for r in reqs if r]`: the list itself (filters are ignored).
            listed = self.value(node.generators[0].iter, before, depth + 1)
            if isinstance(listed, (list, FileRef)):
                return listed
        if isinstance(node, (ast.Call, ast.ListComp, ast.GeneratorExp)):
            return self._file_ref(node, before, depth + 1)
        return None

    def _capped(self, items: list[Item]) -> list[Item]:
        if len(items) > MAX_ITEMS:
            raise _GiveUp
        return items

    def _lookup(self, name: str, before: Pos, depth: int) -> object:
        binding = self._last_set(name, before)
        if binding is None:
            return None
        result = self.value(binding.value, binding.start, depth + 1)
        extends = self.extends.get(name, [])
        first = bisect.bisect_left(extends, binding.end, key=lambda b: b.end)
        last = bisect.bisect_right(extends, before, key=lambda b: b.end)
        for added in extends[first:last]:
            if added.start < binding.end:
                continue  # `x += ...` inside the statement that set x
            more = self.value(added.value, added.start, depth + 1)
            if isinstance(result, (list, FileRef)) and isinstance(more, (list, FileRef)):
                result = self._capped(_items(result) + _items(more))
        return result

    def _file_ref(self, node: ast.expr, before: Pos, depth: int) -> FileRef | None:
        """The requirements file a call or comprehension reads, if one of its calls names it."""
        for count, sub in enumerate(ast.walk(node)):
            self._tick(depth)
            if count > 500:
                raise _GiveUp
            named = sub.args[0] if isinstance(sub, ast.Call) and sub.args else \
                sub if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div) else None
            if named is not None:
                path = self._path(named, before, depth + 1)
                if path is not None and looks_like_requirements(path):
                    return FileRef(path)
            if isinstance(sub, ast.Name):
                binding = self._last_set(sub.id, before)  # `f` of `with open(...) as f`
                if binding is not None and isinstance(binding.value, ast.Call):
                    found = self._file_ref(binding.value, binding.start, depth + 1)
                    if found is not None:
                        return found
        return None

    def _path(self, node: ast.expr, before: Pos, depth: int) -> str | None:
        """A path built of literals: `"a.txt"`, `join(here, "req", "a.txt")`, `Path(x) / "a"`.

        Parts that are not literals (`here`, `dirname(__file__)`) stand for the folder of
        setup.py, which is where pip runs it."""
        self._tick(depth)
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            binding = self._last_set(node.id, before)
            return None if binding is None else self._path(binding.value, binding.start,
                                                           depth + 1)
        parts: list[ast.expr] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            parts = [node.left, node.right]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = (self._path(n, before, depth + 1) for n in (node.left, node.right))
            return left + right if left is not None and right is not None else None
        elif isinstance(node, ast.Call) and _called_name(node.func) in ("join", "Path",
                                                                          "PurePath"):
            parts = list(node.args)
        found = [p for p in (self._path(n, before, depth + 1) for n in parts) if p]
        return "/".join(found) if found else None
