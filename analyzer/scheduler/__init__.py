"""Scheduling analyses: a durable job queue in the database, workers, and the feed watcher."""
