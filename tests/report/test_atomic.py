"""Outputs are written whole or not at all; a full disk names the destination."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.atomic import OutputError, copy_atomic, write_atomic


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: a real ENOSPC, as a full disk gives it."""
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
            capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_leaves_nothing_and_names_the_destination(full_disk: Path) -> None:
    destination = full_disk / "out" / "result.json"
    with pytest.raises(OutputError, match=f"cannot write {destination}: No space left"):
        write_atomic(destination, "x" * 1_000_000)
    assert list((full_disk / "out").iterdir()) == []


def test_an_older_copy_survives_a_failed_write(full_disk: Path) -> None:
    destination = full_disk / "report.html"
    write_atomic(destination, "old page")
    with pytest.raises(OutputError):
        write_atomic(destination, "y" * 1_000_000)
    assert destination.read_text() == "old page"
    assert [p.name for p in full_disk.iterdir()] == ["report.html"]


def test_copy_on_a_full_disk(full_disk: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.boot.txt"
    source.write_bytes(b"z" * 1_000_000)
    with pytest.raises(OutputError, match="trace/big.boot.txt"):
        copy_atomic(source, full_disk / "trace" / source.name)
    assert list((full_disk / "trace").iterdir()) == []


def test_written_whole(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a" / "b.txt", "hello")
    assert (tmp_path / "a" / "b.txt").read_text() == "hello"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.txt"]
