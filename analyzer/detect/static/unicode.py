"""Python source spelt in look-alike letters, read as Python reads it.

Python normalises identifiers with NFKC, so `𝘴𝘶𝘣𝘱𝘳𝘰𝘤𝘦𝘴𝘴.call(...)` (mathematical
italic letters) is `subprocess.call(...)`: a spelling no pattern for `subprocess`
sees. Such letters are folded to the ASCII letter they stand for before the file is
scanned (one character for one, so offsets stay put), and identifiers written with
them are reported: honest code has no reason to spell its names that way.
"""

from __future__ import annotations

import io
import re
import tokenize
import unicodedata

# Mathematical alphanumerics and full-width Latin letters and digits: what NFKC folds
# to a single ASCII letter or digit.
_LOOKALIKE = re.compile("[\U0001d400-\U0001d7ff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def fold_lookalikes(text: str) -> tuple[str, int | None]:
    """`text` with look-alike letters folded to ASCII, and the offset of the first
    identifier spelt with them (None when no identifier is)."""
    if not _LOOKALIKE.search(text):
        return text, None

    def fold(m: re.Match[str]) -> str:
        plain = unicodedata.normalize("NFKC", m.group())
        return plain if len(plain) == 1 and plain.isascii() else m.group()

    return _LOOKALIKE.sub(fold, text), _first_identifier(text)


def _ascii_lookalikes(name: str) -> int:
    return sum(
        1 for ch in _LOOKALIKE.findall(name) if unicodedata.normalize("NFKC", ch).isascii()
    )


def _first_identifier(text: str) -> int | None:
    """Where the first name spelt with three or more look-alike ASCII letters is: a word
    in disguise, where a mathematician's 𝑥 or 𝜃 is one symbol."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and _ascii_lookalikes(token.string) >= 3:
                line, col = token.start
                return starts[line - 1] + col
    except (tokenize.TokenError, SyntaxError, IndexError):
        pass
    return None
