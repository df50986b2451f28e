"""The simulator listens before scapy and cryptography are imported: queries that come
during that import wait for it and are all answered and recorded."""

from __future__ import annotations

import importlib.util
import json
import struct
import threading
from pathlib import Path

NETSIM = Path(__file__).resolve().parents[2] / "sandbox_images" / "driver" / "netsim.py"


def a_query(name: str, query_id: int) -> bytes:
    """A DNS query for the A record of `name` (RFC 1035, 4.1), built by hand."""
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split("."))
    return struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + labels + b"\0" + \
        struct.pack(">HH", 1, 1)


def test_queries_during_the_import_of_the_libraries_are_all_answered(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("netsim_fresh_start", NETSIM)
    assert spec is not None and spec.loader is not None
    netsim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(netsim)
    assert netsim._libraries is None  # a fresh simulator: nothing imported yet
    recorder = netsim.Recorder(str(tmp_path / "events.jsonl"))
    start = threading.Barrier(8)
    replies: dict[int, bytes | None] = {}

    def ask(index: int) -> None:
        start.wait()
        replies[index] = netsim.answer_dns(a_query(f"n{index}.evil.example", index), recorder,
                                           "udp")

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    recorder._file.close()
    assert sorted(replies) == list(range(8))
    for index, reply in replies.items():
        assert reply is not None and reply[:2] == struct.pack(">H", index)
        assert bytes([127, 0, 0, 1]) in reply
    names = sorted(json.loads(line)["name"] for line in
                   (tmp_path / "events.jsonl").read_text().splitlines())
    assert names == sorted(f"n{index}.evil.example." for index in range(8))
