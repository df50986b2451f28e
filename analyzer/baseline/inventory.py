"""A package's inventory, taken while the static scan reads its files (no second pass)."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterable, Iterator
from email.parser import HeaderParser
from typing import Any

from analyzer.baseline.interface import MAX_INVENTORY_FILES, Inventory, PackageFile
from analyzer.fetch.metadata import describing_file, npm_dependencies
from analyzer.models import PackageRef

DIGEST_CHARS = 16
_ENTRY_SECTIONS = ("[console_scripts]", "[gui_scripts]")


class InventoryTaker:
    """Passes (name, data) pairs through, noting each file; `inventory()` once they are read."""

    def __init__(self, ref: PackageRef) -> None:
        self.ref = ref
        self.files: list[tuple[str, int, str]] = []
        self.count = 0
        self.described: dict[str, bytes] = {}  # "package.json", "METADATA", "PKG-INFO"...
        self.entry_points_txt: list[bytes] = []

    def watch(self, members: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
        for name, data in members:
            self._note(name, data)
            yield name, data

    def _note(self, name: str, data: bytes) -> None:
        self.count += 1
        if self.count <= MAX_INVENTORY_FILES:
            digest = hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]
            self.files.append((name, len(data), digest))
        key = describing_file(name)
        # npm's own layout wins over any other top folder, as in fetch.
        if key is not None and (key not in self.described or name == "package/package.json"):
            self.described[key] = data
        parts = name.split("/")
        if parts[-1] == "entry_points.txt" and len(parts) >= 2 \
                and parts[-2].endswith((".dist-info", ".egg-info")):
            self.entry_points_txt.append(data)

    def inventory(self) -> Inventory:
        files = sorted({PackageFile(file_identity(name, self.ref), size, digest)
                        for name, size, digest in self.files}, key=lambda f: f.path)
        scripts, bins, requirements = self._manifest()
        return Inventory(
            files=tuple(files), scripts=scripts,
            entry_points=tuple(sorted({*bins, *self._python_entry_points()})),
            requirements=requirements, truncated=self.count > MAX_INVENTORY_FILES)

    def _manifest(self) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...],
                                 tuple[tuple[str, str], ...]]:
        if "package.json" in self.described:
            doc = _json_object(self.described["package.json"])
            scripts = doc.get("scripts")
            named = tuple(sorted((k, v) for k, v in scripts.items() if isinstance(v, str))) \
                if isinstance(scripts, dict) else ()
            return named, _npm_bins(doc), tuple(sorted(npm_dependencies(doc).items()))
        for key in ("METADATA", "PKG-INFO", "nested METADATA"):
            if key in self.described:
                msg = HeaderParser().parsestr(self.described[key].decode("utf-8", "replace"))
                requires = (str(r).strip() for r in msg.get_all("Requires-Dist") or ())
                return (), (), tuple(sorted((_requirement_name(r), r) for r in requires if r))
        return (), (), ()

    def _python_entry_points(self) -> Iterator[str]:
        for data in self.entry_points_txt:
            section = ""
            for raw in data.decode("utf-8", "replace").splitlines():
                line = raw.strip()
                if line.startswith("["):
                    section = line
                elif section in _ENTRY_SECTIONS and "=" in line:
                    yield line.split("=", 1)[0].strip()[:200]


def file_identity(name: str, ref: PackageRef) -> str:
    """The path a file keeps from release to release: an sdist's or npm tarball's top
    folder ("pkg-1.0/", "package/") left out, and the version in `.dist-info` names."""
    parts = name.split("/")
    if len(parts) > 1 and not ref.filename.endswith(".whl"):
        parts = parts[1:]
    return posixpath.join(*(p.replace(f"-{ref.version}.", "-VERSION.") if p.endswith(
        (".dist-info", ".egg-info", ".data")) else p for p in parts))


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _npm_bins(doc: dict[str, Any]) -> tuple[str, ...]:
    bins = doc.get("bin")
    if isinstance(bins, str) and isinstance(doc.get("name"), str):
        return (doc["name"].rsplit("/", 1)[-1],)  # a lone path is named after the package
    if isinstance(bins, dict):
        return tuple(str(k)[:200] for k in bins)
    return ()


def _requirement_name(requirement: str) -> str:
    """`requests` from `requests>=2; extra == "x"` (PEP 508's name, normalised)."""
    name = ""
    for char in requirement:
        if not (char.isalnum() or char in "-_."):
            break
        name += char
    return name.lower().replace("_", "-").replace(".", "-")
