"""The review server's bounds over a real socket: connections, slow clients, page size,
and an index that reads no result document."""

from __future__ import annotations

import json
import re
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from analyzer.models import AnalysisResult, FileAccess, FileEvent, Phase
from analyzer.store.database import Database
from analyzer.web.limits import ServerLimits
from tests.report.hostile import hostile_result
from tests.web.conftest import Served, results, seed, serving

TIGHT = ServerLimits(max_connections=2, request_deadline_s=1.0, max_page_json_bytes=64 * 1024)
FILE_EVENTS = 3000


def disk_walker() -> AnalysisResult:
    """A package that walked the disk: thousands of file events in its install phase."""
    result = hostile_result(name="disk-walker")
    files = tuple(FileEvent(20, "python", f"/usr/share/doc/walked-{i}", FileAccess.READ, False)
                  for i in range(FILE_EVENTS))
    phases = tuple(replace(p, trace=replace(p.trace, files=files)) if p.phase is Phase.INSTALL
                   else p for p in result.phases)
    return replace(result, phases=phases)


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[Served]:
    db = Database.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with serving(db, tmp_path / "osv", seed(db, [*results(), disk_walker()]), TIGHT) as running:
            yield running
    finally:
        db.close()


def _connect(served: Served) -> socket.socket:
    return socket.create_connection((served.client.host, served.client.port), timeout=5)


def _closed_by_server(sock: socket.socket, wait_s: float) -> bool:
    readable, _, _ = select.select([sock], [], [], wait_s)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def test_a_result_too_large_for_a_page_is_cut_with_a_note_of_what_is_left_out(
        tight: Served) -> None:
    walker = tight.ids[-1]
    status, page = tight.client.request("GET", f"/report/{walker}")
    assert status == 200
    note = re.search(r"([\d,]+) file events not shown", page)
    assert note, "no note of the file events left out"
    shown = page.count("/usr/share/doc/walked-") // 2  # in the table and the raw JSON
    assert 0 < shown < FILE_EVENTS and shown + int(note[1].replace(",", "")) == FILE_EVENTS
    assert f"The whole result: /report/{walker}.json" in page
    assert len(page) < 1.5 * TIGHT.max_page_json_bytes
    status, text = tight.client.request("GET", f"/report/{walker}.json")
    files = json.loads(text)["phases"]["install"]["files"]
    assert status == 200 and len(files) == FILE_EVENTS  # the whole result, as stored
    status, small = tight.client.request("GET", f"/report/{tight.ids[1]}")
    assert status == 200 and "not shown" not in small


def test_the_index_reads_no_result_document(tight: Served) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(tight.db.engine, "before_cursor_execute", record)
    try:
        status, page = tight.client.request("GET", "/")
    finally:
        event.remove(tight.db.engine, "before_cursor_execute", record)
    assert status == 200 and "disk-walker" in page and "calm-package" in page
    assert statements and not [s for s in statements if "document" in s]


def test_a_client_that_drips_its_request_is_dropped_at_the_deadline(tight: Served) -> None:
    sock = _connect(tight)
    started = time.monotonic()
    try:
        dripped = b"GET / HTTP/1.1\r\nHost: " + b"x" * 100
        for byte in dripped:  # a byte every 0.1 s, until the server hangs up
            try:
                sock.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            if _closed_by_server(sock, 0.1):
                break
        took = time.monotonic() - started
    finally:
        sock.close()
    assert TIGHT.request_deadline_s - 0.2 < took < TIGHT.request_deadline_s + 1.5
    assert tight.client.request("GET", "/login")[0] == 200  # its thread is free again


def test_connections_beyond_the_limit_get_a_503_at_once(tight: Served) -> None:
    idle = [_connect(tight) for _ in range(TIGHT.max_connections)]
    try:
        time.sleep(0.3)  # both accepted, each holding a thread and saying nothing
        started = time.monotonic()
        status, body = tight.client.request("GET", "/")
        assert status == 503 and "too many connections" in body
        assert time.monotonic() - started < 0.5
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert tight.client.request("GET", "/")[0] == 200
