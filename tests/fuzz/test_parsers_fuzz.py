"""Property-based fuzzing (hypothesis) of the parsers that read what a package controls:
the gVisor trace, archives, manifests and lockfiles, and the network simulator's HTTP,
DNS and TLS parsers. Each runs a bounded number of examples in every `make test`; a
crash found becomes a regression test beside the others in tests/*/.

The property everywhere: hostile input ends in a result or in the parser's own error,
never in another exception, and what can be read back is read back.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import posixpath
import sys
import tarfile
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.detect.static.npm import parse_manifest
from analyzer.errors import FetchError
from analyzer.fetch.archive import inspect_archive
from analyzer.scan.formats import read_file
from analyzer.scan.interface import ScanError
from analyzer.trace.parse import parse_trace_lines
from analyzer.trace.text import to_text
from tests.trace.logs import line, marker, open_write, vfork

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
DRIVER = Path(__file__).resolve().parents[2] / "sandbox_images" / "driver"

# Path text a package can choose: any character but NUL, which no path can hold.
path_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                    min_size=1, max_size=60)


# ---- the trace


@BOUNDED
@given(name=path_text)
def test_a_file_name_of_any_text_is_read_back_from_the_trace(name: str) -> None:
    path = "/tmp/" + name
    lines = "\n".join([marker(1, "setup"), marker(1, "install"), vfork(1, 4),
                       open_write(4, path)]).split("\n")  # a newline in the name splits it
    trace = parse_trace_lines(lines)
    install = trace.phases.get(next(iter(trace.phases))) if trace.phases else None
    assert install is not None
    # As the trace shows every path: control characters made visible, and the path
    # normalised (`a//b` is `a/b`).
    assert posixpath.normpath(to_text(path.encode("utf-8"))) in [f.path for f in install.files]


@BOUNDED
@given(body=st.text(max_size=300), comm=st.text(max_size=20), pid=st.integers(-5, 2**31))
def test_any_syscall_line_is_parsed_or_counted(body: str, comm: str, pid: int) -> None:
    trace = parse_trace_lines([marker(1, "setup"), marker(1, "install"),
                               line(pid, comm, body), line(1, "python3", body)])
    assert trace.stats.lines >= 2


# ---- archives, manifests, lockfiles


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is part of the test
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


members = st.lists(st.tuples(path_text, st.binary(max_size=200)), min_size=1, max_size=5)


@BOUNDED
@given(members=members, as_zip=st.booleans(), cut=st.integers(0, 400))
def test_any_archive_is_listed_or_refused(tmp_path_factory: pytest.TempPathFactory,
                                          members: list[tuple[str, bytes]], as_zip: bool,
                                          cut: int) -> None:
    data = _zip(members) if as_zip else _tar(members)
    folder = tmp_path_factory.mktemp("archive")
    for name, content in (("whole", data), ("cut", data[: len(data) - cut])):
        path = folder / f"{name}-1.0.{'zip' if as_zip else 'tar.gz'}"
        path.write_bytes(content)
        try:
            listed = inspect_archive(path)
        except FetchError:
            continue
        assert all(not m.name.startswith("/") and ".." not in m.name.split("/") for m in listed)


@BOUNDED
@given(document=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=30))
def test_any_package_json_is_a_manifest_or_none(document: object) -> None:
    for text in (json.dumps(document), json.dumps({"scripts": document, "main": document})):
        manifest = parse_manifest("package/package.json", text)
        assert manifest is None or all(isinstance(v, str) for _, v in manifest.scripts)


@BOUNDED
@given(text=st.text(max_size=400), name=st.sampled_from([
    "requirements.txt", "poetry.lock", "uv.lock", "Pipfile.lock", "package-lock.json",
    "yarn.lock", "pnpm-lock.yaml"]))
def test_any_lockfile_text_is_read_or_one_problem(tmp_path_factory: pytest.TempPathFactory,
                                                  text: str, name: str) -> None:
    path = tmp_path_factory.mktemp("lock") / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(ScanError):  # one line for the person: the parser's own error
        read_file(path)


# ---- the network simulator (runs inside the sandbox; its parsers are tested here)


@pytest.fixture(scope="module")
def netsim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("netsim_under_test", DRIVER / "netsim.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@BOUNDED
@given(data=st.binary(max_size=600))
def test_any_bytes_are_a_client_hello_or_not_one(netsim: ModuleType, data: bytes) -> None:
    sni, alpn = netsim.parse_client_hello(data)
    assert sni is None or isinstance(sni, str)
    assert isinstance(alpn, list)


@BOUNDED
@given(chunks=st.lists(st.binary(min_size=1, max_size=40), max_size=6),
       junk=st.binary(max_size=40))
def test_any_chunked_body_is_decoded_to_no_more_than_it_holds(
        netsim: ModuleType, chunks: list[bytes], junk: bytes) -> None:
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    assert netsim.dechunk(encoded) == b"".join(chunks)
    assert len(netsim.dechunk(junk + encoded)) <= len(junk) + len(encoded)


@pytest.fixture(scope="module")
def recorder(netsim: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    made = netsim.Recorder(str(tmp_path_factory.mktemp("dns") / "events.jsonl"))
    yield made
    made._file.close()


@BOUNDED
@given(data=st.binary(max_size=512))
def test_any_dns_packet_is_answered_or_recorded_as_malformed(recorder: Any, data: bytes) -> None:
    netsim = sys.modules["netsim_under_test"]
    reply = netsim.answer_dns(data, recorder, "udp")
    assert reply is None or isinstance(reply, bytes)


def test_a_dns_header_claiming_a_question_it_lacks_is_recorded_not_fatal(
        netsim: ModuleType, tmp_path: Path) -> None:
    # Found by the fuzzing above: the handler died on it and the query went unrecorded.
    log = tmp_path / "events.jsonl"
    recorder = netsim.Recorder(str(log))
    try:
        assert netsim.answer_dns(b"\x00\x00\x00\x00\x00\x01" + bytes(7), recorder, "udp") is None
    finally:
        recorder._file.close()
    assert [json.loads(x)["kind"] for x in log.read_text().splitlines()] == ["dns-malformed"]
