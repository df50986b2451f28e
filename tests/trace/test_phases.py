"""Phase attribution on a real production-filtered trace: markers, lineage, exclusions."""

from __future__ import annotations

from analyzer.models import (
    ConnectionEvent,
    DnsQuery,
    FileAccess,
    FileEvent,
    Phase,
    ProcessEvent,
    TraceStats,
)
from tests.trace.logs import DATA, parsed


def _pids(phase: Phase) -> set[int]:
    trace = parsed("phases").phases[phase]
    return ({e.pid for e in trace.files} | {p.pid for p in trace.processes}
            | {c.pid for c in trace.network.connections})


def test_stats_count_every_line() -> None:
    trace = parsed("phases")
    size = (DATA / "phases.boot.txt").stat().st_size
    assert trace.stats == TraceStats(lines=462, syscall_lines=382, unparsed_lines=0, bytes=size)
    assert trace.driver_pid == 1
    assert (trace.orphan_processes, trace.forged_lines) == (0, 0)
    assert set(trace.phases) == set(Phase)


def test_install_process_tree_with_parents_and_failed_exec() -> None:
    processes = parsed("phases").phases[Phase.INSTALL].processes
    assert [(p.pid, p.ppid, p.executable, p.ok) for p in processes] == [
        (4, 1, "/bin/sh", True),
        (5, 4, "/usr/bin/mkdir", True),
        (6, 4, "/usr/bin/cat", True),
        (7, 4, "/usr/bin/chmod", True),
        (8, 4, "/usr/bin/ln", True),
        (9, 4, "/usr/bin/ln", True),
        (10, 4, "/usr/bin/mv", True),
        (11, 4, "/usr/bin/rm", True),
        (12, 4, "/nonexistent/bin/tool", False),
        (13, 4, "/usr/bin/python3", True),
        (14, 13, "/usr/bin/python3", True),
    ]
    assert processes[1].argv == ("mkdir", "-p", "/tmp/pkgs/build")
    assert processes[0].argv[:2] == ("/bin/sh", "-c")
    # Go-quoted argv comes back unescaped: newlines, quotes, backslashes.
    assert "cd /tmp/pkgs/build\necho hi > rel.txt\n" in processes[0].argv[2]
    assert 'connect_ex(("127.0.0.1", 8080))' in processes[-1].argv[2]


def test_background_child_keeps_its_phase() -> None:
    """pid 14 was forked during install and connected after the import marker."""
    install = parsed("phases").phases[Phase.INSTALL]
    assert install.network.connections == (
        ConnectionEvent(14, "python3", "inet", "tcp", "127.0.0.1", 8080, "connection refused",
                        "connect"),
    )
    assert FileEvent(14, "python3", "/tmp/pkgs/bg-done", FileAccess.WRITE, True, None,
                     0o666) in install.files
    assert 14 not in _pids(Phase.IMPORT)


def test_driver_and_setup_helpers_are_excluded() -> None:
    # pid 1 is the driver; pid 2 (threads 2 and 3) the setup DNS/TCP helper: it binds
    # 127.0.0.1:53 and :8443 and answers with sendto, none of which may show.
    everything = _pids(Phase.INSTALL) | _pids(Phase.IMPORT) | _pids(Phase.EXECUTE)
    assert not everything & {1, 2, 3}
    assert all(c.syscall != "bind" for p in Phase
               for c in parsed("phases").phases[p].network.connections)
    assert parsed("phases").unattributed_events > 0


def test_spoofed_marker_from_a_package_process_is_a_file_event() -> None:
    phases = parsed("phases").phases
    assert FileEvent(15, "python3", "/.pkgsandbox-marker/execute", FileAccess.READ,
                     False) in phases[Phase.IMPORT].files
    # What pid 15 started after its fake marker is still import; execute holds only
    # what the driver started after the real one.
    assert [p.pid for p in phases[Phase.IMPORT].processes] == [15, 17, 18, 18]
    assert [(p.pid, p.ppid, p.argv) for p in phases[Phase.EXECUTE].processes] == [
        (19, 1, ("/bin/sh", "-c", "cat /tmp/pkgs/bg-done; echo done > /tmp/pkgs/exec.txt")),
        (20, 19, ("cat", "/tmp/pkgs/bg-done")),
    ]


def test_a_thread_is_not_a_process_and_its_events_are_its_process_s() -> None:
    imports = parsed("phases").phases[Phase.IMPORT]
    assert 16 not in {p.pid for p in imports.processes}  # clone(CLONE_THREAD) = 16
    assert FileEvent(15, "python3", "/tmp/pkgs/thread-wrote", FileAccess.WRITE, True, None,
                     0o666) in imports.files


def test_connections_with_outcomes() -> None:
    connections = parsed("phases").phases[Phase.IMPORT].network.connections
    assert connections == (
        ConnectionEvent(15, "python3", "inet", "tcp", "203.0.113.5", 443, "no route to host",
                        "connect"),
        ConnectionEvent(15, "python3", "inet", "tcp", "127.0.0.1", 1, "connection refused",
                        "connect"),
        ConnectionEvent(15, "python3", "inet6", "tcp", "::1", 443, "connection refused",
                        "connect"),
        ConnectionEvent(15, "python3", "inet6", "tcp", "2001:db8::1", 80, "no route to host",
                        "connect"),
        ConnectionEvent(15, "python3", "inet", "tcp", "127.0.0.1", 8443, "in-progress",
                        "connect"),
        ConnectionEvent(15, "python3", "unix", "unix", "/var/run/nscd/socket", None,
                        "no such file or directory", "connect"),
        # getaddrinfo's resolver socket: its queries go out with sendmmsg, which gVisor
        # prints without data, so the connect is all the trace shows of them.
        ConnectionEvent(15, "python3", "inet", "udp", "127.0.0.1", 53, "connected", "connect"),
        ConnectionEvent(15, "python3", "inet", "udp", "127.0.0.1", 53, "sent", "sendto"),
    )


def test_dns_question_decoded_from_a_sendmsg() -> None:
    # The sendto of the TXT query carries no data in this gVisor's log; sendmsg does.
    assert parsed("phases").phases[Phase.IMPORT].network.dns == (
        DnsQuery("msg.attacker.test", "A", 15, "trace"),
    )


def test_file_events_resolved_and_deduplicated() -> None:
    files = parsed("phases").phases[Phase.INSTALL].files
    for event in [
        FileEvent(4, "sh", "/tmp/pkgs/build/rel.txt", FileAccess.WRITE, True, None, 0o666),
        FileEvent(7, "chmod", "/tmp/pkgs/build/rel.txt", FileAccess.CHMOD, True, None, 0o755),
        FileEvent(8, "ln", "/tmp/pkgs/build/rel.txt", FileAccess.LINK, True,
                  "/tmp/pkgs/build/sym"),
        FileEvent(9, "ln", "/tmp/pkgs/build/rel.txt", FileAccess.LINK, True,
                  "/tmp/pkgs/build/hard"),
        FileEvent(10, "mv", "/tmp/pkgs/build/rel.txt", FileAccess.RENAME, True,
                  "/tmp/pkgs/build/moved.txt"),
        FileEvent(11, "rm", "/tmp/pkgs/build/hard", FileAccess.DELETE, True),
        FileEvent(5, "mkdir", "/tmp", FileAccess.MKDIR, False, None, 0o777),
        FileEvent(6, "cat", "/etc/hostname", FileAccess.READ, True),
        FileEvent(13, "python3", "/tmp/pkgs/build/pydir/a.txt", FileAccess.WRITE, True, None,
                  0o666),
        FileEvent(13, "python3", "/usr/pyvenv.cfg", FileAccess.READ, False),
    ]:
        assert event in files
    keys = [(f.pid, f.path, f.access, f.ok) for f in files]
    assert len(keys) == len(set(keys))
    assert keys.count((6, "/etc/ld.so.cache", FileAccess.READ, True)) == 1


def test_relative_paths_stay_relative_when_chdir_is_not_traced() -> None:
    # mkdir -p chdirs into each level; without chdir in the syscall list the cwd can
    # change unseen, so "pkgs" is not guessed into a wrong absolute path.
    files = parsed("phases").phases[Phase.INSTALL].files
    assert FileEvent(5, "mkdir", "pkgs", FileAccess.MKDIR, True, None, 0o777) in files
    assert FileEvent(13, "python3", "pydir/a.txt", FileAccess.RENAME, True,
                     "pydir/b.txt") in files
    assert FileEvent(13, "python3", "/etc/passwd", FileAccess.LINK, True, "pydir/link") in files


def test_every_phase_event_is_typed() -> None:
    for trace in parsed("phases").phases.values():
        assert all(isinstance(p, ProcessEvent) for p in trace.processes)
        assert all(isinstance(f.access, FileAccess) for f in trace.files)
