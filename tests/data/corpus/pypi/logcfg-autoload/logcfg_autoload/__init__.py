"""Configure the logging module from LOGCFG_* environment variables at interpreter start."""
import logging
import os

__version__ = "0.1.3"


def configure(level: str = None, fmt: str = None):
    logging.basicConfig(level=(level or os.environ.get("LOGCFG_LEVEL", "INFO")).upper(),
                        format=fmt or os.environ.get("LOGCFG_FORMAT", "%(levelname)s %(name)s: %(message)s"))
