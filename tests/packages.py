"""Build test packages from source folders without running any of their code."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

PACKAGES = Path(__file__).parent / "data" / "packages"


def _add_tree(tar: tarfile.TarFile, source: Path, prefix: str) -> None:
    for path in sorted(source.rglob("*")):
        # LABEL.yaml describes a corpus sample for the evaluation; it is not part of it.
        if path.is_file() and "__pycache__" not in path.parts and path.name != "LABEL.yaml":
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{prefix}/{path.relative_to(source)}")
            executable = path.stat().st_mode & 0o111
            info.size, info.mtime = len(data), 1_700_000_000
            info.mode = 0o755 if executable else 0o644
            tar.addfile(info, io.BytesIO(data))


def build_sdist(source: Path, dest: Path) -> Path:
    """An sdist from a source folder with PKG-INFO, without running any of its code."""
    fields = dict(
        line.split(": ", 1) for line in (source / "PKG-INFO").read_text().splitlines()
        if ": " in line
    )
    stem = f"{fields['Name']}-{fields['Version']}"
    out = dest / f"{stem}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        _add_tree(tar, source, stem)
    return out


def build_npm_tgz(source: Path, dest: Path) -> Path:
    """An npm tarball (everything under `package/`) from a folder with package.json."""
    manifest = json.loads((source / "package.json").read_text())
    out = dest / f"{manifest['name'].replace('/', '-').lstrip('@')}-{manifest['version']}.tgz"
    with tarfile.open(out, "w:gz") as tar:
        _add_tree(tar, source, "package")
    return out


# Files of a source folder that are build inputs or labels, never installed: the rest
# (modules, data files, a top-level .pth) goes into a wheel as it lies.
_NOT_IN_WHEELS = {"setup.py", "setup.cfg", "pyproject.toml", "PKG-INFO", "LABEL.yaml",
                  "MANIFEST.in"}


def build_wheel(source: Path, dest: Path) -> Path:
    """A pure-Python wheel: the folder's files plus a .dist-info written from PKG-INFO."""
    metadata = (source / "PKG-INFO").read_text()
    fields = dict(line.split(": ", 1) for line in metadata.splitlines() if ": " in line)
    name, version = fields["Name"].replace("-", "_"), fields["Version"]
    dist_info = f"{name}-{version}.dist-info"
    files = {
        str(path.relative_to(source)): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
        and path.name not in _NOT_IN_WHEELS
    }
    files[f"{dist_info}/METADATA"] = metadata.encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: pkgsandbox-tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    out = dest / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return out


def build_package(source: Path, dest: Path, kind: str = "auto") -> Path:
    """`kind`: auto (npm tarball or sdist, by what the folder holds), sdist, wheel or npm."""
    if kind == "auto":
        kind = "npm" if (source / "package.json").exists() else "sdist"
    builders = {"sdist": build_sdist, "wheel": build_wheel, "npm": build_npm_tgz}
    return builders[kind](source, dest)
