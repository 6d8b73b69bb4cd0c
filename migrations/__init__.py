"""Alembic migrations: schemas, roles, grants and the raw operational tables."""
