"""Measure DNS resolver latency."""
import socket
import time

__version__ = "0.6.0"


def probe(name="example.org"):
    start = time.perf_counter()
    try:
        socket.getaddrinfo(name, 443)
    except OSError:
        return None
    return time.perf_counter() - start
