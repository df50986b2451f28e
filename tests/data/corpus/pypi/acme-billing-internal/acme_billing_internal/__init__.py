"""Placeholder for a private package name."""
