"""Name forms for the typosquat check: normal forms, look-alikes, affixes, and naming the trick."""

from __future__ import annotations

import enum
import re

from analyzer.kinds import Ecosystem


class Kind(enum.StrEnum):
    """How a name imitates its target; the value is what `Typosquat.kind` holds."""

    EDIT = "edit"
    SWAP = "swap"
    KEYBOARD = "keyboard"
    HOMOGLYPH = "homoglyph"
    REPEAT = "repeat"
    OMISSION = "omission"
    SEPARATOR = "separator"
    REORDER = "reorder"
    COMBOSQUAT = "combosquat"
    SCOPE = "scope"


_PEP503 = re.compile(r"[-_.]+")
_TOKEN_SPLIT = re.compile(r"[-_./]+")
_NO_SEPARATORS = str.maketrans("", "", "-_./@")
_WORD_SEPARATORS = "-_./"
# Look-alikes that survive lower-casing. Only what fools a reader in a terminal or a
# requirements file: `3`/`e` or `8`/`b` style leetspeak does not, and `3` ends `boto3`.
_GLYPH_PAIRS = (("rn", "m"), ("vv", "w"))
_GLYPH_CHARS = str.maketrans({"1": "l", "i": "l", "0": "o", "5": "s"})
_GLYPH_SINGLE = frozenset(
    frozenset(pair) for pair in (("1", "l"), ("1", "i"), ("i", "l"), ("0", "o"), ("5", "s"))
)
_QWERTY = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, frozenset[str]]:
    """Keys that touch on a QWERTY keyboard; each row sits half a key right of the one above."""
    near: dict[str, set[str]] = {}
    for row, keys in enumerate(_QWERTY):
        for col, key in enumerate(keys):
            found = near.setdefault(key, set())
            found.update(keys[c] for c in (col - 1, col + 1) if 0 <= c < len(keys))
            if row > 0:
                above = _QWERTY[row - 1]
                found.update(above[c] for c in (col, col + 1) if c < len(above))
            if row + 1 < len(_QWERTY):
                below = _QWERTY[row + 1]
                found.update(below[c] for c in (col - 1, col) if 0 <= c < len(below))
    return {key: frozenset(keys) for key, keys in near.items()}


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


def normalize(name: str, ecosystem: Ecosystem) -> str:
    """The form the registry compares: PEP 503 for PyPI, lower case for npm."""
    if ecosystem is Ecosystem.PYPI:
        return _PEP503.sub("-", name).lower()
    return name.lower()


def split_scope(name: str) -> tuple[str | None, str]:
    """`@scope/name` -> (`scope`, `name`); an unscoped name -> (None, name)."""
    if name.startswith("@") and "/" in name:
        scope, _, rest = name[1:].partition("/")
        return scope, rest
    return None, name


def sepless(name: str) -> str:
    """The name without separators, scope marks included: `@types/node` -> `typesnode`."""
    return name.translate(_NO_SEPARATORS)


def skeleton(name: str) -> str:
    """The separator-free name with look-alike glyphs folded: `rnatp1ot1ib` -> `matplotllb`."""
    text = sepless(name)
    for seen, meant in _GLYPH_PAIRS:
        text = text.replace(seen, meant)
    return text.translate(_GLYPH_CHARS)


def reorder_key(name: str) -> tuple[str, ...] | None:
    """The words of a name in sorted order, or None for a one-word name."""
    words = [word for word in _TOKEN_SPLIT.split(name.lstrip("@")) if word]
    return tuple(sorted(words)) if len(words) > 1 else None


# `python-cord` for `py-cord`, `discord-python` for `discord-py`: one affix spelt two ways.
_AFFIX_SPELLINGS = (
    (re.compile(r"^(?:python[23]?|py[23]?)(?=[-_.])"), "py"),
    (re.compile(r"(?<=[-_.])(?:python[23]?|py[23]?)$"), "py"),
    (re.compile(r"^node(?:js)?(?=[-_.])"), "node"),
    (re.compile(r"(?<=[-_.])(?:node)?js$"), "js"),
)
# What a combosquat adds to a popular name (`python3-`, `-sdk`, `js`, `2`).
_ADDED_PREFIX = re.compile(r"^(?:python[23]?|py[23]?|nodejs|node|js)(?=.)[-_.]?")
_ADDED_SUFFIX = re.compile(
    r"(?<=.)[-_.]?(?:python[23]?|py[23]?|nodejs|node|js|sdk|dev|lib|v?\d\d?)$"
)
# What comes off a popular name to find its core: separated affixes only, so
# `python-dateutil` gives `dateutil` but `pytest` does not give `test`.
_OWN_AFFIX = re.compile(r"^(?:python[23]?|py[23]?|node)[-_.]|[-_.](?:python[23]?|py|js|node)$")


def affix_form(name: str) -> str:
    """`python3-cord` -> `pycord`: affixes in one spelling, separators dropped."""
    for pattern, spelling in _AFFIX_SPELLINGS:
        name = pattern.sub(spelling, name, count=1)
    return sepless(name)


def combo_cores(name: str) -> set[str]:
    """`python3-requests-dev` -> {`requests`, `requests-dev`, ...}: with added affixes off."""
    cores = {name}
    for head in (name, _ADDED_PREFIX.sub("", name, count=1)):
        tail = _ADDED_SUFFIX.sub("", head, count=1)
        cores.update((head, tail, _ADDED_SUFFIX.sub("", tail, count=1)))
    return cores


def own_core(name: str) -> str:
    """A popular name without its `python-`/`-js` affix: `python-dateutil` -> `dateutil`."""
    return _OWN_AFFIX.sub("", name)


def _squeeze(text: str) -> str:
    """`reqquessts` -> `requests`: runs of one character become one."""
    return "".join(ch for i, ch in enumerate(text) if i == 0 or text[i - 1] != ch)


def trim(a: str, b: str) -> tuple[int, str, str]:
    """Drop the common prefix and suffix; return where the difference starts and both middles."""
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, a[start : len(a) - end], b[start : len(b) - end]


def classify(query: str, target: str) -> Kind:
    """Name the trick that turns `target` into `query` (both normalised, and different)."""
    if split_scope(query)[0] != split_scope(target)[0]:
        return Kind.SCOPE
    if sepless(query) == sepless(target):
        return Kind.SEPARATOR
    if skeleton(query) == skeleton(target):
        return Kind.HOMOGLYPH
    order = reorder_key(query)
    if order is not None and order == reorder_key(target):
        return Kind.REORDER
    start, added, dropped = trim(query, target)
    if len(added) == len(dropped) == 2 and added == dropped[::-1]:
        return Kind.SWAP
    if len(added) == len(dropped) == 1:
        if added in KEYBOARD_NEIGHBOURS.get(dropped, ()):
            return Kind.KEYBOARD
        return Kind.HOMOGLYPH if frozenset((added, dropped)) in _GLYPH_SINGLE else Kind.EDIT
    if _squeeze(query) == _squeeze(target):
        return Kind.REPEAT if len(query) > len(target) else Kind.OMISSION
    if len(added) == 1 and not dropped:
        beside = query[start - 1 : start] + query[start + 1 : start + 2]
        if added in beside:
            return Kind.REPEAT
        # A finger that also hits the next key: `py-corfd`, `xsetuptools`.
        near = KEYBOARD_NEIGHBOURS.get(added, frozenset())
        return Kind.KEYBOARD if any(ch in near for ch in beside) else Kind.EDIT
    return Kind.OMISSION if not added and len(dropped) == 1 else Kind.EDIT
