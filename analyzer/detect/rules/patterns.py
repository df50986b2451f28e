"""Checked building blocks of the rule language: globs, regexes, addresses, ports, and the
collector that gathers every problem of a rule set so they are reported together."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# `~` in a path glob is any user's home in the sandbox.
HOME_PATTERN = r"/home/[^/]+"
# Rules are trusted, the text they run over is not: regexes see at most this much of it.
MAX_SUBJECT_CHARS = 64 * 1024


@dataclass
class Problems:
    """Every problem found while reading rules; `where` names the place like a path."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


def as_list(value: Any) -> list[Any]:
    """A YAML scalar or a list, as a list: `path: ~/.ssh/*` and `path: [~/.ssh/*]` mean the same."""
    return list(value) if isinstance(value, list) else [value]


def each_string(value: Any, where: str, problems: Problems) -> list[str]:
    items = as_list(value)
    good = [item for item in items if isinstance(item, str) and item]
    if len(good) != len(items) or not items:
        problems.add(where, "expected a non-empty string or a list of them")
    return good


def checked(
    value: Any, where: str, problems: Problems, build: Callable[[str], T]
) -> tuple[T, ...]:
    """Apply `build` to every string in `value`, recording each ValueError as a problem."""
    built: list[T] = []
    for index, text in enumerate(each_string(value, where, problems)):
        try:
            built.append(build(text))
        except ValueError as exc:
            problems.add(f"{where}[{index}]" if isinstance(value, list) else where, str(exc))
    return tuple(built)


# --- globs --------------------------------------------------------------------------


# Globs are translated (and checked) when rules load, but compiled when first matched: a
# rule set holds hundreds, and commands like `rules list` never match one.
@dataclass(frozen=True)
class Glob:
    """A shell-style pattern: `*` stays within one path segment (or, for host names,
    matches anything), `**` crosses segments, `?` one character, `[a-z]` a class,
    `{a,b}` alternatives; `~/` at the start of a path glob is any home folder."""

    text: str
    source: str  # the regex it stands for
    flags: int = 0

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.source, self.flags)

    def match(self, subject: str) -> bool:
        return self.regex.fullmatch(subject[:MAX_SUBJECT_CHARS]) is not None


def path_glob(text: str) -> Glob:
    return Glob(text, _translate(text, segment="[^/]", home=True))


def host_glob(text: str) -> Glob:
    return Glob(text, _translate(text.lower().rstrip("."), segment="."), re.I)


def name_glob(text: str) -> Glob:
    """A glob for a program: without a `/` it is matched against the base name."""
    if "/" in text:
        return path_glob(text)
    return Glob(text, r"(?:.*/)?" + _translate(text, segment="[^/]"), re.S)


def text_glob(text: str) -> Glob:
    return Glob(text, _translate(text, segment="."), re.S)


def _translate(glob: str, segment: str, home: bool = False) -> str:
    out: list[str] = []
    i = 0
    if home and (glob == "~" or glob.startswith("~/")):
        out.append(HOME_PATTERN)
        i = 1
    depth = 0  # inside {...}
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append(f"{segment}*")
        elif char == "?":
            out.append(segment)
        elif char == "[":
            end = glob.find("]", i + 2)
            if end < 0:
                raise ValueError(f"unclosed '[' in glob {glob!r}")
            body = glob[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            char_class = "[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]"
            try:  # the one part that can be a bad regex (`[z-a]`): checked on its own
                re.compile(char_class)
            except re.error as exc:
                raise ValueError(f"bad class {glob[i:end + 1]!r} in glob {glob!r}: {exc}") from None
            out.append(char_class)
            i = end
        elif char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(char))
        i += 1
    if depth:
        raise ValueError(f"unclosed '{{' in glob {glob!r}")
    return "".join(out)


@dataclass(frozen=True)
class GlobSet:
    """Globs of one field, matched as one regex: a rule's path list is a single
    `fullmatch` per event, whatever its length (traces hold tens of thousands)."""

    globs: tuple[Glob, ...] = ()

    @classmethod
    def of(cls, globs: Iterable[Glob]) -> GlobSet:
        return cls(tuple(globs))

    @functools.cached_property
    def regex(self) -> re.Pattern[str] | None:
        if not self.globs:
            return None
        joined = "|".join(f"(?:{glob.source})" for glob in self.globs)
        return re.compile(joined, self.globs[0].flags)

    def __bool__(self) -> bool:
        return bool(self.globs)

    def match(self, subject: str) -> bool:
        return self.regex is not None and \
            self.regex.fullmatch(subject[:MAX_SUBJECT_CHARS]) is not None


NO_GLOBS = GlobSet()


# --- regexes, addresses, ports ------------------------------------------------------


def regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"bad regex {text!r}: {exc}") from None


def search_any(patterns: Iterable[re.Pattern[str]], subject: str) -> bool:
    clipped = subject[:MAX_SUBJECT_CHARS]
    return any(pattern.search(clipped) for pattern in patterns)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def network(text: str) -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"not an IP address or CIDR block: {text!r}") from None


def in_networks(networks: Iterable[Network], address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in networks)


def is_remote_address(address: str) -> bool:
    """An address off this machine: not loopback, unspecified, link-local or multicast.

    The sandbox has no network at all, so a LAN or documentation address is as much
    an attempt to reach out as a public one.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast)


def ports(value: Any, where: str, problems: Problems) -> frozenset[int]:
    """`443`, `[80, 443]` or `"1024-65535"` entries, as a set of port numbers."""
    found: set[int] = set()
    for index, item in enumerate(as_list(value)):
        place = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, bool):
            problems.add(place, f"not a port: {item!r}")
        elif isinstance(item, int) and 0 <= item <= 65535:
            found.add(item)
        elif isinstance(item, str) and re.fullmatch(r"\d{1,5}-\d{1,5}", item):
            low, high = (int(part) for part in item.split("-"))
            if low > high or high > 65535:
                problems.add(place, f"bad port range {item!r}")
            else:
                found.update(range(low, high + 1))
        else:
            problems.add(place, f"not a port or a range like '1024-65535': {item!r}")
    return frozenset(found)


def choices(value: Any, where: str, problems: Problems, allowed: Iterable[str]) -> frozenset[str]:
    allowed = tuple(allowed)
    picked: set[str] = set()
    for item in each_string(value, where, problems):
        if item in allowed:
            picked.add(item)
        else:
            problems.add(where, f"unknown value {item!r} (expected one of: {', '.join(allowed)})")
    return frozenset(picked)
