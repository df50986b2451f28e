"""Condensing keeps what a reviewer needs and the IOCs, drops routine noise."""

from __future__ import annotations

from analyzer.models import (
    ConnectionEvent,
    DnsQuery,
    FileAccess,
    FileEvent,
    NetworkActivity,
    PhaseTrace,
    ProcessEvent,
)
from analyzer.trace.condense import collect_iocs, condense


def test_path_search_misses_collapse_to_the_exec_that_ran() -> None:
    argv = ("sh", "-c", "id")
    processes = (
        ProcessEvent(6, 5, "/home/dev/.venv/bin/sh", argv, False),
        ProcessEvent(6, 5, "/usr/local/bin/sh", argv, False),
        ProcessEvent(6, 5, "/usr/bin/sh", argv, True),
        ProcessEvent(9, 5, "/usr/bin/nosuch", ("nosuch",), False),
        ProcessEvent(9, 5, "/bin/nosuch", ("nosuch",), False),
    )
    kept = condense(PhaseTrace(processes=processes)).processes
    assert [(p.executable, p.ok) for p in kept] == [("/usr/bin/sh", True), ("/bin/nosuch", False)]


def test_writes_are_kept_and_unix_sockets_dropped() -> None:
    files = (FileEvent(1, "python", "/home/dev/.ssh/id_rsa", FileAccess.READ, True),
             FileEvent(1, "python", "/tmp/x", FileAccess.WRITE, True))
    connections = (
        ConnectionEvent(1, "id", "unix", "unix", "/var/run/nscd/socket", None, "no such file",
                        "connect"),
        ConnectionEvent(1, "py", "inet", "tcp", "203.0.113.5", 443, "no route to host", "connect"),
    )
    trace = condense(PhaseTrace(files=files, network=NetworkActivity(connections=connections)))
    assert [f.path for f in trace.files] == ["/home/dev/.ssh/id_rsa", "/tmp/x"]
    assert [c.address for c in trace.network.connections] == ["203.0.113.5"]


def test_iocs_leave_out_loopback_and_registries() -> None:
    network = NetworkActivity(
        dns=(DnsQuery("evil.example.", "A", 3, "trace"), DnsQuery("pypi.org", "A", 3, "trace")),
        connections=(
            ConnectionEvent(3, "py", "inet", "tcp", "127.0.0.1", 80, "connected", "connect"),
            ConnectionEvent(3, "py", "inet", "tcp", "198.51.100.7", 4444, "refused", "connect"),
        ),
    )
    iocs = collect_iocs((PhaseTrace(network=network),))
    assert iocs.domains == ("evil.example",)
    assert iocs.ips == ("198.51.100.7",)
