"""Finding the run's honeytoken canaries in what left the package: proof of theft.

Stealers rarely send a secret as-is: they base64 or hex it, URL-encode a form, or
split it into DNS labels. Each payload is searched raw and in those decodings.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Iterator, Sequence

from analyzer.baits import Canary
from analyzer.models import Leak, PhaseTrace

_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_RUN = re.compile(rb"(?:[0-9a-fA-F]{2}){8,}")
_BASE32_RUN = re.compile(rb"[A-Z2-7]{16,}=*")
MAX_SCAN = 4 * 2**20


def _decodings(data: bytes) -> Iterator[bytes]:
    data = data[:MAX_SCAN]
    yield data
    unquoted = urllib.parse.unquote_to_bytes(data.replace(b"+", b" "))
    if unquoted != data:
        yield unquoted
    for source in (data, unquoted):
        for run in _BASE64_RUN.findall(source):
            # `/` is base64, but in a URL it also separates the path segment that holds
            # the secret (`/hacked/<base64>`) from the ones before it.
            pieces = [run, *(p for p in run.split(b"/") if len(p) >= 16)] if b"/" in run \
                else [run]
            for piece in pieces:
                yield from _base64_decodings(piece)
        for run in _HEX_RUN.findall(source):
            yield binascii.unhexlify(run)


def _base64_decodings(run: bytes) -> Iterator[bytes]:
    padded = run + b"=" * (-len(run) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            yield decode(padded)
        except (binascii.Error, ValueError):
            continue


def _dns_decodings(name: str) -> Iterator[bytes]:
    """Labels joined (a secret split across labels), then decoded as hex, base32 or base64."""
    labels = [label for label in name.rstrip(".").split(".") if label]
    joined = "".join(labels[:-2] if len(labels) > 2 else labels).encode()
    yield name.encode()
    yield joined
    yield from _decodings(joined)
    for run in _BASE32_RUN.findall(joined.upper()):
        try:
            yield base64.b32decode(run + b"=" * (-len(run) % 8))
        except (binascii.Error, ValueError):
            continue


def _found(candidates: Iterator[bytes], canaries: Sequence[Canary]) -> list[Canary]:
    hits: dict[str, Canary] = {}
    needles = [(c, c.value.encode()) for c in canaries]
    for candidate in candidates:
        for canary, needle in needles:
            if canary.token not in hits and needle in candidate:
                hits[canary.token] = canary
    return list(hits.values())


def find_leaks(trace: PhaseTrace, canaries: Sequence[Canary]) -> tuple[Leak, ...]:
    """Every canary seen in this phase's HTTP, DNS, TLS, raw streams or command lines."""
    leaks: list[Leak] = []
    network = trace.network
    for request in network.http:
        payload = "\n".join([request.url, *(f"{k}: {v}" for k, v in request.headers),
                             request.body]).encode("utf-8", "replace")
        for canary in _found(_decodings(payload), canaries):
            leaks.append(Leak(canary.token, "http", f"{request.method} {request.url}", None))
    for query in network.dns:
        for canary in _found(_dns_decodings(query.name), canaries):
            leaks.append(Leak(canary.token, "dns", query.name, query.pid))
    for hello in network.tls:
        if hello.sni:
            for canary in _found(_dns_decodings(hello.sni), canaries):
                leaks.append(Leak(canary.token, "tls", hello.sni, None))
    for stream in network.streams:
        for canary in _found(_decodings(stream.data.encode("latin-1")), canaries):
            leaks.append(Leak(canary.token, "tcp", f"port {stream.port}", None))
    for process in trace.processes:
        command = " ".join(process.argv)
        for canary in _found(_decodings(command.encode("utf-8", "replace")), canaries):
            leaks.append(Leak(canary.token, "argv", command[:300], process.pid))
    return tuple(_unique(leaks))


def _unique(leaks: list[Leak]) -> Iterator[Leak]:
    seen: set[tuple[str, str, str]] = set()
    for leak in leaks:
        key = (leak.token, leak.channel, leak.destination)
        if key not in seen:
            seen.add(key)
            yield leak
