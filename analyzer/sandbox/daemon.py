"""The sandbox's Docker daemon: one client per daemon and process, or an error that says
how to get one."""

from __future__ import annotations

import os
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from analyzer.errors import SandboxError
from analyzer.sandbox.host import docker_host

# One client per daemon and process (a forked worker must not share its parent's sockets).
_CLIENTS: dict[tuple[str, int], docker.DockerClient] = {}


def connect() -> docker.DockerClient:
    """A client for the sandbox daemon, or a SandboxError that says how to get one."""
    key = (docker_host(), os.getpid())
    if key[0].startswith("unix://") and not Path(key[0][len("unix://"):]).exists():
        # Said before docker-py tries: its failed connect leaves a socket open.
        raise SandboxError(f"the Docker daemon at {key[0]} is not running (no socket); "
                           "run `make setup` (as root) or `pkgsandbox doctor`")
    client = _CLIENTS.get(key)
    try:
        if client is None:
            client = docker.DockerClient(base_url=key[0], timeout=60)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        _CLIENTS.pop(key, None)
        if client is not None:
            client.close()
        raise SandboxError(
            f"the Docker daemon at {key[0]} is not reachable ({type(exc).__name__}); "
            "run `make setup` (as root) or `pkgsandbox doctor`"
        ) from None
    _CLIENTS[key] = client
    return client
