"""A per-user cache of the built typosquat indexes: building one takes most of a second.

The cache file is keyed by the popular list's bytes and the checker's own source, so a
new list or a changed checker builds afresh; a cache that cannot be read or written is
simply not used. It lives in the user's own cache folder (0700), written atomically.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_SOURCES = ("checker.py", "fuzzy.py", "variants.py", "lists.py")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pkgsandbox"


def _key(list_file: Path) -> str:
    digest = hashlib.sha256(list_file.read_bytes())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update(b"\0" + (here / name).read_bytes())
    return digest.hexdigest()[:20]


def cached(name: str, list_file: Path, build: Callable[[], T], kind: type[T]) -> T:
    """`build()`, or what an earlier process built from the same list and code."""
    try:
        path = cache_dir() / f"{name}-{_key(list_file)}.pickle"
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return build()
    try:
        # Our own file in the user's private cache folder, written by this code.
        loaded = pickle.loads(path.read_bytes())  # noqa: S301
        if isinstance(loaded, kind):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):
        pass
    built = build()
    _store(path, built)
    return built


def _store(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
