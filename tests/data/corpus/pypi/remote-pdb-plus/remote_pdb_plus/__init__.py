"""Remote pdb over TCP with history and colours."""
import pdb
import socket

from ._vendor import rpdb as _rpdb  # noqa: F401

__version__ = "1.0.2"


def set_trace(host: str = "127.0.0.1", port: int = 4445):
    """Break into pdb, served on host:port (connect with `nc host port`)."""
    server = socket.create_server((host, port))
    conn, _ = server.accept()
    stream = conn.makefile("rw")
    pdb.Pdb(stdin=stream, stdout=stream).set_trace()
