"""Executables and native libraries inside a package, recognised by their headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from analyzer.detect.static.interface import ALL_ROLES, KindInfo, Reads, ScanContext, Scanner
from analyzer.detect.static.text import SourceFile
from analyzer.signals import FileRole, SignalKind, StaticSignal

_LIBRARY_SUFFIXES = (".so", ".pyd", ".node", ".dll", ".dylib", ".bundle", ".o", ".a")
_MACHO_BIG = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")
_MACHO_LITTLE = (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")


@dataclass(frozen=True)
class Executable:
    format: str  # "PE", "ELF", "Mach-O"
    library: bool  # a DLL, shared object, bundle or object file rather than a program


def inspect(data: bytes) -> Executable | None:
    """What executable format `data` starts with, if any (needs only the first 4 KB)."""
    if data[:2] == b"MZ" and len(data) >= 64:
        pe = int.from_bytes(data[60:64], "little")
        if data[pe : pe + 4] == b"PE\x00\x00":
            flags = int.from_bytes(data[pe + 22 : pe + 24], "little")
            return Executable("PE", bool(flags & 0x2000))
        return None
    if data[:4] == b"\x7fELF" and len(data) >= 18:
        e_type = int.from_bytes(data[16:18], "little" if data[5] == 1 else "big")
        return Executable("ELF", e_type in (1, 3))  # relocatable or shared (PIE too)
    if data[:4] in _MACHO_BIG + _MACHO_LITTLE and len(data) >= 16:
        big = data[:4] in _MACHO_BIG
        filetype = (
            int.from_bytes(data[12:16], "big") if big else int.from_bytes(data[12:16], "little")
        )
        return Executable("Mach-O", filetype != 2)
    # Java class files share this magic; their next word is a version >= 45, not a count.
    if data[:4] == b"\xca\xfe\xba\xbe" and 0 < int.from_bytes(data[4:8], "big") < 20:
        return Executable("Mach-O universal", False)
    return None


def executable_format(data: bytes) -> str | None:
    found = inspect(data)
    return found.format if found else None


def check_binary(
    path: str, data: bytes, size: int, role: FileRole, referenced_by: Callable[[str], list[str]]
) -> StaticSignal | None:
    """A signal for an executable or native library; `referenced_by(name)` lists the
    package's code files that mention the file name."""
    found = inspect(data)
    if found is None:
        return None
    name = path.rsplit("/", 1)[-1]
    refs = referenced_by(name)
    lower = name.lower()
    library_name = lower.endswith(_LIBRARY_SUFFIXES) or ".so." in lower
    named = f"; named in {', '.join(refs[:3])}" if refs else ""
    if found.library and library_name:
        kind = SignalKind.NATIVE_BINARY
        detail = f"{found.format} library {name!r}, {size} bytes{named}"
    else:
        kind = SignalKind.BUNDLED_EXECUTABLE
        what = "library" if found.library else "executable"
        dot = lower.rfind(".")
        suffix = lower[dot:] if dot > 0 else ""
        disguise = (
            f" disguised as {suffix}"
            if suffix and suffix not in (".exe", ".bin", ".com", ".scr") + _LIBRARY_SUFFIXES
            else ""
        )
        detail = f"{found.format} {what} {name!r}{disguise}, {size} bytes{named}"
    return StaticSignal(kind, path, None, "", detail, role)


def _check_binary(src: SourceFile, context: ScanContext) -> Iterator[StaticSignal]:
    found = check_binary(src.path, context.data, context.size, src.role, context.referenced_by)
    if found is not None:
        yield found


# Every file that is not text, documentation and metadata too: a program is one anywhere.
BINARY = Scanner(
    name="binary",
    check=_check_binary,
    reads=frozenset({Reads.BINARY}),
    roles=ALL_ROLES,
    kinds={
        SignalKind.BUNDLED_EXECUTABLE: KindInfo(
            "a PE, ELF or Mach-O executable inside the package",
            strong=True,
        ),
        SignalKind.NATIVE_BINARY: KindInfo(
            "a native shared library (.so, .pyd, .node, .dll, .dylib)",
            strong=False,
        ),
    },
)
