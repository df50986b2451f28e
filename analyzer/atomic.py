"""Output files written whole or not at all: a temporary name in the destination, then rename.

A reader never sees half a file, a full disk leaves nothing partial behind, and the
error names the destination the person asked for, not a temporary or source path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from analyzer.errors import Error


class OutputError(Error):
    """An output file (result, report, record, trace copy) could not be written."""


def _fail(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Replace `path` whole with `text` (UTF-8), its folder made if missing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-",
                                             suffix=".tmp")
    except OSError as exc:
        raise _fail(path, exc) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _fail(path, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def copy_atomic(source: Path, path: Path, mode: int | None = None) -> None:
    """Copy `source` to `path` whole, its folder made if missing; `mode` set before it shows."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-",
                                             suffix=".tmp")
        os.close(handle)
    except OSError as exc:
        raise _fail(path, exc) from None
    try:
        shutil.copyfile(source, temporary)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _fail(path, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
