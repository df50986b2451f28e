"""Baselines: a release compared with its previous release (takeover detection)."""
