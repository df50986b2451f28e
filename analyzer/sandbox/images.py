"""Sandbox image names, their version tag, and rebuilding them."""

from __future__ import annotations

import functools
import hashlib
import subprocess
from pathlib import Path

import docker.errors

from analyzer.errors import SandboxError
from analyzer.models import Ecosystem
from analyzer.sandbox.host import IMAGES_DIR, state_dir

IMAGE_KIND = {Ecosystem.PYPI: "python", Ecosystem.NPM: "node"}


# In sandbox_images/ but not in the images: changing them needs no rebuild.
NOT_IN_IMAGES = frozenset({".build", "setup-host.sh", "lib.sh"})


@functools.cache
def image_tag() -> str:
    """A hash of everything that goes into the images: a changed driver or protocol means
    a new tag.

    Computed once per process: a running watcher keeps the images it started with."""
    digest = hashlib.sha256()
    for relative, path in image_files():
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def image_files() -> list[tuple[Path, Path]]:
    """(path in sandbox_images/, file) for each file build.sh puts into the images.

    Links are followed, as build.sh's `cp -L` does: driver/protocol.py is the host's
    analyzer/protocol.py, so a protocol change is an image change."""
    files = []
    for path in sorted(IMAGES_DIR.rglob("*")):
        relative = path.relative_to(IMAGES_DIR)
        # Tool caches (.mypy_cache, .ruff_cache, __pycache__) are not what the images hold.
        if path.is_file() and relative.parts[0] not in NOT_IN_IMAGES and not any(
                part.startswith(".") or part == "__pycache__" for part in relative.parts):
            files.append((relative, path))
    return files


def image_name(ecosystem: Ecosystem) -> str:
    return f"pkgsandbox-{IMAGE_KIND[ecosystem]}:{image_tag()}"


def build_images(which: str = "all") -> None:
    """Run sandbox_images/build.sh (debootstrap, docker import, docker build); needs root."""
    if which not in ("all", *IMAGE_KIND.values()):
        raise SandboxError(f"unknown image {which!r}: choose python, node or all")
    script = IMAGES_DIR / "build.sh"
    completed = subprocess.run(["bash", str(script), image_tag(), which], check=False)
    if completed.returncode != 0:
        raise SandboxError(
            f"building the sandbox images failed (exit {completed.returncode}); "
            f"logs are in {state_dir() / 'build-cache'}"
        )


def images_present(kind: str) -> bool:
    """Whether the image of this kind and the current tag exists on the sandbox daemon."""
    from analyzer.sandbox.daemon import connect  # the daemon only when asked

    ecosystem = {v: k for k, v in IMAGE_KIND.items()}[kind]
    try:
        connect().images.get(image_name(ecosystem))
    except docker.errors.ImageNotFound:
        return False
    return True
