"""Python dependencies as wheels only, fetched by `pip download` for the sandbox's Python."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from analyzer.defaults import DEPENDENCY_BUDGET_S
from analyzer.fetch.interface import Budget
from analyzer.fetch.pip_failure import PipFailure, blame, one_line, parse_pip_failure
from analyzer.fetch.wheel_cache import MAX_REQUIREMENT_CHARS, WheelCache, restore_names
from analyzer.models import Dependency

# The sandbox image: Debian bookworm (glibc 2.36), CPython 3.11, x86_64.
SANDBOX_PYTHON = (3, 11)
SANDBOX_PLATFORMS = ("manylinux2014_x86_64",
                     *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 37)),
                     "linux_x86_64")
_MARKER_ENV = {
    "implementation_name": "cpython", "implementation_version": "3.11.2",
    "os_name": "posix", "platform_machine": "x86_64", "platform_python_implementation": "CPython",
    "platform_release": "", "platform_system": "Linux", "platform_version": "",
    "python_full_version": "3.11.2", "python_version": "3.11", "sys_platform": "linux",
    "extra": "",  # extras-only requirements do not apply to a plain install
}
# Most specific first, as pip ranks them.
_SANDBOX_TAGS = {tag: rank for rank, tag in enumerate(
    [*cpython_tags(SANDBOX_PYTHON, platforms=SANDBOX_PLATFORMS),
     *compatible_tags(SANDBOX_PYTHON, "cp311", platforms=SANDBOX_PLATFORMS)])}
PIP_TIMEOUT_S = 900.0  # one pip run
DOWNLOAD_BUDGET_S = DEPENDENCY_BUDGET_S  # every pip run for one package together
MAX_BATCH_RUNS = 3  # the batch, then twice without what pip's output blamed
ONE_BY_ONE_MAX = 4  # a failed batch no larger than this, with nothing blamed, goes one by one


def wheel_rank(filename: str) -> int | None:
    """How well a wheel fits the sandbox's CPython 3.11 linux x86_64 (lower: better); None: not."""
    try:
        tags: frozenset[Tag] = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return None
    return min((_SANDBOX_TAGS[t] for t in tags if t in _SANDBOX_TAGS), default=None)


def applicable(lines: Iterable[str]) -> tuple[list[str], list[Dependency]]:
    """Requirements that apply in the sandbox, as plain pip arguments; and the ones refused."""
    usable: dict[str, None] = {}
    refused: list[Dependency] = []
    for line in lines:
        try:
            if len(line) > MAX_REQUIREMENT_CHARS:
                raise InvalidRequirement  # packaging's parser recurses per parenthesis
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(_MARKER_ENV):
                continue
        except (InvalidRequirement, InvalidMarker, UndefinedComparison,
                UndefinedEnvironmentName):
            refused.append(Dependency(line[:100], None, None, "unparsable requirement"))
            continue
        if req.url:
            # A direct URL would make pip fetch from an arbitrary host.
            refused.append(Dependency(req.name, None, None, "direct URL requirement refused"))
            continue
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        usable[f"{req.name}{extras}{req.specifier}"] = None
    return list(usable), refused


def download_wheels(
    requirements: Sequence[str], dest: Path, pypi_url: str, timeout_s: float = PIP_TIMEOUT_S,
    budget_s: float = DOWNLOAD_BUDGET_S, cache: WheelCache | None = None,
) -> list[Dependency]:
    """Download wheels for `requirements` (and their dependencies) into `dest`; the missing.

    One resolver run for the whole batch. When it fails, the requirements pip's output
    blames (no matching distribution for one of theirs, or a conflict) are dropped and
    the rest run again as one batch, `MAX_BATCH_RUNS` runs in all. Only a batch of at
    most `ONE_BY_ONE_MAX` that fails without blaming any is retried one at a time: one
    run per requirement is what cost minutes on packages with dozens. After `budget_s`
    the rest are returned as missing, with why. Never builds anything:
    `--only-binary=:all:` means no sdist, so no setup.py. With a `cache`, pip takes what
    it holds instead of downloading it, and what it downloads goes in.
    """
    with _cached(cache, pypi_url, dest, requirements) as view:
        return _download(list(requirements), dest, pypi_url, timeout_s,
                         Budget.from_now(budget_s), view)


@contextmanager
def _cached(cache: WheelCache | None, pypi_url: str, dest: Path,
            requirements: Iterable[str]) -> Iterator[Path | None]:
    """The cache's view for pip's `--find-links` (None: no cache); `dest`'s wheels kept after."""
    if cache is None:
        yield None
        return
    part = cache.for_index(pypi_url)
    with part.view(requirements) as view:
        try:
            yield view
        finally:
            if view is not None and dest.is_dir():
                restore_names(dest)
        if view is not None and dest.is_dir():
            part.keep(dest, frozenset(p.name for p in view.iterdir()))


def _download(requirements: list[str], dest: Path, pypi_url: str, timeout_s: float,
              budget: Budget, find_links: Path | None) -> list[Dependency]:
    if not requirements:
        return []
    dest.mkdir(parents=True, exist_ok=True)
    missing: list[Dependency] = []
    pending = requirements
    runs = 0
    while True:
        failure = _run(pending, dest, pypi_url, timeout_s, budget, find_links)
        runs += 1
        if failure is None:
            return missing
        blamed = {} if failure.out_of_budget else blame(failure, pending)
        missing += [Dependency(_name(req), None, None, why) for req, why in blamed.items()]
        pending = [req for req in pending if req not in blamed]
        if not pending:
            return missing
        if not blamed:
            break
        if runs == MAX_BATCH_RUNS:
            reason = one_line(f"not downloaded: pip download still failed after {runs} runs"
                               f" ({failure.reason})")
            return missing + [Dependency(_name(req), None, None, reason) for req in pending]
    if failure.out_of_budget or len(pending) == 1 or len(pending) > ONE_BY_ONE_MAX:
        reason = failure.reason if failure.out_of_budget or len(pending) == 1 else \
            one_line(f"not downloaded: its batch of {len(pending)} failed ({failure.reason})")
        return missing + [Dependency(_name(req), None, None, reason) for req in pending]
    for req in pending:
        alone = _run([req], dest, pypi_url, timeout_s, budget, find_links)
        if alone is not None:
            missing.append(Dependency(_name(req), None, None, alone.reason))
    return missing


def _run(requirements: list[str], dest: Path, pypi_url: str, timeout_s: float,
         budget: Budget, find_links: Path | None) -> PipFailure | None:
    left = budget.left()
    if left <= 0:
        return PipFailure(budget.not_tried(), out_of_budget=True)
    failure = _pip_download(requirements, dest, pypi_url, min(timeout_s, left), find_links)
    if failure is not None and failure.timed_out and left < timeout_s:
        return PipFailure(budget.ran_out(), out_of_budget=True)
    return failure


def _name(requirement: str) -> str:
    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return requirement[:100]


def wheels_in(dest: Path) -> list[Dependency]:
    """One `Dependency` per wheel pip left in `dest`."""
    found = []
    for wheel in sorted(dest.glob("*.whl")):
        try:
            name, version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            continue
        found.append(Dependency(str(name), str(version), wheel.name))
    return found


def prepare_python_dependencies(
    requires_dist: Iterable[str], build_requires: Iterable[str], dest: Path, pypi_url: str,
    budget_s: float = DOWNLOAD_BUDGET_S, cache: WheelCache | None = None,
) -> tuple[Dependency, ...]:
    """Runtime and build requirements as wheels in `dest`, plus the ones that could not be had.

    Both batches share `budget_s` and the `cache`; the build one runs first, as nothing
    installs without it.
    """
    runtime, refused = applicable(requires_dist)
    build, refused_build = applicable(build_requires)
    budget = Budget.from_now(budget_s)
    with _cached(cache if runtime or build else None, pypi_url, dest, build + runtime) as view:
        # Separate batches: build and runtime requirements never share an environment.
        missing_build = _download(build, dest, pypi_url, PIP_TIMEOUT_S, budget, view)
        missing = _download(runtime, dest, pypi_url, PIP_TIMEOUT_S, budget, view) + missing_build
    have = {canonicalize_name(d.name) for d in wheels_in(dest)} if dest.is_dir() else set()
    still_missing = [d for d in missing + refused + refused_build
                     if canonicalize_name(d.name) not in have]
    found = wheels_in(dest) if dest.is_dir() else []
    return tuple(found + _unique(still_missing))


def _unique(deps: list[Dependency]) -> list[Dependency]:
    seen: dict[str, Dependency] = {}
    for dep in deps:
        seen.setdefault(canonicalize_name(dep.name), dep)
    return list(seen.values())


def _pip_download(
    requirements: Sequence[str], dest: Path, pypi_url: str, timeout_s: float,
    find_links: Path | None = None,
) -> PipFailure | None:
    """Run pip download; None on success, else what its output says went wrong.

    A `find_links` view of the cache names its wheels so that pip ranks them above the
    index's same files: it copies a cached wheel rather than downloading it. The index is
    still read, so a newer release wins. With our cache, pip's own (unbounded, per-user)
    HTTP cache is not used as well."""
    cached = ["--find-links", str(find_links), "--no-cache-dir"] if find_links else []
    argv = [sys.executable, "-m", "pip", "download", "--isolated", "--no-input",
            "--disable-pip-version-check", "--progress-bar", "off",
            "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
            *(arg for platform in SANDBOX_PLATFORMS for arg in ("--platform", platform)),
            "--index-url", pypi_url + "/simple/", *cached,
            "--timeout", "30", "--retries", "2", "--dest", str(dest), "--", *requirements]
    # --isolated skips user config and PIP_* variables but not the global pip.conf, which
    # here adds extra indexes and find-links: PIP_CONFIG_FILE=/dev/null skips every file.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, errors="replace",
                              timeout=timeout_s, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return PipFailure(f"pip download timed out after {timeout_s:.0f}s", timed_out=True)
    if proc.returncode == 0:
        return None
    return parse_pip_failure(proc.stdout + "\n" + proc.stderr, proc.returncode)
