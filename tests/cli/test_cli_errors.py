"""Bad input gets one line on stderr, exit status 2, and no traceback."""

from __future__ import annotations

import io
import socket
import tarfile
import zipfile
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.errors import UsageError
from analyzer.scheduler.metrics import MetricsServer
from analyzer.store.database import Database


def run_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert lines[-1].startswith("pkgsandbox: error: ")
    return lines[-1]


def test_unknown_ecosystem_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert "cargo" in run_error(capsys, "analyze", "cargo:serde")


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run_error(capsys, "analyze", str(tmp_path / "nothing-1.0.tar.gz"))


def test_a_file_that_is_no_package(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bogus = tmp_path / "notes-1.0.tar.gz"
    bogus.write_bytes(b"this is not a gzip file")
    run_error(capsys, "analyze", str(bogus))


def test_tar_with_parent_directory_entries_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    archive = tmp_path / "evil-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [("evil-1.0/PKG-INFO", b"Name: evil\nVersion: 1.0\n"),
                           ("evil-1.0/../../etc/cron.d/evil", b"* * * * * root id\n")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    line = run_error(capsys, "analyze", str(archive))
    assert "etc/cron.d/evil" in line  # names the hostile member


def test_zip_bomb_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    archive = tmp_path / "bomb-1.0.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("bomb-1.0/PKG-INFO", "Name: bomb\nVersion: 1.0\n")
        bomb.writestr("bomb-1.0/zeros.bin", b"\0" * (300 * 2**20))
    assert archive.stat().st_size < 2 * 2**20
    run_error(capsys, "analyze", str(archive))


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--help" in run_error(capsys, "analyze", "pypi:requests", "--memory", "lots")


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    run_error(capsys)


@pytest.mark.parametrize("option,value", [
    ("--install-timeout", "nan"), ("--install-timeout", "inf"), ("--import-timeout", "-5"),
    ("--execute-timeout", "0"), ("--install-timeout", "soon"),
    ("--memory", "-1"), ("--memory", "4"), ("--memory", "0"), ("--memory", "99999999999"),
    ("--memory", "2.5"),
])
def test_bad_numeric_options_are_one_line_usage_errors(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    assert main(["analyze", "pypi:requests", option, value]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"pkgsandbox: error: argument {option}: ")


@pytest.mark.parametrize("argv", [
    ["watch", "--job-timeout", "nan"], ["watch", "--poll-interval", "inf"],
    ["watch", "--workers", "0"], ["watch", "--max-attempts", "-1"],
    ["watch", "--metrics-port", "70000"], ["worker", "--concurrency", "1e9"],
    ["serve", "--port", "-1"],
])
def test_bad_numeric_options_of_the_other_commands(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def _busy_port() -> tuple[socket.socket, int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener, listener.getsockname()[1]


def test_serve_on_a_busy_port_or_a_bad_host_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'review.db'}"
    Database.open(db).close()
    listener, port = _busy_port()
    with listener:
        line = run_error(capsys, "serve", "--db", db, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in line
    line = run_error(capsys, "serve", "--db", db, "--host", "no-such-host.invalid", "--port", "0")
    assert "cannot listen on no-such-host.invalid:0" in line


def test_metrics_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'metrics.db'}")
    listener, port = _busy_port()
    try:
        with listener, pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{port}"):
            MetricsServer(db, "127.0.0.1", port)
    finally:
        db.close()
