"""Placing a downloaded artifact on disk: a safe file name, the workdir layout, hash checks."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from analyzer.errors import FetchError
from analyzer.httpclient import Download

PYPI_SUFFIXES = (".tar.gz", ".zip", ".whl", ".tar.bz2", ".tgz", ".tar")
NPM_SUFFIXES = (".tgz", ".tar.gz")
ARTIFACT_DIRNAME = "artifact"
DEPS_DIRNAME = "deps"

# `!` is a PEP 440 epoch (`pkg-4!10.0.tar.gz`) and `+` a local version; what makes a
# name unsafe as a path (`/`, `\\`, `..` alone, NUL, a leading dot) stays refused.
_SAFE = re.compile(r"^[A-Za-z0-9_+-][A-Za-z0-9._+!-]{0,199}$")


def safe_filename(raw: str, suffixes: tuple[str, ...]) -> str:
    """The basename of registry-supplied `raw`, or `FetchError` if it is not plainly a file name."""
    base = re.split(r"[/\\]", raw)[-1]
    if not _SAFE.match(base) or not base.lower().endswith(suffixes):
        raise FetchError(f"refusing unsafe artifact file name {raw[:120]!r}")
    return base


def artifact_path(workdir: Path, filename: str) -> Path:
    """`workdir/artifact/<filename>`, with its folder created; `filename` must be safe already."""
    folder = workdir / ARTIFACT_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def deps_dir(workdir: Path) -> Path:
    folder = workdir / DEPS_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(download: Download, expected: str, filename: str) -> None:
    """Refuse (and delete) a download whose sha256 is not what the registry published."""
    if not expected or download.sha256 != expected.strip().lower():
        download.path.unlink(missing_ok=True)
        raise FetchError(f"sha256 mismatch for {filename}: the registry says {expected[:64]!r},"
                         f" the download is {download.sha256}")


def verify_npm_integrity(download: Download, integrity: str | None, shasum: str | None,
                         filename: str) -> None:
    """Check npm's `dist.integrity` (sha512 SRI) or else `dist.shasum` (sha1 hex)."""
    sha512 = [e.split("-", 1)[1].split("?", 1)[0] for e in (integrity or "").split()
              if e.startswith("sha512-")]
    if sha512:
        ok = base64.b64encode(download.sha512).decode() in sha512
    elif shasum:
        ok = download.sha1 == shasum.strip().lower()
    else:
        download.path.unlink(missing_ok=True)
        raise FetchError(f"{filename}: the registry publishes no sha512 integrity or shasum")
    if not ok:
        download.path.unlink(missing_ok=True)
        raise FetchError(f"integrity mismatch for {filename}: the download is not what the"
                         " registry published")

