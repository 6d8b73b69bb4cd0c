import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool

from api_contracts import vocabulary
from migrations.models import metadata
from orchestration.runtime import migrate
from orchestration.runtime.database import ConnectionInfo
from orchestration.settings import Settings

pytestmark = pytest.mark.db

LAYER_SCHEMAS = {"raw", "staging", "intermediate", "marts", "api"}


def _schemas(db: ConnectionInfo) -> set[str]:
    with db.connect() as conn:
        return {row[0] for row in conn.execute("select nspname from pg_namespace")}


def test_upgrade_downgrade_upgrade_round_trip(fresh_db: ConnectionInfo, settings: Settings) -> None:
    assert migrate.current_revision(fresh_db) == migrate.head_revision()
    assert LAYER_SCHEMAS <= _schemas(fresh_db)

    migrate.downgrade(fresh_db, "base")
    assert migrate.current_revision(fresh_db) is None
    assert not LAYER_SCHEMAS & _schemas(fresh_db)

    migrate.upgrade(fresh_db, settings)
    assert migrate.current_revision(fresh_db) == migrate.head_revision()
    assert LAYER_SCHEMAS <= _schemas(fresh_db)


def test_migrated_raw_tables_match_the_sqlalchemy_models(fresh_db: ConnectionInfo) -> None:
    engine = create_engine(fresh_db.url("postgresql+psycopg"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                "include_object": lambda obj, name, type_, *_: type_ != "table" or obj.schema == "raw",
            },
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_roles_follow_least_privilege(fresh_db: ConnectionInfo) -> None:
    with fresh_db.connect() as conn:
        roles = {
            row[0]: row[1:]
            for row in conn.execute(
                "select rolname, rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole "
                "from pg_roles where rolname in "
                "('authenticator', 'transformer', 'anon', 'analyst', 'hr', 'manager', 'employee')"
            )
        }
        members = {
            row[0]
            for row in conn.execute(
                "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                "join pg_roles u on u.oid = m.member where u.rolname = 'authenticator'"
            )
        }
        api_owner = conn.execute(
            "select nspowner::regrole::text from pg_namespace where nspname = 'api'"
        ).fetchone()
        raw_create = conn.execute("select has_schema_privilege('transformer', 'raw', 'create')").fetchone()
    assert roles["authenticator"] == (True, False, False, False, False)  # LOGIN NOINHERIT
    assert roles["transformer"][0] is True and roles["transformer"][2:] == (False, False, False)
    for request_role in ("anon", "analyst", "hr", "manager", "employee"):
        assert roles[request_role][0] is False  # NOLOGIN
    assert members == {"anon", "analyst", "hr", "manager", "employee"}
    assert api_owner == ("transformer",)
    assert raw_create == (False,)  # dbt reads raw, never writes it


def test_alembic_command_line_uses_the_settings(
    fresh_db: ConnectionInfo, tmp_path, settings: Settings
) -> None:
    """`alembic current` from the repository root works against DATABASE_URL."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": str(Path(sys.executable).parent),
        "DATABASE_URL": fresh_db.url(),
        "BI_DASH_HOME": str(tmp_path),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), "current"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"{migrate.head_revision()} (head)" in result.stdout


def test_the_database_holds_the_vocabularies(fresh_db: ConnectionInfo) -> None:
    """The lists the migrations wrote into the database are api_contracts/vocabulary.py's."""

    def constraint_values(conn, table: str, name: str) -> set[str]:
        (definition,) = conn.execute(
            "select pg_get_constraintdef(oid) from pg_constraint"
            " where conrelid = %s::regclass and conname = %s",
            (table, name),
        ).fetchone()
        return set(re.findall(r"'([a-z_]+)'::text", definition))

    with fresh_db.connect() as conn:
        categories = {row[0] for row in conn.execute("select category from raw.absence_categories")}
        statuses = constraint_values(conn, "raw.olist_orders", "ck_olist_orders_order_status")
        session_roles = constraint_values(conn, "auth.users", "users_role_check")
        with_employee = constraint_values(conn, "auth.users", "users_employee_id_for_people")
        members = {
            row[0]
            for row in conn.execute(
                "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                "join pg_roles u on u.oid = m.member where u.rolname = 'authenticator'"
            )
        }
    assert categories == set(vocabulary.ABSENCE_CATEGORIES)
    assert statuses == set(vocabulary.ORDER_STATUSES)
    assert session_roles == set(vocabulary.SESSION_ROLES)
    assert with_employee == set(vocabulary.ROLES_WITH_EMPLOYEE)
    assert members == set(vocabulary.REQUEST_ROLES)
