"""Alembic migrations of the store; `Database.migrate()` runs them to head at start-up."""
