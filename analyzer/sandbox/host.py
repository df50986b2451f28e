"""Where this host keeps the sandbox's daemon, runtime and trace logs (see setup-host.sh)."""

from __future__ import annotations

import os
from pathlib import Path

RUNTIME = "pkgsandbox-runsc"
CONTAINER_LABEL = "pkgsandbox.analysis"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
IMAGES_DIR = PROJECT_ROOT / "sandbox_images"


def state_dir() -> Path:
    return Path(os.environ.get("PKGSANDBOX_STATE_DIR", "/var/lib/pkgsandbox"))


def docker_host() -> str:
    """The daemon to use: PKGSANDBOX_DOCKER_HOST, else the private one setup-host.sh starts."""
    return os.environ.get("PKGSANDBOX_DOCKER_HOST") or f"unix://{state_dir()}/run/docker.sock"


def trace_dir(container_id: str) -> Path:
    """The runtime wrapper writes each container's gVisor logs here."""
    return state_dir() / "traces" / container_id
