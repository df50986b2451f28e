"""Large, plausible packages for the benchmark, generated without network and the same
on every run: a PyPI sdist and an npm tarball of many ordinary source files."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from tests.packages import build_package

WORDS = ("record", "buffer", "token", "window", "sample", "metric", "vector", "frame",
         "column", "cursor", "ledger", "bucket", "signal", "border", "margin", "weight",
         "series", "profile", "segment", "anchor", "region", "matrix", "packet", "origin")
VERBS = ("compute", "merge", "scale", "filter", "collect", "normalise", "rank", "smooth",
         "split", "align", "measure", "combine")


@dataclass(frozen=True)
class LargeSize:
    """How many source files, of about how many bytes each, spread over `groups` folders."""

    files: int
    file_bytes: int = 13_500
    groups: int = 30

    @property
    def approx_mb(self) -> float:
        return self.files * self.file_bytes / 2**20


FULL = LargeSize(1500)  # about 19 MB of source
QUICK = LargeSize(300)  # about 4 MB


def _name(rng: random.Random, glue: str) -> str:
    return glue.join([rng.choice(VERBS), rng.choice(WORDS), rng.choice(WORDS)])


def _python_module(rng: random.Random, size: int) -> str:
    parts = [f'"""Helpers for {rng.choice(WORDS)} {rng.choice(WORDS)} data."""\n\n'
             "from __future__ import annotations\n\n"
             "import math\nfrom dataclasses import dataclass\n\n"
             f"LIMIT = {rng.randint(8, 999)}\n"]
    while sum(map(len, parts)) < size:
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        parts.append(
            f"\n\ndef {_name(rng, '_')}(values: list[float], scale: float = "
            f"{rng.randint(2, 9)}.0) -> float:\n"
            f'    """{rng.choice(VERBS).title()} the {word} of {other} values, scaled."""\n'
            f"    total = 0.0\n"
            f"    for index, value in enumerate(values[:LIMIT]):\n"
            f"        if index % {rng.randint(2, 7)} == 0:\n"
            f"            total += value * scale\n"
            f"        else:\n"
            f"            total -= value / (index + {rng.randint(1, 5)})\n"
            f"    return round(math.fsum([total]), {rng.randint(1, 6)})\n"
            f"\n\n@dataclass\nclass {word.title()}{other.title()}{rng.randint(10, 99)}:\n"
            f'    """A {word} with its {other}."""\n\n'
            f"    name: str\n    {other}: float = 0.0\n\n"
            f"    def describe(self) -> str:\n"
            f'        return f"{{self.name}}: {{self.{other}:.{rng.randint(1, 4)}f}}"\n')
    return "".join(parts)


def _js_module(rng: random.Random, size: int) -> str:
    parts = [f"'use strict';\n\n/** Helpers for {rng.choice(WORDS)} {rng.choice(WORDS)} data."
             f" */\n\nconst LIMIT = {rng.randint(8, 999)};\n"]
    exported = []
    while sum(map(len, parts)) < size:
        name = _name(rng, "_").replace("_", " ").title().replace(" ", "")
        name = name[0].lower() + name[1:]
        word = rng.choice(WORDS)
        exported.append(name)
        parts.append(
            f"\n/**\n * {rng.choice(VERBS).title()} the {word} values, scaled.\n"
            f" * @param {{number[]}} values\n * @returns {{number}}\n */\n"
            f"function {name}(values, scale = {rng.randint(2, 9)}) {{\n"
            f"  let total = 0;\n"
            f"  values.slice(0, LIMIT).forEach((value, index) => {{\n"
            f"    total += index % {rng.randint(2, 7)} === 0 ? value * scale"
            f" : -value / (index + {rng.randint(1, 5)});\n"
            f"  }});\n"
            f"  return Number(total.toFixed({rng.randint(1, 6)}));\n}}\n")
    parts.append(f"\nmodule.exports = {{ {', '.join(exported)} }};\n")
    return "".join(parts)


def _write_tree(root: Path, size: LargeSize, suffix: str) -> list[str]:
    """Source files under root/gNN/; returns their paths relative to root, without suffix."""
    rng = random.Random(f"pkgsandbox-bench-{suffix}-{size.files}")
    written = []
    for index in range(size.files):
        relative = f"g{index % size.groups:02d}/{_name(rng, '_')}_{index}"
        path = root / f"{relative}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = (_python_module if suffix == ".py" else _js_module)(rng, size.file_bytes)
        path.write_text(body)
        written.append(relative)
    return written


def large_sdist(source: Path, dest: Path, size: LargeSize) -> Path:
    """A setuptools sdist of one package with `size.files` modules in sub-packages."""
    name = "bulk_toolkit"
    modules = _write_tree(source / name, size, ".py")
    for group in range(size.groups):
        (source / name / f"g{group:02d}" / "__init__.py").write_text("")
    first = modules[0].replace("/", ".")
    (source / name / "__init__.py").write_text(
        f'"""Data helpers in many small modules."""\n\nfrom .{first} import LIMIT\n\n'
        '__all__ = ["LIMIT"]\n')
    (source / "setup.py").write_text(
        "from setuptools import find_packages, setup\n\n"
        'setup(name="bulk-toolkit", version="1.0.0", packages=find_packages())\n')
    (source / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: bulk-toolkit\nVersion: 1.0.0\n"
        "Summary: Data helpers in many small modules (a benchmark package).\n")
    return build_package(source, dest, "sdist")


def large_npm(source: Path, dest: Path, size: LargeSize) -> Path:
    """An npm package with `size.files` modules under lib/ and an index that loads a few."""
    modules = _write_tree(source / "lib", size, ".js")
    requires = "\n".join(f"  ...require('./lib/{m}')," for m in modules[:5])
    (source / "index.js").write_text(f"'use strict';\n\nmodule.exports = {{\n{requires}\n}};\n")
    (source / "README.md").write_text("# bulk-toolkit\n\nData helpers in many small modules.\n")
    (source / "package.json").write_text(json.dumps(
        {"name": "bulk-toolkit", "version": "1.0.0", "main": "index.js", "license": "MIT",
         "description": "Data helpers in many small modules (a benchmark package)."},
        indent=2) + "\n")
    return build_package(source, dest, "npm")
