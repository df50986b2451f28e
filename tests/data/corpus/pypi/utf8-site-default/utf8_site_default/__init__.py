"""PEP 686 backport: UTF-8 mode on by default."""
import sys

__version__ = "1.0.4"


def enabled():
    return bool(getattr(sys.flags, "utf8_mode", 0))
