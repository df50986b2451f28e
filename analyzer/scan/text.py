"""Package text made safe for a terminal: names and versions come from attackers."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str, limit: int = 120) -> str:
    """One line, control and bidi characters as `\\xNN` escapes, cut at `limit`."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                         else f"\\u{ord(m.group()):04x}", text)
    return shown if len(shown) <= limit else shown[:limit] + "..."
