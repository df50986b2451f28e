# Test package: each credential file is reached through a folder whose name would split,
# colour or end a trace line (a newline, an escape sequence, a quote, invalid UTF-8).
import os

home = os.path.expanduser("~").encode()
detours = [b".c\n", b".\x1b[2J\x1b]0;t\x07", b'.q"\\', b".\xff\xfe"]
targets = [b".aws/credentials", b".ssh/id_rsa", b".git-credentials"]
for detour in detours:
    os.makedirs(home + b"/" + detour, exist_ok=True)
    for target in targets:
        try:
            with open(home + b"/" + detour + b"/../" + target, "rb") as stolen:
                stolen.read()
        except OSError:
            pass
