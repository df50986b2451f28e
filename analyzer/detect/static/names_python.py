"""The value of a Python constant expression built from pieces, read from its syntax tree
without running it: chr() codes, reversed, joined or concatenated literals, bytes, and
base64, hex or codecs decoding. What names.py evaluates for a Python lookup's key."""

from __future__ import annotations

import ast
import base64
import binascii
import codecs

# A constant's value: text, bytes, an int (a character code), or a list of those.
_Value = str | bytes | int | list[str | bytes | int] | None


def python_constant(text: str) -> str | None:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    try:
        value = _py_eval(node, 0)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, binascii.Error):
        return None
    return value if isinstance(value, str) else None


def _py_eval(node: ast.expr, depth: int) -> _Value:
    if depth > 12:
        return None

    def step(n: ast.expr) -> _Value:
        return _py_eval(n, depth + 1)

    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes | int):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        items = [step(e) for e in node.elts]
        return None if any(i is None or isinstance(i, list) for i in items) else items  # type: ignore[return-value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = step(node.left), step(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        if isinstance(left, int) and isinstance(right, int):
            return left + right
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        s = node.slice
        if s.lower is None and s.upper is None and isinstance(s.step, ast.UnaryOp):
            value = step(node.value)
            return value[::-1] if isinstance(value, str | bytes) else None
        return None
    if isinstance(node, ast.GeneratorExp | ast.ListComp) and len(node.generators) == 1:
        gen = node.generators[0]
        codes = step(gen.iter)
        if not (isinstance(gen.target, ast.Name) and isinstance(codes, list)) or gen.ifs:
            return None
        if not (isinstance(node.elt, ast.Call) and _name(node.elt.func) == "chr"):
            return None
        return (
            [chr(c) for c in codes if isinstance(c, int)]
            if all(isinstance(c, int) for c in codes)
            else None
        )
    if not isinstance(node, ast.Call):
        return None
    func, args = node.func, node.args
    name = _name(func)
    if name == "chr" and len(args) == 1:
        code = step(args[0])
        return chr(code) if isinstance(code, int) else None
    if name == "map" and len(args) == 2 and _name(args[0]) == "chr":
        codes = step(args[1])
        if isinstance(codes, list) and all(isinstance(c, int) for c in codes):
            return [chr(c) for c in codes if isinstance(c, int)]
        return None
    if name in ("bytes", "bytearray") and len(args) == 1:
        codes = step(args[0])
        if isinstance(codes, list) and all(isinstance(c, int) for c in codes):
            return bytes(c for c in codes if isinstance(c, int))
        return None
    if not isinstance(func, ast.Attribute):
        return None
    attr, owner = func.attr, func.value
    if attr == "join" and len(args) == 1:
        sep, parts = step(owner), step(args[0])
        if isinstance(sep, str) and isinstance(parts, list | str):
            return (
                sep.join(p for p in parts if isinstance(p, str))
                if all(isinstance(p, str) for p in parts)
                else None
            )
        return None
    if _name(owner) == "codecs" and attr == "decode" and len(args) == 2:
        value, how = step(args[0]), step(args[1])
        if isinstance(value, str) and how in ("rot13", "rot_13"):
            return codecs.decode(value, "rot13")
        return None
    if attr == "decode":
        value = step(owner)
        return value.decode() if isinstance(value, bytes) else None
    if attr == "fromhex" and len(args) == 1:
        value = step(args[0])
        return bytes.fromhex(value) if isinstance(value, str) else None
    if attr in ("b64decode", "b32decode", "b16decode", "urlsafe_b64decode") and args:
        value = step(args[0])
        decoder = getattr(base64, attr)
        return decoder(value) if isinstance(value, str | bytes) else None
    if attr == "replace" and len(args) == 2:
        value, old, new = step(owner), step(args[0]), step(args[1])
        if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
            return value.replace(old, new)
        return None
    if attr in ("lower", "strip") and not args:
        value = step(owner)
        return getattr(value, attr)() if isinstance(value, str) else None
    return None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
