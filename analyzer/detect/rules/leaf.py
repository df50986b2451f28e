"""The base of the rule language's leaf clauses, and the parsers of their fields.

Every field of a leaf is optional and narrows what it accepts; list fields accept an
event when any item matches. Each leaf says how it quotes an event as evidence. The
leaves themselves live in leaves_host.py (processes, files), leaves_network.py
and leaves_static.py (static signals, metadata, typosquat); leaves.py
registers them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from analyzer.detect.rules.context import Context
from analyzer.detect.rules.patterns import (
    Glob,
    GlobSet,
    Network,
    Problems,
    checked,
    choices,
    network,
    regex,
)

E = TypeVar("E")
L = TypeVar("L", bound="Leaf[Any]")
Parser = Callable[[Any, str, Problems], Any]
Pattern = re.Pattern[str]


@dataclass(frozen=True)
class Leaf(ABC, Generic[E]):
    """One kind of event and the fields that narrow it; `unless` lists exceptions of
    the same kind: an event any of them accepts is not a hit."""

    key: ClassVar[str]  # the YAML name
    bound: ClassVar[bool] = True
    FIELDS: ClassVar[dict[str, Parser]]
    unless: tuple[Leaf[E], ...] = ()

    @classmethod
    def parse(cls: type[L], data: Mapping[str, Any], where: str, problems: Problems) -> L | None:
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "unless":
                values["unless"] = _unless(cls, value, f"{where}.unless", problems)
            elif key in cls.FIELDS:
                values[key] = cls.FIELDS[key](value, f"{where}.{key}", problems)
            else:
                problems.add(where, f"unknown field {key!r} in `{cls.key}` "
                                    f"(expected: {', '.join(cls.FIELDS)}, unless)")
        return cls(**values)

    def matches(self, event: E, ctx: Context) -> bool:
        return self.accepts(event, ctx) and not any(u.matches(event, ctx) for u in self.unless)

    @abstractmethod
    def events(self, ctx: Context) -> Iterable[E]: ...

    @abstractmethod
    def accepts(self, event: E, ctx: Context) -> bool:
        """The event passes this leaf's own fields (`unless` aside)."""

    @abstractmethod
    def describe(self, event: E, ctx: Context) -> str: ...

    def grouped(self, hits: list[E], ctx: Context) -> tuple[str, ...] | None:
        """Evidence for leaves that judge events together (None: one line per event)."""
        return None


def _unless(cls: type[L], value: Any, where: str, problems: Problems) -> tuple[L, ...]:
    items = value if isinstance(value, list) else [value]
    built = []
    for index, item in enumerate(items):
        place = f"{where}[{index}]" if isinstance(value, list) else where
        if not isinstance(item, Mapping) or not item:
            problems.add(place, f"expected a non-empty mapping of `{cls.key}` fields")
            continue
        if "mincount" in item:
            problems.add(place, "`mincount` has no meaning inside `unless`")
            continue
        exception = cls.parse(item, place, problems)
        if exception is not None:
            built.append(exception)
    return tuple(built)


# --- field parsers ------------------------------------------------------------------


def globs(build: Callable[[str], Glob]) -> Parser:
    return lambda value, where, problems: GlobSet.of(checked(value, where, problems, build))


def regexes(value: Any, where: str, problems: Problems) -> tuple[Pattern, ...]:
    return checked(value, where, problems, regex)


def networks(value: Any, where: str, problems: Problems) -> tuple[Network, ...]:
    return checked(value, where, problems, network)


def boolean(value: Any, where: str, problems: Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.add(where, "expected true or false")
        return None
    return value


def count(value: Any, where: str, problems: Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(where, "expected a whole number of at least 1")
        return None
    return value


def choice_of(allowed: Iterable[str]) -> Parser:
    allowed = tuple(allowed)
    return lambda value, where, problems: choices(value, where, problems, allowed)


def upper_words(value: Any, where: str, problems: Problems) -> frozenset[str]:
    return frozenset(v.upper() for v in checked(value, where, problems, str))


def text_field(value: Any, where: str, problems: Problems) -> str | None:
    if not isinstance(value, str) or not value:
        problems.add(where, "expected a non-empty string")
        return None
    return value


def nested(leaf: type[Leaf[Any]], many: bool = False) -> Parser:
    def parse(value: Any, where: str, problems: Problems) -> Any:
        items = value if many and isinstance(value, list) else [value]
        built = []
        for index, item in enumerate(items):
            place = f"{where}[{index}]" if many and isinstance(value, list) else where
            if not isinstance(item, Mapping) or not item:
                problems.add(place, f"expected a non-empty mapping of `{leaf.key}` fields")
                continue
            built.append(leaf.parse(item, place, problems))
        return tuple(b for b in built if b is not None) if many else (built[0] if built else None)

    return parse


def allows(allowed: frozenset[str], value: str) -> bool:
    """An empty choice allows everything."""
    return not allowed or value in allowed
