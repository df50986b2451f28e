"""Lint pyproject.toml files for PEP 621 mistakes."""
__version__ = "0.11.0"
