"""What a package says it is, read from its own metadata: names, repositories, web hosts.

The dropper and DNS-beacon checks use it to tell a package fetching its own release
binary, or resolving its own domain, from one reaching somebody else's. Everything
here is claimed by the package itself, so it can only ever excuse what points back at
the package: a name or repository it names as its own.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Iterable

from analyzer.signals import PackageIdentity

_METADATA_NAMES = frozenset({"pkg-info", "metadata"})
_URL = re.compile(r"(?i)\b(?:git\+)?(?:https?|git|ssh)://(?:[^@/\s]+@)?([^/\s:'\"]+)(?::\d+)?(/[^\s'\"#?]*)?")
# github:owner/repo, gitlab:owner/repo, or a bare owner/repo (npm's shorthands)
_SHORTHAND = re.compile(r"^(?:(github|gitlab|bitbucket):)?([\w.-]+)/([\w.-]+?)(?:\.git)?$")
_FORGES = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
# Where a sdist or wheel keeps its version: name-1.2.3/, name-1.2.3.dist-info/
_VERSIONED_DIR = re.compile(r"^(.+?)-v?\d[\w.+!-]*?(?:\.dist-info|\.egg-info|\.data)?$")
_SETUP_NAME = re.compile(r"""\bname\s*=\s*['"]([\w.-]+)['"]""")
_SETUP_URL = re.compile(r"""\b(?:url|download_url)\s*=\s*['"]([^'"]+)['"]""")
_MAX_METADATA_BYTES = 256 * 1024


def normalise(name: str) -> str:
    """PEP 503 style: lower case, runs of `-`, `_` and `.` as one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_identity(files: Iterable[tuple[str, bytes]]) -> PackageIdentity:
    """Names, repositories and hosts from the top-level metadata files among `files`."""
    names: set[str] = set()
    urls: list[str] = []
    for path, data in files:
        parts = path.split("/")
        if len(parts) > 3:
            continue
        for folder in parts[:-1]:
            m = _VERSIONED_DIR.match(folder)
            if m and m.group(1) != "package":
                names.add(m.group(1))
        base = parts[-1].lower()
        text = data[:_MAX_METADATA_BYTES].decode("utf-8", "replace")
        if base in _METADATA_NAMES:
            _from_core_metadata(text, names, urls)
        elif base == "package.json":
            _from_package_json(text, names, urls)
        elif base == "pyproject.toml":
            _from_pyproject(text, names, urls)
        elif base == "setup.py":
            names.update(_SETUP_NAME.findall(text)[:1])
            urls.extend(_SETUP_URL.findall(text)[:3])
    repositories, hosts = set(), set()
    for url in urls:
        repo, host = _repository_of(url)
        if repo:
            repositories.add(repo)
        elif host:
            hosts.add(host)
    return PackageIdentity(
        names=frozenset(normalise(n) for n in names if n),
        repositories=frozenset(repositories),
        hosts=frozenset(hosts),
    )


def _from_core_metadata(text: str, names: set[str], urls: list[str]) -> None:
    header = text.split("\n\n", 1)[0]
    for line in header.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "name":
            names.add(value.strip())
        elif key in ("home-page", "download-url", "project-url"):
            urls.append(value.rsplit(",", 1)[-1].strip())


def _from_package_json(text: str, names: set[str], urls: list[str]) -> None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    if not isinstance(data, dict):
        return
    if isinstance(data.get("name"), str):
        names.add(data["name"])
        names.add(data["name"].rsplit("/", 1)[-1])  # @scope/name
    for key in ("repository", "homepage", "bugs"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("url")
        if isinstance(value, str):
            urls.append(value)


def _from_pyproject(text: str, names: set[str], urls: list[str]) -> None:
    try:
        project = tomllib.loads(text).get("project", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return
    if not isinstance(project, dict):
        return
    if isinstance(project.get("name"), str):
        names.add(project["name"])
    project_urls = project.get("urls")
    if isinstance(project_urls, dict):
        urls.extend(v for v in project_urls.values() if isinstance(v, str))


def _repository_of(url: str) -> tuple[str | None, str | None]:
    """('github.com/owner/repo', None) for a forge URL, (None, host) for any other."""
    url = url.strip()
    short = _SHORTHAND.match(url)
    if short and "://" not in url:
        forge = {"gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}.get(
            short.group(1) or "", "github.com"
        )
        return f"{forge}/{short.group(2)}/{short.group(3)}".lower(), None
    if url.startswith("git@") and ":" in url:  # git@github.com:owner/repo.git
        host, _, rest = url[4:].partition(":")
        url = f"ssh://{host}/{rest}"
    m = _URL.search(url)
    if not m:
        return None, None
    host = m.group(1).lower().removeprefix("www.")
    segments = [s for s in (m.group(2) or "").split("/") if s]
    if host in _FORGES and len(segments) >= 2:
        repo = posixpath.join(host, segments[0], segments[1].removesuffix(".git"))
        return repo.lower(), None
    return None, host
