"""Schemas of the layers and the roles of the architecture.

Roles are cluster-wide: they are created only when missing, and dropped on downgrade only when
nothing in another database still depends on them.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> attributes. authenticator switches to the request roles; transformer owns dbt's objects.
ROLES = {
    "authenticator": "LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE",
    "transformer": "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
    "anon": "NOLOGIN",
    "analyst": "NOLOGIN",
    "hr": "NOLOGIN",
    "manager": "NOLOGIN",
    "employee": "NOLOGIN",
}
REQUEST_ROLES = ("anon", "analyst", "hr", "manager", "employee")
DBT_SCHEMAS = ("staging", "intermediate", "marts", "api")


def upgrade() -> None:
    for role, attributes in ROLES.items():
        op.execute(
            f"""
            do $$ begin
              if not exists (select from pg_roles where rolname = '{role}') then
                create role {role} {attributes};
              else
                alter role {role} {attributes};
              end if;
            end $$
            """
        )
    for role in REQUEST_ROLES:
        op.execute(f"grant {role} to authenticator")
    # transformer must be able to hand objects to itself when dbt rebuilds them.
    op.execute("grant transformer to current_user")

    op.execute("create schema raw")
    op.execute("comment on schema raw is 'Operational input owned by Alembic; loaders write here'")
    for schema in DBT_SCHEMAS:
        op.execute(f"create schema {schema} authorization transformer")
    op.execute("comment on schema api is 'The only schema PostgREST exposes: views and functions'")

    op.execute("grant usage on schema raw to transformer")
    op.execute("alter default privileges in schema raw grant select on tables to transformer")
    op.execute(f"grant usage on schema api to {', '.join(REQUEST_ROLES)}")
    op.execute("revoke create on schema public from public")
    # Functions are not executable by PUBLIC unless granted explicitly.
    op.execute("alter default privileges revoke execute on functions from public")
    op.execute("alter default privileges for role transformer revoke execute on functions from public")


def downgrade() -> None:
    for schema in (*reversed(DBT_SCHEMAS), "raw"):
        op.execute(f"drop schema if exists {schema} cascade")
    op.execute("alter default privileges for role transformer grant execute on functions to public")
    op.execute("alter default privileges grant execute on functions to public")
    for role in reversed(list(ROLES)):
        op.execute(
            f"""
            do $$ begin
              if exists (select from pg_roles where rolname = '{role}') then
                execute 'drop owned by {role}';
                begin
                  execute 'drop role {role}';
                exception when dependent_objects_still_exist then
                  raise notice 'role {role} kept: objects in other databases depend on it';
                end;
              end if;
            end $$
            """
        )
