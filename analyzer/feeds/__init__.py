"""Registry feeds: what was published since our persisted cursor (PyPI changelog, npm _changes)."""
