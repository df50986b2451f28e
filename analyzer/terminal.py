"""Package-controlled text made safe for a terminal: control and bidi characters shown, not run."""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates reorder what a reviewer reads; zero-width
# characters hide text in plain sight.
_BIDI = frozenset({*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010),
                   0x061C, 0x2028, 0x2029})


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, multiline: bool = False, limit: int | None = None) -> str:
    """`text` with every control character (C0, DEL, C1, CR, ESC, BEL…) and bidi control
    written as an escape (ESC -> `\\x1b`); a newline is `\\n` unless `multiline`. With
    `limit`, what is shown is cut to that many characters, ending in "...".
    """
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\n" if multiline else "\\n")
        elif ch == "\t" and multiline:
            out.append(ch)
        elif ord(ch) in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(_visible(ch))
        else:
            out.append(ch)
    shown = "".join(out)
    return shown if limit is None or len(shown) <= limit else shown[:limit] + "..."
