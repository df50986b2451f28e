"""A friendlier kubectl port-forward with automatic reconnects."""
__version__ = "0.3.0"
