# Test package for the sandbox: three install-time behaviours the trace must show.
import os
import socket
import subprocess

from setuptools import setup

try:
    with open(os.path.expanduser("~/.ssh/id_rsa")) as key:
        key.read()
except OSError:
    pass
subprocess.run(["sh", "-c", "id"], check=False)
sock = socket.socket()
sock.settimeout(2)
try:
    sock.connect(("203.0.113.5", 443))
except OSError:
    pass
finally:
    sock.close()

setup(name="recon-pkg", version="0.1.0", packages=["recon_pkg"])
