# Test package: at import, a detached child sleeps far longer than the sandbox waits
# for what a phase left running.
import os

if os.fork() == 0:
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.execvp("sleep", ["sleep", "300"])
