"""`pkgsandbox doctor`: each thing the sandbox needs, checked, with how to fix what is missing."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from analyzer.errors import SandboxError
from analyzer.models import Ecosystem
from analyzer.sandbox.daemon import connect
from analyzer.sandbox.host import RUNTIME, docker_host, state_dir
from analyzer.sandbox.images import image_name


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found, or how to fix it


def _binary(name: str, path: str, package: str) -> Check:
    found = Path(path).exists() or shutil.which(name) is not None
    return Check(name, found, path if found else f"missing: apt-get install {package} "
                                                 "(or `make setup`)")


# bookworm's own runsc (2022-12-19) breaks `ls` and `stat` inside the sandbox.
RUNSC_MIN_DATE = 20240101


def _runsc_version() -> Check:
    try:
        output = subprocess.run(["/usr/bin/runsc", "--version"], capture_output=True, text=True,
                                timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return Check("runsc", False, "missing: run `make setup` (installs it from "
                                     "bookworm-backports)")
    match = re.search(r"runsc version 0\.0~(\d{8})", output)
    if match is None or int(match.group(1)) < RUNSC_MIN_DATE:
        found = output.splitlines()[0] if output else "unknown version"
        return Check("runsc", False, f"{found} is too old (statx fails inside the sandbox); "
                                     "run `make setup` to install it from bookworm-backports")
    return Check("runsc", True, output.splitlines()[0])


def run_checks() -> list[Check]:
    checks = [
        _runsc_version(),
        _binary("dockerd", "/usr/sbin/dockerd", "docker.io"),
        _binary("debootstrap", "/usr/sbin/debootstrap", "debootstrap"),
    ]
    try:
        client = connect()
    except SandboxError as exc:
        return [*checks, Check("daemon", False, exc.diagnostics())]
    checks.append(Check("daemon", True, docker_host()))
    checks += _daemon_checks(client)
    return checks


def _daemon_checks(client: docker.DockerClient) -> list[Check]:
    runtimes = client.info().get("Runtimes", {})
    runtime = runtimes.get(RUNTIME)
    checks = [Check(
        "runtime", runtime is not None,
        f"{RUNTIME} -> {runtime.get('path')}" if runtime else
        f"missing: the daemon has no {RUNTIME} runtime; run `make setup`",
    )]
    if runtime is not None:
        args = runtime.get("runtimeArgs") or []
        checks.append(Check(
            "no network", "--network=none" in args,
            "runsc --network=none" if "--network=none" in args else
            f"the {RUNTIME} runtime lacks --network=none; run `make setup`",
        ))
        checks.append(Check(
            "trace", "--strace" in args,
            f"strace logs under {state_dir() / 'traces'}" if "--strace" in args else
            f"the {RUNTIME} runtime lacks --strace; run `make setup`",
        ))
    for ecosystem in Ecosystem:
        checks.append(_image_check(client, image_name(ecosystem)))
    return checks


def _image_check(client: docker.DockerClient, image: str) -> Check:
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return Check(f"image {image.split(':')[0]}", False,
                     f"missing {image}: run `pkgsandbox images build`")
    return Check(f"image {image.split(':')[0]}", True, image)


def report(checks: list[Check], write: Callable[[str], None]) -> bool:
    for check in checks:
        write(f"{'ok     ' if check.ok else 'MISSING'}  {check.name}: {check.detail}")
    return all(check.ok for check in checks)
