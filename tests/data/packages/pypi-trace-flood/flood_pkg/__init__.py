# Test package: buries one credential read among a flood of failed opens and stats on
# distinct paths, each in a folder of its own, for a fixed time.
import os
import time

home = os.path.expanduser("~")
deadline = time.monotonic() + 20
index = 0
while time.monotonic() < deadline:
    index += 1
    for probe in (os.stat, open):
        try:
            probe(f"{home}/.c{index}/x{index}")
        except OSError:
            pass
with open(f"{home}/.ssh/id_rsa", "rb") as key:
    key.read()
