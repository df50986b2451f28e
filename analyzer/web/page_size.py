"""Results too large for one page: long tuples and texts cut, with a note of what is left out.

A package that walks the disk makes a result of a million file events; the page of such
a result shows the first of each list, says how many it leaves out ("1,300,000 file
events not shown") and links the whole result instead of embedding it.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections import Counter
from typing import TypeVar

from analyzer.models import AnalysisResult
from analyzer.result_codec import result_to_dict

T = TypeVar("T")
MIB = 1024 * 1024
MAX_PAGE_JSON_BYTES = 8 * MIB
# A page holds its result twice (tables, and the raw JSON indented and HTML-escaped):
# about four times the compact JSON.
PAGE_PER_JSON = 4
# From generous to tight: each is tried until the cut result fits the page.
CUTS = ((500, 4096), (100, 1024), (20, 256))  # (items per list, characters per text)
LABELS = {
    "files": "file events", "processes": "processes", "argv": "command-line arguments",
    "dns": "DNS questions", "connections": "connections", "http": "HTTP requests",
    "headers": "HTTP headers", "tls": "TLS handshakes", "streams": "raw streams",
    "leaks": "honeytoken leaks", "findings": "findings", "evidence": "evidence lines",
    "static_signals": "static signals", "dependencies": "dependencies", "notes": "notes",
    "forced": "stand-ins and overrides",
}
TEXT = "characters of long texts"


def cut_for_page(result: AnalysisResult, size: int, whole: str | None,
                 limit: int = MAX_PAGE_JSON_BYTES) -> AnalysisResult:
    """`result` (`size` bytes of JSON) cut until its page fits `limit`, with notes saying
    what was left out and where the whole result is (`whole`, a link)."""
    cut = result
    for items, chars in CUTS:
        omitted: Counter[str] = Counter()
        cut = _cut(result, items, chars, omitted, "")
        cut = dataclasses.replace(cut, notes=(*_notes(size, limit, whole, omitted), *cut.notes))
        if len(json.dumps(result_to_dict(cut))) <= limit // PAGE_PER_JSON:
            break
    return cut


def _notes(size: int, limit: int, whole: str | None, omitted: Counter[str]) -> list[str]:
    where = f" The whole result: {whole}" if whole else ""
    head = (f"This result is {size / MIB:.1f} MiB of JSON, more than a page shows"
            f" ({limit / MIB:g} MiB): its long lists and texts are cut.{where}")
    return [head] + [f"{count:,} {label} not shown" for label, count in omitted.most_common()]


def _cut(value: T, items: int, chars: int, omitted: Counter[str], name: str) -> T:
    """`value` with every tuple under it cut to `items` and every text to `chars`; `name`
    is the field it is in, which names what was left out."""
    cut: object = value
    if isinstance(value, enum.Enum):  # a StrEnum is a str, but never long and never cut
        pass
    elif isinstance(value, str):
        if len(value) > chars:
            omitted[TEXT] += len(value) - chars
            cut = value[:chars] + "…"
    elif isinstance(value, tuple):
        if len(value) > items:
            omitted[LABELS.get(name, f"`{name}` entries")] += len(value) - items
        cut = tuple(_cut(v, items, chars, omitted, name) for v in value[:items])
    elif isinstance(value, dict):  # metadata: its values are package text
        cut = {k: _cut(v, items, chars, omitted, str(k)) for k, v in value.items()}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        cut = dataclasses.replace(value, **{
            f.name: _cut(getattr(value, f.name), items, chars, omitted, f.name)
            for f in dataclasses.fields(value)})
    return cut  # type: ignore[return-value]
