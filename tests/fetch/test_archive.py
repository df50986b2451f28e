"""The safe archive reader: good archives listed and read, hostile ones refused."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from analyzer.errors import FetchError, UnsafeArchiveError
from analyzer.fetch.archive import (
    ArchiveLimits,
    MemberKind,
    content_format,
    inspect_archive,
    name_format,
    read_members,
)


def tar_with(path: Path, *entries: tarfile.TarInfo | tuple[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return path


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def special(name: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    return info


def zip_with(path: Path, *entries: tuple[str | zipfile.ZipInfo, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def zip_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def test_lists_a_good_tar_gz_and_reads_selected_files(tmp_path: Path) -> None:
    path = tar_with(tmp_path / "ok-1.0.tar.gz", ("ok-1.0/PKG-INFO", b"Name: ok\n"),
                    ("./ok-1.0/setup.py", b"print(1)\n"), link("ok-1.0/alias.py", "setup.py"),
                    link("ok-1.0/chain.py", "alias.py"))
    members = inspect_archive(path)
    assert [(m.name, m.kind) for m in members] == [
        ("ok-1.0/PKG-INFO", MemberKind.FILE), ("ok-1.0/setup.py", MemberKind.FILE),
        ("ok-1.0/alias.py", MemberKind.SYMLINK), ("ok-1.0/chain.py", MemberKind.SYMLINK)]
    assert members[1].size == 9
    selected = list(read_members(path, lambda n: n.endswith(".py"), 5))
    assert selected == [("ok-1.0/setup.py", b"print")]


def test_lists_a_good_zip_with_an_inside_symlink(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "ok-1.0-py3-none-any.whl", ("ok/__init__.py", b"x = 1\n"),
                    (zip_info("ok/link.py", stat.S_IFLNK | 0o777), b"__init__.py"),
                    ("ok/data/", b""))
    kinds = {m.name: m.kind for m in inspect_archive(path)}
    assert kinds == {"ok/__init__.py": MemberKind.FILE, "ok/link.py": MemberKind.SYMLINK,
                     "ok/data": MemberKind.DIR}
    assert dict(read_members(path, lambda n: True, 100)) == {"ok/__init__.py": b"x = 1\n"}


@pytest.mark.parametrize(("entry", "problem"), [
    (("pkg/../../etc/cron.d/x", b"x"), "path traversal"),
    (("../outside.py", b"x"), "path traversal"),
    (("/etc/passwd", b"x"), "absolute path"),
    (("C:\\Windows\\evil.dll", b"x"), "absolute path"),
    (link("pkg/evil", "../../../etc/shadow"), "points outside"),
    (link("pkg/evil", "/etc/shadow"), "points outside"),
    (link("pkg/evil", "../../etc/shadow", tarfile.LNKTYPE), "points outside"),
    (link("pkg/evil", "/etc/shadow", tarfile.LNKTYPE), "points outside"),
    (special("pkg/dev", tarfile.CHRTYPE), "device file"),
    (special("pkg/disk", tarfile.BLKTYPE), "device file"),
    (special("pkg/pipe", tarfile.FIFOTYPE), "fifo"),
    (special("pkg/holes", tarfile.GNUTYPE_SPARSE), "sparse file"),
    (("a" * 2000, b"x"), "longer than"),
])
def test_refuses_hostile_tar_members(tmp_path: Path, entry: object, problem: str) -> None:
    path = tar_with(tmp_path / "evil-1.0.tar.gz", ("pkg/ok.py", b"ok"), entry)  # type: ignore[arg-type]
    with pytest.raises(UnsafeArchiveError, match=problem) as caught:
        inspect_archive(path)
    assert "evil-1.0.tar.gz" in str(caught.value) and "\n" not in str(caught.value)


def test_refuses_a_path_through_a_symlinked_folder(tmp_path: Path) -> None:
    # "d" -> "." is inside, but "d/x" -> "../y" then lands one level above the root.
    path = tar_with(tmp_path / "evil.tar", link("d", "."), link("d/x", "../y"), mode="w")
    with pytest.raises(UnsafeArchiveError, match="through symlink 'd'"):
        inspect_archive(path)
    # The same escape hidden in a link target: "d/../x" reads as "x" but is "../x".
    path = tar_with(tmp_path / "evil2.tar", link("d", "."), link("e", "d/../x"), mode="w")
    with pytest.raises(UnsafeArchiveError, match="through symlink 'd'"):
        inspect_archive(path)


@pytest.mark.parametrize(("name", "mode", "data", "problem"), [
    ("../evil.py", 0o644, b"x", "path traversal"),
    ("/abs/evil.py", 0o644, b"x", "absolute path"),
    ("pkg/link", stat.S_IFLNK | 0o777, b"../../etc/passwd", "points outside"),
    ("pkg/dev", stat.S_IFCHR | 0o644, b"", "device file"),
    ("pkg/pipe", stat.S_IFIFO | 0o644, b"", "fifo"),
])
def test_refuses_hostile_zip_members(tmp_path: Path, name: str, mode: int, data: bytes,
                                     problem: str) -> None:
    path = zip_with(tmp_path / "evil-1.0-py3-none-any.whl", (zip_info(name, mode), data))
    with pytest.raises(UnsafeArchiveError, match=problem):
        inspect_archive(path)


def test_refuses_a_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros", "w") as f:
        for _ in range(200):  # 200 MB of zeros, about 200 KB compressed
            f.write(chunk)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UnsafeArchiveError, match="compression ratio"):
        inspect_archive(path)
    with pytest.raises(UnsafeArchiveError, match="compression ratio"):
        list(read_members(path, lambda n: True, 10))


def test_refuses_a_tar_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tar.gz"
    info = tarfile.TarInfo("pkg/zeros")
    info.size = 200 << 20

    class Zeros(io.RawIOBase):
        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            buffer[:] = bytes(len(buffer))
            return len(buffer)

    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(info, Zeros())
    with pytest.raises(UnsafeArchiveError, match="compression ratio"):
        inspect_archive(path)


def test_refuses_too_many_members_and_too_many_bytes(tmp_path: Path) -> None:
    tar = tar_with(tmp_path / "many.tar.gz", *((f"pkg/f{i}", b"x") for i in range(11)))
    with pytest.raises(UnsafeArchiveError, match="more than 10 members"):
        inspect_archive(tar, ArchiveLimits(max_members=10))
    zf = zip_with(tmp_path / "many.zip", *((f"pkg/f{i}", b"x") for i in range(11)))
    with pytest.raises(UnsafeArchiveError, match="more than 10 members"):
        inspect_archive(zf, ArchiveLimits(max_members=10))
    big = tar_with(tmp_path / "big.tar", ("pkg/big", bytes(100_000)), mode="w")
    with pytest.raises(UnsafeArchiveError, match="size limit"):
        inspect_archive(big, ArchiveLimits(max_member_bytes=50_000))
    with pytest.raises(UnsafeArchiveError, match="total size limit"):
        inspect_archive(big, ArchiveLimits(max_total_bytes=50_000))


@pytest.mark.parametrize("name", ["notes.tar.gz", "notes.zip", "notes.whl", "notes.bin"])
def test_not_an_archive_is_a_fetch_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("just some text, certainly not an archive\n" * 20)
    with pytest.raises(FetchError) as caught:
        inspect_archive(path)
    assert not isinstance(caught.value, UnsafeArchiveError)


def test_truncated_gzip_is_a_fetch_error(tmp_path: Path) -> None:
    files = ((f"pkg/f{i}", bytes(range(256)) * 40) for i in range(5))
    path = tar_with(tmp_path / "ok.tar.gz", *files)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FetchError, match="corrupt"):
        inspect_archive(path)


def test_gzip_without_a_tar_inside_is_a_fetch_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.tar.gz"
    path.write_bytes(gzip.compress(b"hello world, no tar headers here\n" * 50))
    with pytest.raises(FetchError, match="not a valid archive"):
        inspect_archive(path)


def test_content_decides_the_format_not_the_suffix(tmp_path: Path) -> None:
    path = zip_with(tmp_path / "sneaky.tar.gz", ("a.py", b"x"))
    assert [m.name for m in inspect_archive(path)] == ["a.py"]
    assert (content_format(path), name_format(path.name)) == ("zip", "gzip")


def test_missing_file_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cannot read"):
        inspect_archive(tmp_path / "absent.tar.gz")
