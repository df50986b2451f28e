# Test package: buries one credential read among a flood of failed opens and stats on
# distinct paths, each in a folder of its own. A fixed number of rounds (240,000 failed
# calls, about 90 MB of trace), not a fixed time: on a fast machine 20 s of flooding
# passed the sandbox's 256 MB trace bound, which stops the run before the read.
import os
import time

home = os.path.expanduser("~")
deadline = time.monotonic() + 20  # and at most this long on a slow one
for index in range(1, 120_001):
    if time.monotonic() > deadline:
        break
    for probe in (os.stat, open):
        try:
            probe(f"{home}/.c{index}/x{index}")
        except OSError:
            pass
with open(f"{home}/.ssh/id_rsa", "rb") as key:
    key.read()
