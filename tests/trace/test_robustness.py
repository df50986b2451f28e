"""Garbage, forgeries, hostile text and missing files: counted or refused, never a crash."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from analyzer.errors import TraceError
from analyzer.models import FileAccess, Phase
from analyzer.trace.parse import parse_trace_dir, parse_trace_file, parse_trace_lines
from tests.trace.logs import DATA, line, marker, open_write, parsed, vfork

HEADER = "I1126 15:17:00.855016   30903 main.go:219] GOOS: linux"


def test_garbage_and_binary_lines_are_counted_not_raised() -> None:
    trace = parse_trace_lines([
        HEADER,
        "\x00\x01\x02\udcff\udcfe binary",  # surrogateescape'd bytes 0xff 0xfe
        "I1126 15:17:01.8068",  # a line cut short
        "random words",
        "",  # blank lines are not content
        line(1, "python3", "openat(nonsense) = 3 (0x3) (1µs)"),  # a handled call, bad args
        line(1, "python3", "openat(AT_FDCWD /, 0x1 /x, O_RDONLY, 0o0)"),  # X without result
        "I1126 15:17:01.806895   30903 strace.go:596] [   1:   1",  # header cut short
        line(1, "python3", "madvise(0x7f0, 0x1000, 0x4) = 0 (0x0) (2µs)"),  # not read at all
    ])
    assert trace.stats.lines == 9
    assert trace.stats.syscall_lines == 3
    assert trace.stats.unparsed_lines == 6
    assert trace.driver_pid is None


def test_a_line_claiming_another_runsc_pid_is_a_forgery() -> None:
    # A file named "x\n<fake line>" puts the fake line into the log; it cannot know the
    # runsc pid (30903 here), so it is refused and counted.
    trace = parse_trace_lines([
        HEADER,
        marker(1, "setup"), marker(1, "install"), vfork(1, 4),
        line(4, "sh", "openat(AT_FDCWD /tmp, 0x5 x", kind="X"),
        marker(1, "setup").replace("30903", "12345"),  # would hide what follows
        vfork(1, 5).replace("30903", "4242"),
        open_write(4, "/tmp/after"),
    ])
    assert trace.forged_lines == 2
    assert trace.stats.unparsed_lines == 3
    install = trace.phases[Phase.INSTALL]
    assert [(f.pid, f.path) for f in install.files] == [(4, "/tmp/after")]


def test_the_first_marker_opener_is_the_driver_and_others_are_ignored() -> None:
    trace = parse_trace_lines([
        marker(1, "setup"), vfork(1, 2),
        marker(1, "install"), vfork(1, 3),
        marker(3, "import"),  # the package trying to switch phases
        vfork(3, 4), vfork(1, 5),
        open_write(2, "/tmp/setup-helper"), open_write(4, "/tmp/grandchild"),
        open_write(5, "/tmp/second-child"), open_write(1, "/tmp/driver"),
    ])
    assert trace.driver_pid == 1
    install = trace.phases[Phase.INSTALL]
    assert [(f.pid, f.path) for f in install.files] == [
        (3, "/.pkgsandbox-marker/import"), (4, "/tmp/grandchild"), (5, "/tmp/second-child")]
    assert trace.phases[Phase.IMPORT].files == ()
    assert trace.unattributed_events == 2  # the setup helper's and the driver's


def test_the_driver_s_parent_is_excluded() -> None:
    trace = parse_trace_lines([
        vfork(1, 7), marker(7, "setup"), marker(7, "install"), vfork(7, 8),
        open_write(1, "/tmp/init"), open_write(8, "/tmp/pkg"),
    ])
    assert trace.driver_pid == 7
    assert [f.path for f in trace.phases[Phase.INSTALL].files] == ["/tmp/pkg"]
    assert trace.orphan_processes == 0


def test_a_process_with_no_known_parent_is_placed_by_time() -> None:
    # Made in a new pid namespace, its fork line names another pid: rather than vanish,
    # it lands in the phase running when it first appeared.
    trace = parse_trace_lines([
        marker(1, "setup"), open_write(30, "/tmp/before-install"),
        marker(1, "install"), vfork(1, 2), open_write(40, "/tmp/hidden"),
        marker(1, "import"), open_write(40, "/tmp/hidden-later"),
    ])
    assert [(f.pid, f.path) for f in trace.phases[Phase.INSTALL].files] == [
        (40, "/tmp/hidden"), (40, "/tmp/hidden-later")]
    assert trace.orphan_processes == 1
    assert trace.unattributed_events == 1


def test_an_orphan_subtree_is_placed_by_its_top_process() -> None:
    trace = parse_trace_lines([
        marker(1, "setup"), marker(1, "install"), vfork(1, 2),
        open_write(40, "/tmp/orphan"),
        marker(1, "import"),
        vfork(40, 41), open_write(41, "/tmp/orphan-child"),
    ])
    assert [(f.pid, f.path) for f in trace.phases[Phase.INSTALL].files] == [
        (40, "/tmp/orphan"), (41, "/tmp/orphan-child")]
    assert trace.orphan_processes == 1


def test_a_deep_process_chain_is_settled_in_linear_time() -> None:
    depth = 10_000
    lines = [marker(1, "install"), vfork(1, 2)]
    lines += [vfork(pid, pid + 1) for pid in range(2, depth)]
    lines += [open_write(pid, "/tmp/x") for pid in range(depth, 1, -1)]
    started = time.perf_counter()
    trace = parse_trace_lines(lines)
    assert time.perf_counter() - started < 5.0
    assert len(trace.phases[Phase.INSTALL].files) == depth - 1


def test_no_marker_means_no_driver_and_no_events() -> None:
    trace = parse_trace_lines([vfork(1, 2), open_write(2, "/tmp/x")])
    assert trace.driver_pid is None
    assert all(not t.files for t in trace.phases.values())
    assert trace.unattributed_events == 1


def test_restarted_calls_are_not_results() -> None:
    trace = parse_trace_lines([
        marker(1, "install"), vfork(1, 2),
        line(2, "python3", "connect(0x3 socket:[1], 0x7f {Family: AF_INET, Addr: 198.51.100.9, "
             "Port: 443}, 0x10) = 0 (0x0) errno=512 (to be restarted if SA_RESTART is set) (1µs)"),
    ])
    assert trace.phases[Phase.INSTALL].network.connections == ()


def test_lines_as_text_with_or_without_newlines() -> None:
    lines = (DATA / "phases.boot.txt").read_bytes().decode("utf-8", "surrogateescape")
    from_text = parse_trace_lines(lines.splitlines(keepends=True))
    assert from_text.phases == parsed("phases").phases
    assert parse_trace_lines(lines.splitlines()).phases == parsed("phases").phases


def test_hostile_path_costs_linear_time() -> None:
    # A path cut by a newline (no flags after it) full of separators: a backtracking
    # pattern would take seconds per line.
    hostile = "/tmp/" + ", 0x1 " * 680 + "a" * 50
    lines = [marker(1, "install"), vfork(1, 2)]
    lines += [line(2, "sh", f"openat(AT_FDCWD {hostile}, 0x7f {hostile}) = 3 (0x3) (1µs)")] * 200
    started = time.perf_counter()
    trace = parse_trace_lines(lines)
    assert time.perf_counter() - started < 2.0
    assert trace.stats.unparsed_lines == 200


def test_unreadable_trace_raises_trace_error(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="cannot read"):
        parse_trace_file(tmp_path / "missing.boot.txt")
    with pytest.raises(TraceError, match="cannot read"):
        parse_trace_file(tmp_path)
    with pytest.raises(TraceError, match="no gVisor boot log"):
        parse_trace_dir(tmp_path)
    with pytest.raises(TraceError, match="no gVisor trace folder"):
        parse_trace_dir(tmp_path / "nowhere")


def test_a_trace_folder_reads_only_boot_logs(tmp_path: Path) -> None:
    shutil.copy(DATA / "phases.boot.txt", tmp_path / "runsc.log.1.boot.txt")
    (tmp_path / "runsc.log.1.gofer.txt").write_text("not a syscall log\n")
    single = parse_trace_dir(tmp_path)
    assert single.phases == parsed("phases").phases
    shutil.copy(DATA / "edge.boot.txt", tmp_path / "runsc.log.2.boot.txt")
    both = parse_trace_dir(tmp_path)
    assert both.stats.lines == parsed("phases").stats.lines + parsed("edge").stats.lines
    install = both.phases[Phase.INSTALL]
    assert len(install.files) == (len(parsed("phases").phases[Phase.INSTALL].files)
                                  + len(parsed("edge").phases[Phase.INSTALL].files))
    assert len(both.files) == 2


def test_writes_keep_their_access_kind() -> None:
    trace = parse_trace_lines([marker(1, "install"), vfork(1, 2), open_write(2, "/tmp/x")])
    assert trace.phases[Phase.INSTALL].files[0].access is FileAccess.WRITE


def test_a_newline_in_a_path_does_not_hide_the_read() -> None:
    # runsc prints paths raw: "~/.c\n/../.aws/credentials" splits the line in two, and
    # once joined the path normalises to the credentials file.
    body = ("openat(AT_FDCWD /home/u, 0x7f /home/u/.c\n/../.aws/credentials, "
            "O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (9µs)")
    lines = [HEADER, marker(1, "setup"), marker(1, "install"), vfork(1, 2),
             line(2, "python3", body.replace(" = 3 (0x3) (9µs)", ""), kind="E"),
             line(2, "python3", body)]
    for text in (lines, [part for item in lines for part in item.splitlines(keepends=True)]):
        trace = parse_trace_lines(text)
        files = trace.phases[Phase.INSTALL].files
        assert [(f.path, f.access) for f in files] == [
            ("/home/u/.aws/credentials", FileAccess.READ)]
        assert trace.stats.unparsed_lines == 0
        assert trace.stats.lines == len(text)


def test_quotes_backslashes_blank_lines_and_bad_utf8_in_a_path() -> None:
    path = '/tmp/q"uo\\te\n\n\udcff\udcfe end'  # surrogateescape'd 0xff 0xfe
    trace = parse_trace_lines(
        [marker(1, "setup"), marker(1, "install"), vfork(1, 2),
         *open_write(2, path).splitlines(keepends=True)])
    assert [f.path for f in trace.phases[Phase.INSTALL].files] == [
        '/tmp/q"uo\\te\n\n\\xff\\xfe end']
    assert trace.stats.unparsed_lines == 0


def test_unparsed_lines_are_kept_as_capped_samples() -> None:
    lines = [HEADER, "orphan \x1b[31m continuation", *(["random words " + "x" * 500] * 30)]
    trace = parse_trace_lines(lines)
    samples = trace.stats.unparsed_samples
    # What follows runsc's own line is no continuation of it: counted, kept as data.
    assert trace.stats.unparsed_lines == 31
    assert samples[0] == "orphan \\x1b[31m continuation"
    trace = parse_trace_lines(["random words " + "x" * 500] * 30)
    assert trace.stats.unparsed_lines == 30
    assert len(trace.stats.unparsed_samples) == 20
    assert all(len(s) <= 300 + len("...[cut]") for s in trace.stats.unparsed_samples)
