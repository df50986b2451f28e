"""pkgsandbox: dynamic malicious-package analysis in a gVisor sandbox."""

__version__ = "0.1.0"
