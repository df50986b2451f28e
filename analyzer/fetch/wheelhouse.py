"""Python dependencies as wheels only, fetched by `pip download` for the sandbox's Python."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

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
PIP_TIMEOUT_S = 900.0


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
    requirements: Sequence[str], dest: Path, pypi_url: str, timeout_s: float = PIP_TIMEOUT_S
) -> list[Dependency]:
    """Download wheels for `requirements` (and their dependencies) into `dest`.

    A failed batch is retried one requirement at a time; what still fails is returned as
    missing. Never builds anything: `--only-binary=:all:` means no sdist, so no setup.py.
    """
    if not requirements:
        return []
    dest.mkdir(parents=True, exist_ok=True)
    batch_error = _pip_download(requirements, dest, pypi_url, timeout_s)
    if batch_error is None:
        return []
    if len(requirements) == 1:
        return [Dependency(Requirement(requirements[0]).name, None, None, batch_error)]
    missing: list[Dependency] = []
    for req in requirements:
        error = _pip_download([req], dest, pypi_url, timeout_s)
        if error is not None:
            missing.append(Dependency(Requirement(req).name, None, None, error))
    return missing


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
    requires_dist: Iterable[str], build_requires: Iterable[str], dest: Path, pypi_url: str
) -> tuple[Dependency, ...]:
    """Runtime and build requirements as wheels in `dest`, plus the ones that could not be had."""
    runtime, refused = applicable(requires_dist)
    build, refused_build = applicable(build_requires)
    # Separate batches: build and runtime requirements never share an environment.
    missing = download_wheels(runtime, dest, pypi_url) + download_wheels(build, dest, pypi_url)
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
    requirements: Sequence[str], dest: Path, pypi_url: str, timeout_s: float
) -> str | None:
    """Run pip download; None on success, else the reason in one line."""
    argv = [sys.executable, "-m", "pip", "download", "--isolated", "--no-input",
            "--disable-pip-version-check", "--progress-bar", "off",
            "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
            *(arg for platform in SANDBOX_PLATFORMS for arg in ("--platform", platform)),
            "--index-url", pypi_url.rstrip("/") + "/simple/",
            "--timeout", "30", "--retries", "2", "--dest", str(dest), "--", *requirements]
    # --isolated skips user config and PIP_* variables but not the global pip.conf, which
    # here adds extra indexes and find-links: PIP_CONFIG_FILE=/dev/null skips every file.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=timeout_s, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"pip download timed out after {timeout_s:g}s"
    if proc.returncode == 0:
        return None
    errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR:")]
    reason = errors[-1][len("ERROR:"):] if errors else f"pip exited with {proc.returncode}"
    return " ".join(reason.split())[:300]
