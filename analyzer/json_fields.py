"""Typed reading of one untrusted JSON object: each wrong field is one error that names it.

Values are checked, never shown whole: a message quotes at most a short string, so a
deeply nested or huge value cannot make the error itself fail (`repr` recursion).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from analyzer.errors import Error

E = TypeVar("E", bound=enum.Enum)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")


class Required(enum.Enum):
    """The default of a field that must be present."""

    REQUIRED = enum.auto()


REQUIRED = Required.REQUIRED


class Fields:
    """One JSON object; `where` is its path in the document, for messages."""

    def __init__(self, value: object, where: str, error: type[Error]) -> None:
        if not isinstance(value, Mapping):
            raise error(f"{where or 'document'}: expected an object, got {kind_of(value)}")
        self._items: Mapping[object, object] = value
        self.where = where
        self.error = error

    def text(self, key: str, default: str | Required = REQUIRED) -> str:
        value = self._get(key, default)
        if isinstance(value, str):
            return value
        raise self._wrong(key, "a string", value)

    def text_or_none(self, key: str) -> str | None:
        value = self._get(key, None)
        return None if value is None else self.text(key)

    def integer(self, key: str, default: int | Required = REQUIRED) -> int:
        value = self._get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self._wrong(key, "an integer", value)

    def integer_or_none(self, key: str) -> int | None:
        value = self._get(key, None)
        return None if value is None else self.integer(key)

    def number(self, key: str, default: float | Required = REQUIRED) -> float:
        value = self._get(key, default)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise self._wrong(key, "a number", value)

    def number_or_none(self, key: str) -> float | None:
        value = self._get(key, None)
        return None if value is None else self.number(key)

    def flag(self, key: str, default: bool | Required = REQUIRED) -> bool:
        value = self._get(key, default)
        if isinstance(value, bool):
            return value
        raise self._wrong(key, "true or false", value)

    def choice(self, key: str, kind: type[E], default: E | Required = REQUIRED) -> E:
        value = self._get(key, default)
        if isinstance(value, kind):
            return value
        return self._member(self.text(key), kind, self._at(key))

    def choice_or_none(self, key: str, kind: type[E]) -> E | None:
        value = self._get(key, None)
        return None if value is None else self.choice(key, kind)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; missing: empty."""
        return tuple(_string(item, f"{self._at(key)}[{i}]", self.error)
                     for i, item in enumerate(self._list(key)))

    def text_pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        """A list of [name, value] lists; missing: empty."""
        return tuple(self._pair(item, f"{self._at(key)}[{i}]")
                     for i, item in enumerate(self._list(key)))

    def text_map(self, key: str) -> dict[str, str]:
        """An object of strings; missing or null: empty."""
        inner = self.child(key)
        return {name: inner.text(name) for name in inner.names()}

    def child(self, key: str) -> Fields:
        """A nested object; missing or null reads as an empty one, so its defaults apply."""
        value = self._get(key, None)
        return Fields({} if value is None else value, self._at(key), self.error)

    def child_or_none(self, key: str) -> Fields | None:
        value = self._get(key, None)
        return None if value is None else self.child(key)

    def required_child(self, key: str) -> Fields:
        return Fields(self._get(key, REQUIRED), self._at(key), self.error)

    def children(self, key: str) -> Iterator[Fields]:
        """A list of objects; missing: empty."""
        for i, item in enumerate(self._list(key)):
            yield Fields(item, f"{self._at(key)}[{i}]", self.error)

    def names(self) -> Iterator[str]:
        for key in self._items:
            yield _string(key, f"{self.where}: a key", self.error)

    def entries(self, kind: type[E]) -> Iterator[tuple[E, Fields]]:
        """The object as a map from enum values to objects, in document order."""
        for key in self.names():
            where = self._at(key)
            yield self._member(key, kind, where), Fields(self._items[key], where, self.error)

    def _get(self, key: str, default: object) -> object:
        if key in self._items:
            return self._items[key]
        if default is REQUIRED:
            raise self.error(f"{self._at(key)}: missing")
        return default

    def _list(self, key: str) -> Sequence[object]:
        value = self._get(key, [])
        if isinstance(value, list | tuple):
            return value
        raise self._wrong(key, "a list", value)

    def _pair(self, item: object, where: str) -> tuple[str, str]:
        if isinstance(item, list | tuple) and len(item) == 2:
            return _string(item[0], where, self.error), _string(item[1], where, self.error)
        raise self.error(f"{where}: expected a [name, value] pair, got {kind_of(item)}")

    def _member(self, value: str, kind: type[E], where: str) -> E:
        try:
            return kind(value)
        except ValueError:
            raise self.error(f"{where}: unknown value {value!r:.60}{_choices(kind)}") from None

    def _wrong(self, key: str, expected: str, value: object) -> Error:
        return self.error(f"{self._at(key)}: expected {expected}, got {kind_of(value)}")

    def _at(self, key: str) -> str:
        return f"{self.where}.{label(key)}" if self.where else label(key)


def _string(value: object, where: str, error: type[Error]) -> str:
    if isinstance(value, str):
        return value
    raise error(f"{where}: expected a string, got {kind_of(value)}")


def _choices(kind: type[enum.Enum]) -> str:
    values = [str(member.value) for member in kind]
    return f" (expected {', '.join(values)})" if len(values) <= 8 else ""


def label(key: str) -> str:
    """A document's own key, fit for a one-line message."""
    return key if _PLAIN_KEY.fullmatch(key) else f"{key!r:.40}"


def kind_of(value: object) -> str:
    """The JSON name of a value's type."""
    if value is None:
        return "null"
    for types, name in ((bool, "a boolean"), (int | float, "a number"), (str, "a string"),
                        (list | tuple, "a list"), (Mapping, "an object")):
        if isinstance(value, types):
            return name
    return type(value).__name__
