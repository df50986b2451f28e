"""Vendored third-party code. Do not edit: refreshed by tools/vendor.py."""
