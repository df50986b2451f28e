"""A throwaway PostgreSQL cluster for the store and queue tests, or the one CI names.

`PKGSANDBOX_TEST_PG_URL` (a superuser URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres)
points the tests at a running server; otherwise a cluster is created with the installed
`initdb` in a temporary directory, on 127.0.0.1 and a free port, and removed afterwards.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

ENV_URL = "PKGSANDBOX_TEST_PG_URL"


def server_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, if PostgreSQL is installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def cluster() -> Iterator[str]:
    """A superuser URL of a running server for the duration of the block."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    binaries = server_binaries()
    assert binaries is not None
    root = Path(tempfile.mkdtemp(prefix="pkgsandbox-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=60)

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root}"
            " -c fsync=off -c max_connections=100", "start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            # FILE_COPY: without fsync it takes 50 ms where the WAL_LOG default takes 500.
            strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{strategy}'))
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


_shared: list[str] = []


def shared_cluster() -> str:
    """One server for the whole test process (store and scheduler tests), stopped at exit."""
    if not _shared:
        manager = cluster()
        _shared.append(manager.__enter__())
        atexit.register(manager.__exit__, None, None, None)
    return _shared[0]
