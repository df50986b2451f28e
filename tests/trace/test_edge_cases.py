"""Real edge cases: raw and *at syscalls, hostile names and comms, execveat, long argv, DNS."""

from __future__ import annotations

from analyzer.models import ConnectionEvent, DnsQuery, FileAccess, FileEvent, Phase
from analyzer.trace.text import CUT_MARK, MAX_TEXT
from tests.trace.logs import parsed


def _install_files() -> tuple[FileEvent, ...]:
    return parsed("edge").phases[Phase.INSTALL].files


def test_newline_in_a_path_is_joined_back_into_its_line() -> None:
    # openat("new\nline.txt"): runsc prints the path raw, so the line is split in two;
    # the tail does not start with a glog prefix and belongs to the line before.
    trace = parsed("edge")
    assert trace.stats.unparsed_lines == 0
    assert trace.stats.unparsed_samples == ()
    assert FileEvent(2, "python3", "/tmp/edge/new\nline.txt", FileAccess.WRITE, True, None,
                     0o666) in _install_files()


def test_raw_and_at_syscalls() -> None:
    files = _install_files()
    for event in [
        FileEvent(2, "python3", "raw-open.txt", FileAccess.WRITE, True, None, 0o644),  # open
        FileEvent(2, "python3", "raw-creat.txt", FileAccess.WRITE, True, None, 0o600),  # creat
        FileEvent(2, "python3", "/tmp/edge/d/sub", FileAccess.MKDIR, True, None, 0o755),
        FileEvent(2, "python3", "/tmp/edge/d/sub/f.txt", FileAccess.WRITE, True, None, 0o640),
        FileEvent(2, "python3", "/tmp/edge/d/sub/f.txt", FileAccess.RENAME, True,
                  "/tmp/edge/d/sub/g.txt"),  # renameat, both through the same dirfd
        FileEvent(2, "python3", "/tmp/edge/d/sub/g.txt", FileAccess.LINK, False,
                  "hardlink"),  # linkat failed with EINVAL
        FileEvent(2, "python3", "/tmp/edge/d/target", FileAccess.LINK, True,
                  "/tmp/edge/d/sub/symlink"),  # symlinkat("../target"): relative to the link
        FileEvent(2, "python3", "/tmp/edge/raw-creat.txt", FileAccess.CHMOD, True, None,
                  0o4755),  # fchmod, setuid bit kept
        FileEvent(2, "python3", "/tmp/edge/d/sub", FileAccess.DELETE, False),  # AT_REMOVEDIR
        FileEvent(2, "python3", "raw-open.txt", FileAccess.LINK, True, "linked.txt"),
        FileEvent(2, "python3", "/tmp/edge/d/after-chdir.txt", FileAccess.WRITE, True, None,
                  0o666),
    ]:
        assert event in files


def test_odd_file_names_are_kept_as_escaped_text() -> None:
    paths = {f.path for f in _install_files()}
    assert "/tmp/edge/sp ace, 0x1 comma.txt" in paths
    assert "/tmp/edge/café.txt" in paths
    assert "/tmp/edge/tab\there" in paths
    assert "/tmp/edge/bad-\\xff\\xfe.bin" in paths


def test_a_comm_that_looks_like_a_syscall_is_just_a_name() -> None:
    # prctl(PR_SET_NAME, "a X vfork() = 9"): lines read "[2:2] a X vfork() = 9 X openat(".
    trace = parsed("edge")
    assert FileEvent(2, "a X vfork() = 9", "/tmp/edge/after-prctl", FileAccess.WRITE, True,
                     None, 0o666) in _install_files()
    # pid 9 stays the child of the thread that really forked it (pid 2's thread 8).
    assert [(p.pid, p.ppid, p.argv) for p in trace.phases[Phase.INSTALL].processes
            if p.pid == 9] == [(9, 2, ("true", "from-thread"))]


def test_process_tree_with_execveat_bash_background_and_exec_failure() -> None:
    processes = parsed("edge").phases[Phase.INSTALL].processes
    assert [(p.pid, p.ppid, p.executable, p.ok) for p in processes] == [
        (2, 1, "/usr/bin/python3", True),
        (3, 2, "/bin/true", True),
        (4, 2, "/bin/sh", True),
        (4, 2, "/no/such/bin", False),  # sh -c 'exec /no/such/bin'
        (5, 2, "/bin/bash", True),  # os.fork + execv
        (6, 5, "/bin/true", True),  # bash's background job
        (7, 2, "/usr/bin/true", True),  # fexecve: execveat(fd, "", AT_EMPTY_PATH)
        (9, 2, "/bin/true", True),
    ]
    assert processes[6].argv == ("true", "via-fd")


def test_long_arguments_are_capped_and_control_bytes_escaped() -> None:
    argv = parsed("edge").phases[Phase.INSTALL].processes[1].argv
    assert argv[0] == "true"
    assert argv[1] == "A" * MAX_TEXT + CUT_MARK  # a 10 000-byte argument
    assert argv[2:] == ("café", "\\x01\\x02")


def test_connections_ipv4_mapped_and_tcp_to_port_53() -> None:
    connections = parsed("edge").phases[Phase.INSTALL].network.connections
    assert connections == (
        ConnectionEvent(5, "bash", "unix", "unix", "/var/run/nscd/socket", None,
                        "no such file or directory", "connect"),
        ConnectionEvent(2, "python3", "inet", "udp", "127.0.0.1", 53, "connected", "connect"),
        ConnectionEvent(2, "python3", "inet", "tcp", "127.0.0.1", 53, "in-progress", "connect"),
        ConnectionEvent(2, "python3", "inet6", "tcp", "::ffff:198.51.100.7", 8443,
                        "no route to host", "connect"),
    )


def test_dns_over_sendmsg_connected_unconnected_and_in_two_buffers() -> None:
    dns = parsed("edge").phases[Phase.INSTALL].network.dns
    long_name = ".".join(["a" * 63] * 3 + ["a" * 58])
    assert dns == (
        DnsQuery("connected.attacker.test", "AAAA", 2, "trace"),  # connected UDP socket
        DnsQuery("v6.attacker.test", "A", 2, "trace"),  # sendmsg to an address not printed
        DnsQuery(long_name, "A", 2, "trace"),  # header and question in two iovecs
    )


def test_node_in_the_execute_phase() -> None:
    execute = parsed("edge").phases[Phase.EXECUTE]
    assert [(p.pid, p.ppid, p.executable) for p in execute.processes] == [
        (10, 1, "/usr/bin/node")]
    assert [(c.protocol, c.address, c.port, c.outcome) for c in execute.network.connections] == [
        ("udp", "10.255.255.53", 53, "no route to host"),
        ("tcp", "192.0.2.1", 443, "no route to host"),
    ]
    assert FileEvent(10, "node", "/tmp/node-out", FileAccess.WRITE, True, None,
                     0o666) in execute.files
    assert parsed("edge").phases[Phase.IMPORT].files == ()
