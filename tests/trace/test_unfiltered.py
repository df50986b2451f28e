"""A trace without a syscall list: other calls are skipped, chdir and write are used."""

from __future__ import annotations

from analyzer.models import DnsQuery, FileAccess, FileEvent, Phase, TraceStats
from tests.trace.logs import DATA, parsed


def test_other_syscalls_count_but_do_not_parse() -> None:
    size = (DATA / "unfiltered.boot.txt").stat().st_size
    assert parsed("unfiltered").stats == TraceStats(
        lines=169, syscall_lines=105, unparsed_lines=0, bytes=size)


def test_chdir_makes_relative_paths_absolute() -> None:
    files = parsed("unfiltered").phases[Phase.INSTALL].files
    for event in [
        FileEvent(2, "python3", "/tmp/edge/raw-open.txt", FileAccess.WRITE, True, None, 0o644),
        FileEvent(2, "python3", "/tmp/edge/raw-creat.txt", FileAccess.WRITE, True, None, 0o600),
        FileEvent(2, "python3", "/tmp/edge/raw-open.txt", FileAccess.LINK, True,
                  "/tmp/edge/linked.txt"),
        FileEvent(2, "python3", "/tmp/edge/d/sub/g.txt", FileAccess.LINK, False,
                  "/tmp/edge/hardlink"),
        # chdir("d") then mkdir("mk-rel"), then chdir("..")
        FileEvent(2, "python3", "/tmp/edge/d/mk-rel", FileAccess.MKDIR, True, None, 0o777),
    ]:
        assert event in files


def test_dns_from_write_on_a_connected_udp_socket() -> None:
    dns = parsed("unfiltered").phases[Phase.INSTALL].network.dns
    assert DnsQuery("write.attacker.test", "A", 2, "trace") in dns
    assert dns[0] == DnsQuery("connected.attacker.test", "AAAA", 2, "trace")
