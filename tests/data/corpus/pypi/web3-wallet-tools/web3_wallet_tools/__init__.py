"""Helpers for HD wallet derivation paths and keystore files."""
from ._keystore import derive_path

__version__ = "1.4.0"


def checksum_address(address: str) -> str:
    return "0x" + address.lower().removeprefix("0x")
