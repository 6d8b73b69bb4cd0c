"""Alembic environment: one connection, given by the caller or built from the bi-dash settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from migrations.models import metadata
from orchestration.runtime.database import start_database
from orchestration.settings import get_settings

config = context.config


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Only the raw schema is modelled in SQLAlchemy; dbt owns the others.
    if type_ == "table":
        return obj.schema == "raw"
    return True


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        include_object=_include_object,
        version_table_schema="public",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        url = start_database(get_settings()).url("postgresql+psycopg")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("bi-dash migrations run online only (roles and grants depend on the server)")
run_migrations_online()
