"""What a killed predecessor left: sandbox containers whose owning process is gone, and
the run folders (spec with its CA key and canaries, /out, work) nobody deletes any more.

Each container carries its owner (`OWNER_LABEL`: host, pid and that process's start
time, so a reused pid is not taken for the owner). A worker sweeps at start: it removes
the containers of owners on this host that are no longer running, and any container or
run folder older than `STALE_AFTER_S` whose owner it cannot tell (an older label, another
host's analysis on a shared daemon is left alone until then).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import psutil
import requests

from analyzer.sandbox.host import CONTAINER_LABEL, trace_dir

OWNER_LABEL = "pkgsandbox.owner"
# Longer than any run can last (the four phases' longest timeouts and the margin).
STALE_AFTER_S = 6 * 3600.0
# The folders the sandbox makes with mkdtemp: prefix and eight random characters.
_RUN_FOLDER = re.compile(r"pkgsandbox-(?:spec-|out-)?[a-z0-9_]{8}")


def owner_tag() -> str:
    """This process as a container's owner: host, pid and start time."""
    me = psutil.Process()
    return f"{socket.gethostname()}:{me.pid}:{me.create_time():.2f}"


def _owner_alive(tag: str) -> bool | None:
    """True or False for an owner on this host; None when it is another host's, or the
    tag is not one of ours."""
    host, _, rest = tag.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    try:
        return abs(psutil.Process(int(pid_text)).create_time() - float(started)) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


@dataclass(frozen=True)
class Swept:
    containers: tuple[str, ...]
    folders: tuple[str, ...]


def sweep(client: Any, now: float | None = None, temp: Path | None = None) -> Swept:
    """Remove abandoned sandbox containers (and their trace folders) and stale run
    folders; best effort: what cannot be removed now is tried again at the next start."""
    now = time.time() if now is None else now
    removed = []
    try:
        containers = client.containers.list(all=True, filters={"label": CONTAINER_LABEL})
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        containers = []
    for container in containers:
        labels = container.labels or {}
        alive = _owner_alive(str(labels.get(OWNER_LABEL, "")))
        if alive or (alive is None and now - _created(container) < STALE_AFTER_S):
            continue
        with contextlib.suppress(docker.errors.DockerException,
                                 requests.exceptions.RequestException):
            container.remove(force=True)
            shutil.rmtree(trace_dir(container.id), ignore_errors=True)
            removed.append(container.id)
    folders = []
    for entry in (temp or Path(tempfile.gettempdir())).iterdir():
        if not _RUN_FOLDER.fullmatch(entry.name) or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and now - entry.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(entry)
                folders.append(entry.name)
    return Swept(tuple(removed), tuple(folders))


def _created(container: Any) -> float:
    """When Docker made the container (its RFC 3339 `Created`), in Unix seconds."""
    raw = str(container.attrs.get("Created", ""))
    with contextlib.suppress(ValueError):
        # Docker gives nanoseconds; Python reads at most microseconds.
        return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", raw)).timestamp()
    return 0.0
