"""Argparse `type=` checks: numbers finite, positive and within sane bounds; URLs http(s)."""

from __future__ import annotations

import argparse
import math
import urllib.parse

MIN_MEMORY_MB = 256
MAX_MEMORY_MB = 256 * 1024
MAX_CACHE_MB = 1024 * 1024
MAX_SECONDS = 7 * 24 * 3600.0
MAX_COUNT = 10_000


def positive_seconds(text: str) -> float:
    """A duration in seconds: a finite number above 0 and at most a week."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"expected seconds above 0 and at most {MAX_SECONDS:.0f}, not {text!r}")
    return value


def memory_mb(text: str) -> int:
    """A memory limit in MB, from MIN_MEMORY_MB to MAX_MEMORY_MB."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of MB: {text!r}") from None
    if not MIN_MEMORY_MB <= value <= MAX_MEMORY_MB:
        raise argparse.ArgumentTypeError(
            f"expected {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB, not {text!r}")
    return value


def cache_mb(text: str) -> int:
    """A cache's size bound in MB, 0 (no cache) to MAX_CACHE_MB."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of MB: {text!r}") from None
    if not 0 <= value <= MAX_CACHE_MB:
        raise argparse.ArgumentTypeError(f"expected 0 to {MAX_CACHE_MB} MB, not {text!r}")
    return value


def positive_count(text: str) -> int:
    """A count of things (workers, attempts): a whole number from 1 to MAX_COUNT."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_COUNT}, not {text!r}")
    return value


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, not {text!r}")
    return value


def registry_url(text: str) -> str:
    """A registry's base URL: http(s) with a host; written without its trailing slash, the
    one form every URL of the project is joined to."""
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL with a host: {text[:200]!r}")
    return parts.geturl().rstrip("/")


def listen_error(host: str, port: int, exc: OSError) -> str:
    """One line for a server that cannot listen: a busy port, an address not of this host."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot listen on {host}:{port}: {reason}"


def baseline_choice(text: str) -> str | None:
    """`--baseline`: a version, `auto`, or `none` (None)."""
    value = text.strip()
    if value == "none":
        return None
    if not value or len(value) > 128 or any(c.isspace() or not c.isprintable() for c in value):
        raise argparse.ArgumentTypeError(f"expected a version, auto or none, not {text!r:.60}")
    return value
