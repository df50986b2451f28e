# Test package: at import, a detached child waits 2 s, then writes a file and looks up a
# name, after the import phase's own process has exited, as delayed droppers do.
import os
import socket
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:  # the grandchild, adopted by PID 1 when its parent exits
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        time.sleep(2)
        with open("/tmp/late-straggler-ran", "w") as f:
            f.write("ran\n")
        try:
            socket.getaddrinfo("late.straggler.example", 80)
        except OSError:
            pass
    os._exit(0)
