"""Where the watcher's state lives: releases, jobs, results and feed cursors (SQLAlchemy 2)."""
