"""Parse `pypi:NAME[==VER]`, `npm:NAME[@VER]` or a local archive path into a `Target`."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import InvalidVersion, Version

from analyzer.errors import UsageError
from analyzer.fetch.interface import Target
from analyzer.kinds import Ecosystem

LOCAL_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".whl", ".tar.bz2", ".tar")

# PEP 508 names: letters/digits, with . _ - allowed inside.
_PYPI_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
# validate-npm-package-name: URL-safe, no leading . or _; capitals only on legacy packages.
_NPM_PART = r"[A-Za-z0-9~-][A-Za-z0-9._~-]*"
_NPM_NAME = re.compile(rf"^(?:@{_NPM_PART}/)?{_NPM_PART}$")
_NPM_BLOCKED = frozenset({"node_modules", "favicon.ico"})
# semver.org 2.0.0, without the leading "v" npm tolerates.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_NPM_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")
_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _quote(text: str) -> str:
    return repr(text[:100])


def is_pypi_name(name: str) -> bool:
    return bool(_PYPI_NAME.match(name)) and len(name) <= 200


def is_npm_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return bool(_NPM_NAME.match(name)) and len(name) <= 214 and base not in _NPM_BLOCKED


def is_pypi_version(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return len(version) <= 100


def is_npm_version(version: str) -> bool:
    return bool(_SEMVER.match(version)) and len(version) <= 256


def parse_target(text: str) -> Target:
    """The `Target` named by `text`; `UsageError` (one line) if it names nothing we can fetch."""
    text = text.strip()
    if text.startswith("pypi:"):
        return _parse_pypi(text[len("pypi:"):])
    if text.startswith("npm:"):
        return _parse_npm(text[len("npm:"):])
    path = Path(text).expanduser()
    prefix = _PREFIX.match(text)
    if prefix and not path.exists():
        raise UsageError(f"unknown target prefix {prefix.group(1)!r}: use pypi:NAME[==VERSION],"
                         " npm:NAME[@VERSION] or a path to a package file")
    if not text.lower().endswith(LOCAL_SUFFIXES):
        raise UsageError(f"target {_quote(text)} is not pypi:NAME, npm:NAME or a package file"
                         f" ({', '.join(LOCAL_SUFFIXES)})")
    if not path.is_file():
        raise UsageError(f"no such file: {_quote(text)}")
    return Target(ecosystem=None, path=path.resolve())


def _parse_pypi(spec: str) -> Target:
    name, sep, version = spec.partition("==")
    name, version = name.strip(), version.strip()
    if not is_pypi_name(name):
        raise UsageError(f"invalid PyPI project name {_quote(name)}")
    if sep and not is_pypi_version(version):
        raise UsageError(f"invalid PyPI version {_quote(version)} for {name}: use NAME==VERSION")
    return Target(ecosystem=Ecosystem.PYPI, name=name, version=version if sep else None)


def _parse_npm(spec: str) -> Target:
    # The version separator is the first "@" after a scope's leading one.
    at = spec.find("@", 1)
    name, version = (spec, None) if at < 0 else (spec[:at], spec[at + 1:])
    if not is_npm_name(name):
        raise UsageError(f"invalid npm package name {_quote(name)}")
    if version is not None and not (is_npm_version(version) or _NPM_TAG.match(version)):
        raise UsageError(f"invalid npm version {_quote(version)} for {name}:"
                         " use an exact version like 1.2.3 or a dist-tag")
    return Target(ecosystem=Ecosystem.NPM, name=name, version=version)
