"""Clipboard hijackers ("clippers"): code that watches the clipboard for a cryptocurrency
address and swaps in the attacker's.

Either half is ordinary on its own: editors and CLIs read and write the clipboard, and
wallet libraries validate addresses with regexes and name contract addresses. A clipper
has both in one file: clipboard access next to a wallet-address pattern and a hard-coded
address to put in its place (or, without the replacement in sight, a pattern between a
clipboard read and a clipboard write).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analyzer.detect.static.interface import KindInfo, Reads, Scanner, text_check
from analyzer.detect.static.text import SourceFile
from analyzer.signals import SignalKind, StaticSignal

_HINTS = ("clipboard", "pyperclip", "xclip", "xsel", "wl-paste", "wl-copy", "pbpaste",
          "pbcopy", "clipboardy", "clip.exe", "| clip", "ncp.")  # fmt: skip
_READ = re.compile(
    r"\b(?:pyperclip|clipboard|pyclip|xerox|ncp)\.paste\s*\(|\bclipboard_get\s*\("
    r"|\bGetClipboardData\s*\(|\bclipboard\(\)\.text\s*\(|\bnavigator\.clipboard\.read(?:Text)?\s*\("
    r"|\bclipboardy\.read(?:Sync)?\s*\(|\bclipboard\.readText\s*\(|\bclipboardData\.getData\s*\("
    r"|execCommand\(\s*['\"]paste['\"]|\bxclip\b[^\n]{0,60}['\"\s]-o\b|\bxsel\b[^\n]{0,60}"
    r"(?:['\"\s]-[a-z]*o\b|--output)|\bwl-paste\b|\bpbpaste\b|(?i:\bGet-Clipboard\b)"
    r"|\bfrom\s+pyperclip\s+import\s+[^\n]*\bpaste\b"
)
_WRITE = re.compile(
    r"\b(?:pyperclip|clipboard|pyclip|xerox|ncp)\.copy\s*\(|\bclipboard_append\s*\("
    r"|\bSetClipboard(?:Data|Text)\s*\(|\bclipboard\(\)\.setText\s*\("
    r"|\bnavigator\.clipboard\.write(?:Text)?\s*\(|\bclipboardy\.write(?:Sync)?\s*\("
    r"|\bclipboard\.writeText\s*\(|\bclipboardData\.setData\s*\(|execCommand\(\s*['\"]copy['\"]"
    r"|\bxclip\b(?![^\n]{0,60}['\"\s]-o\b)|\bxsel\b[^\n]{0,60}(?:['\"\s]-[a-z]*i\b|--input)"
    r"|\bwl-copy\b|\bpbcopy\b|(?i:\bSet-Clipboard\b|\bclip\.exe\b|\|\s*clip\b)"
    r"|\bfrom\s+pyperclip\s+import\s+[^\n]*\bcopy\b"
)
_OPEN = re.compile(r"\b(?:OpenClipboard|EmptyClipboard)\s*\(|\bwin32clipboard\b")
_BASE58 = r"1-9A-HJ-NP-Za-km-z"
# Address patterns as regex source: base58's alphabet (no 0, O, I, l), 0x + 40 hex, the
# bech32 and other coin prefixes in a pattern.
_PATTERN = re.compile(
    r"HJ-NP|0x\)?\\?\[[^\]\n]{3,20}\]\{40\}|\(\??:?bc1\|?|\^bc1|\bbc1\[|\[13\]\[[^\]\n]+\]\{\d\d,"
    r"|\^T\[[^\]\n]+\]\{33\}|\baddr1\[|\bbitcoincash:\??\)?\(?\??:?\[?q"
)
# Hard-coded addresses, quoted: Bitcoin (legacy and bech32), Ethereum, Tron, Litecoin,
# Dogecoin, Monero.
_ADDRESS = re.compile(
    r"""['"`](bc1[qp][ac-hj-np-z02-9]{38,58}|[13][B]{25,34}|0x[0-9a-fA-F]{40}"""
    r"""|T[B]{33}|[LM][B]{33}|D[5-9A-HJ-NP-U][B]{32}|4[0-9AB][B]{93})['"`]""".replace(
        "[B]", f"[{_BASE58}]"
    )
)


def _addresses(src: SourceFile) -> list[tuple[int, str]]:
    """Quoted wallet addresses that are not placeholders (0x000…0, 0xdead…)."""
    found = []
    for m in _ADDRESS.finditer(src.text):
        address = m.group(1)
        body = address[2:] if address.startswith(("0x", "bc1")) else address[1:]
        if len(set(body.lower())) > 6 and any(c.isdigit() for c in body):
            found.append((m.start(1), address))
    return found


# A wallet-address pattern handed, with a hard-coded address, to a replace: the swap at
# a clipper's core, whichever clipboard API (obfuscated or not) brings the text in. A
# regex literal or a quoted pattern, then the address as the next argument.
_SWAP = re.compile(
    r"""(?:/(?P<literal>[^/\n]{6,200})/[a-z]*|[rbu]?(?P<quote>['"])(?P<quoted>[^'"\n]{6,200})"""
    r"""(?P=quote))\s*,\s*(?=['"`])"""
)
_SWAP_HINTS = ("{40}", "{33}", "HJ-NP", "bc1", "{25,", "{26,")


def _swap(src: SourceFile) -> tuple[int, str] | None:
    """Where a wallet-address pattern is replaced by a hard-coded address, and that address."""
    if not src.has(*_SWAP_HINTS):
        return None
    addresses = dict(_addresses(src))
    for m in _SWAP.finditer(src.text):
        pattern = m.group("literal") or m.group("quoted") or ""
        # The address starts just after the opening quote that follows the comma.
        if _PATTERN.search(pattern) and m.end() + 1 in addresses:
            return m.start(), addresses[m.end() + 1]
    return None


def check_clipboard(src: SourceFile) -> Iterator[StaticSignal]:
    swap = _swap(src)
    if swap is not None:
        offset, address = swap
        detail = f"a wallet-address pattern replaced by the hard-coded address {address[:60]}"
        yield src.signal(SignalKind.CLIPBOARD_HIJACK, offset, detail)
        return
    if not src.has(*_HINTS):
        return
    read = _READ.search(src.text)
    write = _WRITE.search(src.text)
    access = read or write or _OPEN.search(src.text)
    if access is None:
        return
    pattern = _PATTERN.search(src.text)
    addresses = _addresses(src)
    if pattern and addresses:
        how = f"a wallet-address pattern and {len(addresses)} hard-coded address(es)"
    elif pattern and read and write:
        how = "a wallet-address pattern between clipboard reads and writes"
    elif addresses and read and write:
        how = f"clipboard reads and writes with {len(addresses)} hard-coded wallet address(es)"
    else:
        return
    first = addresses[0][1] if addresses else (pattern.group() if pattern else "")
    detail = f"clipboard access ({access.group().strip()[:40]}) with {how}"
    if first:
        detail += f", e.g. {first[:60]}"
    yield src.signal(SignalKind.CLIPBOARD_HIJACK, access.start(), detail)


CLIPBOARD = Scanner(
    name="clipboard",
    check=text_check(check_clipboard),
    reads=frozenset({Reads.SOURCE, Reads.DECODED}),
    kinds={
        SignalKind.CLIPBOARD_HIJACK: KindInfo(
            "reads or rewrites the clipboard next to crypto wallet-address patterns or addresses",
            strong=True,
        ),
    },
)
