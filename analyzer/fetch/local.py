"""A package file on local disk: identified from its own metadata, copied into the workdir."""

from __future__ import annotations

import shutil
from pathlib import Path

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from analyzer.errors import FetchError
from analyzer.fetch.archive import (
    ArchiveLimits,
    ArchiveMember,
    content_format,
    inspect_archive,
    name_format,
    name_suffix,
)
from analyzer.fetch.artifact import (
    NPM_SUFFIXES,
    PYPI_SUFFIXES,
    artifact_path,
    deps_dir,
    safe_filename,
    sha256_file,
)
from analyzer.fetch.interface import DependencyPrep, Fetcher, RegistryUrls, Target
from analyzer.fetch.members import MemberKind
from analyzer.fetch.metadata import StaticInfo, read_static_info, split_name_version
from analyzer.fetch.npm_cache import prepare_npm_dependencies
from analyzer.fetch.target import is_npm_name, is_pypi_name
from analyzer.fetch.wheelhouse import prepare_python_dependencies
from analyzer.models import Dependency, Ecosystem, FetchedPackage, PackageRef


class LocalFetcher(Fetcher):
    """A local sdist, wheel or npm tarball; its dependencies still come from the registries."""

    def __init__(self, urls: RegistryUrls, limits: ArchiveLimits | None = None,
                 deps: DependencyPrep | None = None) -> None:
        self.urls = urls
        self.deps = deps or DependencyPrep()
        self.limits = limits

    def fetch(self, target: Target, workdir: Path) -> FetchedPackage:
        if target.path is None:
            raise FetchError("a local target needs a file path")
        source = target.path
        if not source.is_file():
            raise FetchError(f"no such file: {str(source)[:200]}")
        filename = safe_filename(source.name, PYPI_SUFFIXES + NPM_SUFFIXES)
        limits = self.limits or ArchiveLimits()
        if source.stat().st_size > limits.max_archive_bytes:
            raise FetchError(f"{filename}: larger than {limits.max_archive_bytes} bytes")
        dest = artifact_path(workdir, filename)
        # Work on a copy: what is checked is then exactly what the sandbox will install.
        try:
            shutil.copyfile(source, dest)
        except OSError as exc:
            raise FetchError(f"cannot copy {filename}: {exc.strerror or exc}") from None
        members = inspect_archive(dest, limits)
        try:
            info = read_static_info(dest, limits)
        except FetchError:
            info = _named_by_file(filename, members)
        claimed, actual = name_format(filename), content_format(dest)
        renamed = _name_for_content(filename, actual, info.kind)
        if renamed != filename:
            filename, dest = renamed, dest.rename(dest.with_name(renamed))
        _check_identity(info, filename, target)
        sha256 = sha256_file(dest)

        deps: tuple[Dependency, ...]
        if info.ecosystem is Ecosystem.PYPI:
            deps = prepare_python_dependencies(info.requires_dist, info.build_requires,
                                               deps_dir(workdir), self.urls.pypi,
                                               self.deps.budget_s, self.deps.wheel_cache)
        else:
            deps = prepare_npm_dependencies(info.npm_dependencies, deps_dir(workdir),
                                            self.urls.npm, shared=self.deps.npm_cache,
                                            budget_s=self.deps.budget_s)
        metadata = {**info.metadata, "package_type": info.kind}
        if claimed is not None and claimed != actual:
            metadata["archive_mismatch"] = (f"named {source.name[:120]} (a {claimed} archive) "
                                            f"but its content is a {actual} archive")
        ref = PackageRef(info.ecosystem, info.name, info.version, sha256, filename)
        return FetchedPackage(ref, dest, deps_dir(workdir), deps, metadata)


_CONTENT_SUFFIX = {"gzip": ".tar.gz", "bz2": ".tar.bz2", "xz": ".tar.xz", "tar": ".tar"}


def _name_for_content(filename: str, actual: str, kind: str) -> str:
    """The file name the installers take for this content: pip and npm go by the name.

    A wheel is installed only as NAME-VER-TAGS.whl, so a wheel under a .zip or a lying
    .tar.gz name gets that; other zips become .zip, compressed tars their own suffix.
    """
    suffix = name_suffix(filename)
    stem = filename[: len(filename) - len(suffix)]
    if actual == "zip":
        wanted = ".whl" if kind == "wheel" else (suffix if suffix in (".zip", ".whl") else ".zip")
    else:
        wanted = suffix if name_format(filename) == actual else _CONTENT_SUFFIX[actual]
        if actual == "gzip" and suffix == ".tgz":
            wanted = suffix
    return stem + wanted


def _named_by_file(filename: str, members: tuple[ArchiveMember, ...]) -> StaticInfo:
    """A broken Python archive (no metadata pip could use) still gets analysed: the
    sandbox records that it does not install, and the static scan reads its code. Only
    when it holds Python code and its file name says NAME-VERSION; else it is no package."""
    stem = next((filename[: -len(s)] for s in PYPI_SUFFIXES if filename.endswith(s)), "")
    split = split_name_version(stem)
    has_code = any(m.name.endswith(".py") and m.kind is MemberKind.FILE for m in members)
    if split is None or not has_code or not is_pypi_name(split[0]):
        raise FetchError(f"{filename}: not a Python or npm package (no PKG-INFO, "
                         ".dist-info/METADATA, setup.py, pyproject.toml or package/package.json)")
    return StaticInfo(Ecosystem.PYPI, "sdist", *split,
                      metadata={"identified_by": "file name (archive has no usable metadata)"})


def _check_identity(info: StaticInfo, filename: str, target: Target) -> None:
    """Refuse a file the sandbox could not install as what its metadata claims to be."""
    name = info.name[:100]
    if info.ecosystem is Ecosystem.PYPI and not is_pypi_name(info.name):
        raise FetchError(f"{filename}: invalid project name {name!r} in its metadata")
    if info.ecosystem is Ecosystem.NPM:
        if not is_npm_name(info.name):
            raise FetchError(f"{filename}: invalid npm package name {name!r} in package.json")
        if not filename.lower().endswith(NPM_SUFFIXES):
            raise FetchError(f"{filename}: an npm package must be a .tgz or .tar.gz file")
    if info.kind == "wheel":
        try:
            parse_wheel_filename(filename)
        except InvalidWheelFilename:
            # pip refuses to install a wheel whose file name is not NAME-VER-TAGS.whl.
            raise FetchError(f"{filename}: not a valid wheel file name") from None
    if target.ecosystem is not None and target.ecosystem is not info.ecosystem:
        raise FetchError(f"{filename} is a {info.ecosystem.osv_name} package, not"
                         f" {target.ecosystem.osv_name}")
