"""Alembic environment: runs on the connection `Database.migrate()` hands over.

New revisions are written by hand under versions/ (`down_revision` = the previous one);
tests/store checks that the migrated schema matches `analyzer.store.schema`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from analyzer.store.location import resolve_url
from analyzer.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # Run from the alembic command line: the same URL choice as the watcher.
    with create_engine(resolve_url()).begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=Base.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
