"""Static metadata from inside an archive (PKG-INFO, METADATA, pyproject.toml, package.json)."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from analyzer.errors import FetchError
from analyzer.fetch.archive import ArchiveLimits, read_members
from analyzer.fetch.requirements_static import (
    MAX_PREFETCH,
    MAX_TEXT_BYTES,
    declared_requirements,
    prefetch_wanted,
)
from analyzer.models import Ecosystem

MAX_METADATA_BYTES = 4 << 20
# What pip assumes for an sdist without [build-system] (PEP 518).
DEFAULT_BUILD_REQUIRES = ("setuptools>=40.8.0",)
NPM_LIFECYCLE_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")

_PKG_INFO_FIELDS = {"Summary": "summary", "Author": "author", "Author-email": "author_email",
                    "Home-page": "home_page", "License": "license",
                    "Requires-Python": "requires_python"}


@dataclass(frozen=True)
class StaticInfo:
    """What an archive says about itself, read without running anything."""

    ecosystem: Ecosystem
    kind: str  # "sdist" | "wheel" | "npm"
    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    build_requires: tuple[str, ...] = ()
    npm_dependencies: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)


_TOP_FILES = ("PKG-INFO", "pyproject.toml", "package.json", "setup.py", "setup.cfg")


def describing_file(name: str) -> str | None:
    """Which describing file `name` is ("PKG-INFO", "METADATA", ...), or None."""
    # Only files directly under the single top folder: deeper copies (egg-info, vendored
    # packages, test fixtures) do not describe this package. The one exception is a
    # wheel's .dist-info tarred inside a folder, a shape malware collections hold.
    parts = name.split("/")
    if len(parts) == 3:
        return "nested METADATA" if parts[1].endswith(".dist-info") \
            and parts[2] == "METADATA" else None
    if len(parts) != 2:
        return None
    top, base = parts
    if top.endswith(".dist-info"):
        return "METADATA" if base == "METADATA" else None
    return base if base in _TOP_FILES else None


def _wanted(name: str) -> bool:
    # Requirements files too: most sdists are read in this one pass.
    return describing_file(name) is not None or prefetch_wanted(name)


def read_static_info(path: Path, limits: ArchiveLimits | None = None) -> StaticInfo:
    """Identify the package in `path`; `FetchError` if it is not a Python or npm package."""
    found: dict[str, tuple[str, bytes]] = {}
    texts: dict[str, bytes] = {}  # by member name: what declared_requirements reads
    prefetched = 0
    for name, data in read_members(path, _wanted, MAX_METADATA_BYTES, limits):
        key = describing_file(name)
        if key is None:  # a requirements file
            prefetched += 1
            if prefetched <= MAX_PREFETCH:
                texts[name] = data[:MAX_TEXT_BYTES + 1]
            continue
        if key in ("setup.py", "setup.cfg", "pyproject.toml"):
            texts[name] = data[:MAX_TEXT_BYTES + 1]
        top = name.split("/")[0]
        if key == "package.json" and top == "package":
            found[key] = (top, data)  # npm's own layout: prefer it to any other top folder
        else:
            found.setdefault(key, (top, data))
    if "METADATA" in found:
        return _python(found["METADATA"][1], "wheel", (), path.name)
    build = _build_requires(found["pyproject.toml"][1], path.name) \
        if "pyproject.toml" in found else DEFAULT_BUILD_REQUIRES
    info: StaticInfo | None = None
    if "PKG-INFO" in found:
        info, top = _python(found["PKG-INFO"][1], "sdist", build, path.name), found["PKG-INFO"][0]
    elif "package.json" in found:
        return _npm(found["package.json"][1], path.name)
    # Source trees without PKG-INFO: pip still tries to build them, so the sandbox
    # should see that try, and the static scan still reads every file.
    elif "nested METADATA" in found:
        top = found["nested METADATA"][0]
        info = _python(found["nested METADATA"][1], "sdist", build, path.name)
    else:
        for key in ("pyproject.toml", "setup.py"):
            if key in found:
                top = found[key][0]
                info = _source_tree(top, found.get("pyproject.toml"), build, path.name)
                break
    if info is None:
        raise FetchError(f"{path.name}: not a Python or npm package (no PKG-INFO, "
                         ".dist-info/METADATA, setup.py, pyproject.toml or package/package.json)")
    return _with_declared(info, path, top, texts, limits)


def _with_declared(info: StaticInfo, path: Path, top: str, texts: dict[str, bytes],
                   limits: ArchiveLimits | None) -> StaticInfo:
    """Requirements read from setup.py, setup.cfg, pyproject and requirements files.

    They stand in for Requires-Dist only when the metadata has none (pip would run
    setup.py for them); setup_requires always adds to the build requirements."""
    declared = declared_requirements(path, top, texts, limits)
    requires = info.requires_dist or declared.requires
    build = tuple(dict.fromkeys((*info.build_requires, *declared.setup_requires)))
    metadata = dict(info.metadata)
    if declared.unread:
        metadata |= text_fields({"requirements_unread": "; ".join(declared.unread)})
    return dataclasses.replace(info, requires_dist=requires, build_requires=build,
                               metadata=metadata)


def _source_tree(top: str, pyproject: tuple[str, bytes] | None, build: tuple[str, ...],
                 archive: str) -> StaticInfo:
    """Name and version of a source tree: pyproject's [project], else its `NAME-VERSION` folder."""
    if pyproject is not None:
        try:
            project = tomllib.loads(pyproject[1].decode("utf-8", "replace")).get("project")
        except tomllib.TOMLDecodeError:
            project = None
        except RecursionError:
            raise FetchError(f"{archive}: pyproject.toml is nested too deep") from None
        if isinstance(project, dict) and isinstance(project.get("name"), str) \
                and isinstance(project.get("version"), str):
            return StaticInfo(Ecosystem.PYPI, "sdist", project["name"], project["version"],
                              build_requires=build)
    split = split_name_version(top)
    if split is None:
        raise FetchError(f"{archive}: a source tree without PKG-INFO needs a NAME-VERSION "
                         "top folder or a [project] name and version")
    return StaticInfo(Ecosystem.PYPI, "sdist", *split, build_requires=build)


def split_name_version(stem: str) -> tuple[str, str] | None:
    """("name", "1.2") from "name-1.2", the sdist naming habit; None when it does not fit."""
    name, dash, version = stem.rpartition("-")
    if not dash or not name or not version[:1].isdigit():
        return None
    return name, version


def sdist_build_requires(path: Path, limits: ArchiveLimits | None = None) -> tuple[str, ...]:
    """`[build-system] requires` of an sdist's top-level pyproject.toml, or pip's default."""
    for name, data in read_members(path, lambda n: describing_file(n) == "pyproject.toml",
                                   MAX_METADATA_BYTES, limits):
        return _build_requires(data, name)
    return DEFAULT_BUILD_REQUIRES


def _python(data: bytes, kind: str, build: tuple[str, ...], archive: str) -> StaticInfo:
    msg = HeaderParser().parsestr(data.decode("utf-8", "replace"))
    name, version = (msg.get("Name") or "").strip(), (msg.get("Version") or "").strip()
    if not name or not version:
        raise FetchError(f"{archive}: package metadata has no Name or Version")
    meta = text_fields({key: msg.get(header) for header, key in _PKG_INFO_FIELDS.items()})
    requires = tuple(str(r).strip() for r in msg.get_all("Requires-Dist") or ())
    return StaticInfo(Ecosystem.PYPI, kind, name, version, requires, build, metadata=meta)


def _build_requires(data: bytes, where: str) -> tuple[str, ...]:
    try:
        doc = tomllib.loads(data.decode("utf-8", "replace"))
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"{where}: invalid pyproject.toml ({exc})") from None
    except RecursionError:
        raise FetchError(f"{where}: pyproject.toml is nested too deep") from None
    system = doc.get("build-system")
    if not isinstance(system, dict):
        return DEFAULT_BUILD_REQUIRES
    requires = system.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise FetchError(f"{where}: build-system.requires is not a list of strings")
    return tuple(requires)


def _npm(data: bytes, archive: str) -> StaticInfo:
    try:
        doc = json.loads(data)
    except ValueError:
        raise FetchError(f"{archive}: package.json is not valid JSON") from None
    except RecursionError:
        raise FetchError(f"{archive}: package.json is nested too deep") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) \
            or not isinstance(doc.get("version"), str):
        raise FetchError(f"{archive}: package.json has no name or version")
    return StaticInfo(Ecosystem.NPM, "npm", doc["name"], doc["version"],
                      npm_dependencies=npm_dependencies(doc), metadata=npm_metadata(doc))


def npm_dependencies(manifest: dict[str, Any]) -> dict[str, str]:
    """`dependencies` plus `optionalDependencies`, keeping only string name -> string spec."""
    deps: dict[str, str] = {}
    for key in ("dependencies", "optionalDependencies"):
        table = manifest.get(key)
        if isinstance(table, dict):
            deps.update({k: v for k, v in table.items() if isinstance(v, str)})
    return deps


def npm_metadata(manifest: dict[str, Any]) -> dict[str, str]:
    """Reviewer-facing strings from a package.json or a packument version."""
    author = manifest.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    meta = text_fields({"summary": manifest.get("description"), "author": author,
                        "home_page": manifest.get("homepage"), "license": manifest.get("license")})
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict):
        hooks = [s for s in NPM_LIFECYCLE_SCRIPTS if isinstance(scripts.get(s), str)]
        if hooks:
            meta["install_scripts"] = ",".join(hooks)
    return meta


def text_fields(values: dict[str, Any]) -> dict[str, str]:
    """The non-empty string values, each on one line and cut short: registry text is untrusted."""
    return {key: " ".join(value.split())[:500] for key, value in values.items()
            if isinstance(value, str) and value.strip()}
