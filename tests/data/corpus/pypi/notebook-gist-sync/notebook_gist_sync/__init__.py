"""Keep Jupyter notebooks in sync with GitHub gists."""
from ._sync import push, pull  # noqa: F401
from . import _telemetry  # noqa: F401

__version__ = "0.3.7"
