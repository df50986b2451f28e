"""npm dependencies into an npm cache the sandbox installs from offline, scripts never run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.defaults import DEPENDENCY_BUDGET_S
from analyzer.fetch.interface import Budget
from analyzer.fetch.npm_shared import NpmCache
from analyzer.fetch.target import is_npm_name
from analyzer.models import Dependency

NPM_CACHE_DIRNAME = "npm-cache"
NPM_TIMEOUT_S = 900.0
# Semver ranges and dist-tags only: anything with ":" or "/" is a URL, git, file or
# GitHub shorthand that would fetch from somewhere other than the registry.
_RANGE = re.compile(r"^[A-Za-z0-9.^~<>=|*+ \t-]*$")
_DEAD_PROXY = "http://127.0.0.1:9"  # discard port: nothing there, so non-registry hosts fail


class _NpmFailed(Exception):
    """One npm run failed; the message is the reason to record."""

    def __init__(self, reason: str, out_of_budget: bool = False) -> None:
        super().__init__(reason)
        self.out_of_budget = out_of_budget


def spec_refusal(name: str, spec: str) -> str | None:
    """Why the dependency `name: spec` must not be fetched, or None if it is a registry spec."""
    if not is_npm_name(name):
        return "invalid npm package name"
    if spec.startswith("npm:"):
        real = spec[len("npm:"):]
        at = real.find("@", 1)  # past a scope's leading "@"
        alias, rng = (real, "") if at < 0 else (real[:at], real[at + 1:])
        if is_npm_name(alias) and _RANGE.match(rng):
            return None
        return "invalid npm: alias"
    if not _RANGE.match(spec):
        return f"non-registry dependency spec refused ({spec[:80]!r})"
    return None


def prepare_npm_dependencies(
    deps: Mapping[str, str], dest: Path, registry: str, timeout_s: float = NPM_TIMEOUT_S,
    shared: NpmCache | None = None, budget_s: float = DEPENDENCY_BUDGET_S,
) -> tuple[Dependency, ...]:
    """Fill `dest/npm-cache` with every tarball `deps` need; what could not be had is missing.

    Every npm run (`timeout_s` at most each) shares `budget_s`; what it did not reach is
    missing, and says so.

    With `shared`, npm fetches into this host's cache, so what an earlier analysis
    fetched is not fetched again, and this analysis's entries are copied out of it."""
    missing = [Dependency(n, None, None, r) for n, s in deps.items()
               if (r := spec_refusal(n, s)) is not None]
    wanted = {n: s for n, s in deps.items() if spec_refusal(n, s) is None}
    if not wanted:
        return tuple(missing)
    npm = shutil.which("npm")
    if npm is None:
        return tuple(missing + [Dependency(n, None, None, "npm not found on the host")
                                for n in wanted])
    cache = dest / NPM_CACHE_DIRNAME
    cache.mkdir(parents=True, exist_ok=True)
    part = shared.for_registry(registry) if shared is not None else None
    try:
        with _fetching(part) as host:
            return tuple(_fill(npm, wanted, cache, registry, _Limits(timeout_s,
                               Budget.from_now(budget_s)), host) + missing)
    finally:
        if part is not None:
            with suppress(OSError):  # the next preparation keeps the bound
                part.evict()


@contextmanager
def _fetching(part: NpmCache | None) -> Iterator[NpmCache | None]:
    """`part`, held from eviction while npm runs; None without a (usable) shared cache."""
    if part is None:
        yield None
        return
    with part.in_use() as root:
        yield part if root is not None else None


@dataclass(frozen=True)
class _Limits:
    timeout_s: float  # one npm run
    budget: Budget  # all of them


def _fill(npm: str, wanted: Mapping[str, str], cache: Path, registry: str, limits: _Limits,
          host: NpmCache | None) -> list[Dependency]:
    try:
        return _install(npm, wanted, cache, registry, limits, host)
    except _NpmFailed as exc:
        if len(wanted) == 1 or exc.out_of_budget:  # one by one would not get further
            return [Dependency(name, None, None, str(exc)) for name in wanted]
    found: dict[tuple[str, str | None], Dependency] = {}
    missing = []
    for name, spec in wanted.items():  # one at a time, so one bad dependency spoils only itself
        try:
            for dep in _install(npm, {name: spec}, cache, registry, limits, host):
                found.setdefault((dep.name, dep.version), dep)
        except _NpmFailed as exc:
            missing.append(Dependency(name, None, None, str(exc)))
    return list(found.values()) + missing


def _install(npm: str, deps: Mapping[str, str], cache: Path, registry: str,
             limits: _Limits, host: NpmCache | None) -> list[Dependency]:
    """npm's lockfile for `deps`, vetted, then their tarballs in `cache` (fetched through
    `host`'s shared cache, then copied out of it, when there is one)."""
    registry += "/"  # npm wants the slash a RegistryUrls leaves off
    hostname = urllib.parse.urlsplit(registry).hostname or ""
    with tempfile.TemporaryDirectory(prefix="pkgsandbox-npm-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "package.json").write_text(json.dumps(
            {"name": "pkgsandbox-deps", "version": "0.0.0", "private": True,
             "dependencies": dict(deps)}))
        userconfig = Path(tmp) / "npmrc"
        userconfig.write_text("")  # keep the host user's tokens and registries out
        common = [
            "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier",
            "--cache", str(host.root if host else cache), "--registry", registry,
            "--userconfig", str(userconfig),
            "--allow-git=none", "--allow-remote=none", "--allow-file=none",
            "--allow-directory=none", "--proxy", _DEAD_PROXY, "--https-proxy", _DEAD_PROXY,
            "--noproxy", hostname, "--fetch-retries=2", "--fetch-retry-mintimeout=1000",
            "--fetch-retry-maxtimeout=5000", "--logs-max=0", "--loglevel=error",
            "--omit-lockfile-registry-resolved=false",  # the vetting needs `resolved`
        ]
        # First resolve the tree from packuments alone and vet it, then fetch tarballs.
        _run([npm, "install", "--package-lock-only", *common], project, limits)
        lock = _read_lock(project / "package-lock.json")
        resolved = _vet(lock, hostname)
        _run([npm, "ci", *common], project, limits)
        if host is not None:
            host.copy_entries(_cached_urls(lock, registry), cache)
        return resolved


def _cached_urls(lock: dict[str, Any], registry: str) -> list[str]:
    """What npm cached for a vetted lockfile: each package's packument and tarball."""
    urls = []
    for key, entry in (lock.get("packages") or {}).items():
        if key == "" or not isinstance(entry, dict) or entry.get("inBundle"):
            continue
        name = str(entry.get("name") or key.rsplit("node_modules/", 1)[-1])
        urls += [registry + name.replace("/", "%2f"), str(entry.get("resolved"))]
    return urls


def _vet(lock: dict[str, Any], host: str) -> list[Dependency]:
    deps: list[Dependency] = []
    for key, entry in (lock.get("packages") or {}).items():
        if key == "" or not isinstance(entry, dict):
            continue
        name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
        if entry.get("link") or not key.startswith("node_modules/"):
            raise _NpmFailed(f"{name} resolves to a local folder, refused")
        url = entry.get("resolved")
        if entry.get("inBundle"):
            deps.append(Dependency(str(name), str(entry.get("version")), None))
            continue
        parts = urllib.parse.urlsplit(url if isinstance(url, str) else "")
        if parts.scheme not in ("http", "https") or parts.hostname != host:
            raise _NpmFailed(f"{name} resolves outside the registry ({str(url)[:100]!r})")
        deps.append(Dependency(str(name), str(entry.get("version")),
                               parts.path.rsplit("/", 1)[-1] or None))
    return deps


def _read_lock(path: Path) -> dict[str, Any]:
    try:
        lock = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise _NpmFailed(f"npm wrote no readable package-lock.json ({exc})") from None
    if not isinstance(lock, dict):
        raise _NpmFailed("npm wrote a package-lock.json that is not an object")
    return lock


def _run(argv: list[str], cwd: Path, limits: _Limits) -> None:
    left = limits.budget.left()
    if left <= 0:
        raise _NpmFailed(limits.budget.not_tried(), out_of_budget=True)
    # No npm_config_* from the host environment: they could add registries or tokens.
    env = {k: v for k, v in os.environ.items()
           if not k.lower().startswith("npm_config_") and k != "NODE_OPTIONS"}
    timeout_s = min(limits.timeout_s, left)
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout_s, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        if left < limits.timeout_s:
            raise _NpmFailed(limits.budget.ran_out(), out_of_budget=True) from None
        raise _NpmFailed(f"npm {argv[1]} timed out after {timeout_s:g}s") from None
    if proc.returncode != 0:
        raise _NpmFailed(_reason(proc.stderr) or f"npm {argv[1]} exited with {proc.returncode}")


def _reason(stderr: str) -> str:
    """The first few `npm error` lines (older npm: `npm ERR!`), as one line."""
    lines = [m.group(1).strip() for m in re.finditer(r"^npm (?:error|ERR!)(.*)$", stderr, re.M)]
    lines = [t for t in lines
             if t and not t.startswith(("A complete log", "Log files were not written"))]
    return " ".join("; ".join(lines[:3]).split())[:300]
