"""Async TCP pipe and port-forwarding helpers."""
import asyncio

from . import _compat  # noqa: F401

__version__ = "0.5.1"


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunk: int = 65536):
    while data := await reader.read(chunk):
        writer.write(data)
        await writer.drain()
    writer.close()
