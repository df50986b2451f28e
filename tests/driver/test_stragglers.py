"""The driver's wait for what a phase left running, and its knock on listening ports, run
on the host with real processes of an otherwise unused uid (so: as root)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

DRIVER = Path(__file__).resolve().parents[2] / "sandbox_images" / "driver"
UID = 47613  # no account, no process: only what a test starts runs as it

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="starts processes as another uid")

# A "shell" that reads its input to the end, answers, and exits, as `sh` does on a socket.
SERVER = '''
import socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
connection, _ = server.accept()
typed = b""
while chunk := connection.recv(4096):
    typed += chunk
connection.sendall(b"ran: " + typed)
'''
# A process that gives itself a name in bytes that are not UTF-8, then waits.
RENAMED = '''
import ctypes, time
ctypes.CDLL(None).prctl(15, b"x\\xffy", 0, 0, 0)  # PR_SET_NAME
print("renamed", flush=True)
time.sleep(60)
'''


@pytest.fixture(scope="module")
def machine() -> ModuleType:
    sys.path.insert(0, str(DRIVER))  # machine.py imports the driver's protocol.py
    try:
        spec = importlib.util.spec_from_file_location("machine", DRIVER / "machine.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(DRIVER))
    return module


@pytest.fixture
def shared_dir(machine: ModuleType) -> Iterator[Path]:
    """A folder the test's uid can write; and no process of that uid before or after."""
    assert machine.user_processes(UID) == []
    path = Path(tempfile.mkdtemp(prefix="pkgsandbox-stragglers-"))
    path.chmod(0o777)  # noqa: S103 - the other uid writes here
    try:
        yield path
    finally:
        for pid, _ in machine.user_processes(UID):
            os.kill(pid, 9)
        shutil.rmtree(path, ignore_errors=True)


def run_as_uid(*argv: str, stdout: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, user=UID, group=UID, extra_groups=[], cwd="/",
                            start_new_session=True, stdin=subprocess.DEVNULL, stdout=stdout)


def test_the_wait_lasts_until_a_background_child_has_acted(
        machine: ModuleType, shared_dir: Path) -> None:
    # The phase's own process exits at once; its background child acts later.
    phase = run_as_uid("sh", "-c", f"(sleep 0.5; echo acted > {shared_dir}/late) >/dev/null &")
    phase.wait()
    notes: list[str] = []

    assert machine.wait_for_stragglers(UID, notes, seconds=60) == []
    assert (shared_dir / "late").read_text() == "acted\n"
    assert notes == []  # nothing listened: no knock


def test_at_its_bound_the_wait_says_what_is_still_running(
        machine: ModuleType, shared_dir: Path) -> None:
    lingering = run_as_uid("sleep", "60")

    still = machine.wait_for_stragglers(UID, [], seconds=0.2)
    assert still == [(lingering.pid, "sleep")]
    lingering.kill()
    lingering.wait()


def test_an_exited_child_left_unreaped_is_not_waited_for_and_is_reaped(
        machine: ModuleType, shared_dir: Path) -> None:
    exited = run_as_uid("true")
    status = Path(f"/proc/{exited.pid}/status")
    while "State:\tZ" not in status.read_text():
        time.sleep(0.01)  # it exits at once, and is a zombie until reaped

    assert machine.wait_for_stragglers(UID, [], seconds=60) == []
    assert not status.exists()  # the driver, PID 1 in the sandbox, reaps what it adopted
    exited.wait()  # Popen learns it is gone


def test_a_listener_is_knocked_on_at_once_and_typing_ends_with_end_of_input(
        machine: ModuleType, shared_dir: Path) -> None:
    # The system Python: the venv's lies under /root, out of the other uid's reach.
    server = run_as_uid("/usr/bin/python3", "-c", SERVER, stdout=subprocess.PIPE)
    assert server.stdout is not None
    with server.stdout:
        port = int(server.stdout.readline())
    notes: list[str] = []

    # The server only exits once its input ends: the wait's knock is what ends it.
    assert machine.wait_for_stragglers(UID, notes, seconds=60) == []
    assert notes == [f"knocked on port {port}, where the package listened: typed "
                     f"{machine.KNOCK!r}, {5 + len(machine.KNOCK)} bytes came back: "
                     f"{b'ran: ' + machine.KNOCK!r}"]
    server.wait()


def test_a_process_that_names_itself_in_bytes_that_are_not_utf8_is_still_seen(
        machine: ModuleType, shared_dir: Path) -> None:
    renamed = run_as_uid("/usr/bin/python3", "-c", RENAMED, stdout=subprocess.PIPE)
    assert renamed.stdout is not None
    with renamed.stdout:
        assert renamed.stdout.readline() == b"renamed\n"
        assert machine.wait_for_stragglers(UID, [], seconds=0.2) == [
            (renamed.pid, "x\N{REPLACEMENT CHARACTER}y")]
    renamed.kill()
    renamed.wait()
