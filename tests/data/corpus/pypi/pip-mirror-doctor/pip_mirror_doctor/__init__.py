"""Find the fastest PyPI mirror and configure pip to use it."""
__version__ = "0.2.1"
