"""The layer schemas of a build and the catalog questions the other publish modules ask.

A published build lives in ``staging``, ``intermediate``, ``marts`` and ``api``; a build being made
in ``<layer>__next`` (the shadow); the build published before the current one in ``<layer>__old``
(kept aside: its incremental tables are the state the next build starts from).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

LAYERS = ("staging", "intermediate", "marts", "api")
# the product domains: each has a folder in every layer (dbt_project/models/<layer>/<domain>), its
# own checks and its own build state; models outside them (api.data_status) are the platform's
DOMAINS = ("customer_360", "controle_ponto")
SHADOW = "__next"
RETIRED = "__old"


def shadow(schema: str) -> str:
    return schema + SHADOW


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str

    def identifier(self, suffix: str = "") -> sql.Composable:
        return sql.Identifier(self.schema + suffix, self.name)


# which snapshot of raw each domain's incremental tables were built from (prepare.record_build): it
# travels with them, kept aside or copied, so the next build of a domain reads what committed since;
# dbt's is_new() macro reads the row of the model's domain
BUILD_STATE = Relation("intermediate", "build_state")
BUILD_STATE_COLUMNS = sql.SQL(
    "domain text primary key,"
    " read_since pg_snapshot,"  # the snapshot the state this build started from was built at (null: none)
    " snapshot pg_snapshot not null,"  # taken as this build started: every row it shows was read
    " raw_tables text[] not null,"  # the raw tables the domain reads (its dbt sources)
    " recorded_at timestamptz not null default now()"
)


def has_domain_build_state(conn: psycopg.Connection, schema: str) -> bool:
    """``schema``.build_state exists and is kept per domain (a build state from before migration 0014
    is one row for every domain: it does not say what each domain has seen)."""
    row = conn.execute(
        "select 1 from pg_attribute where attrelid = to_regclass(%s) and attname = 'domain'",
        (f'"{schema}"."{BUILD_STATE.name}"',),
    ).fetchone()
    return row is not None


def schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def relation_exists(conn: psycopg.Connection, schema: str, name: str) -> bool:
    row = conn.execute(
        "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and c.relkind in ('r', 'p')",
        (schema, name),
    ).fetchone()
    return row is not None


def copy_schema_grants(conn: psycopg.Connection, source: str, target: str) -> None:
    """Give the shadow schema the privileges the published one has (other than its owner's)."""
    grants = conn.execute(
        "select a.privilege_type, coalesce(r.rolname, 'public') from pg_namespace n"
        " cross join lateral aclexplode(n.nspacl) as a"
        " left join pg_roles r on r.oid = a.grantee"
        " where n.nspname = %s and a.grantee <> n.nspowner",
        (source,),
    ).fetchall()
    for privilege, grantee in grants:
        role = sql.SQL("public") if grantee == "public" else sql.Identifier(grantee)
        conn.execute(
            sql.SQL("grant {} on schema {} to {}").format(sql.SQL(privilege), sql.Identifier(target), role)
        )


def relations_of(conn: psycopg.Connection, schema: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm')",
        (schema,),
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def keep_only(conn: psycopg.Connection, schema: str, keep: set[str]) -> None:
    """Drop every table and view of ``schema`` except ``keep`` (views first: they depend on tables)."""
    for kind in ("v", "m", "r", "p"):
        for name, relkind in relations_of(conn, schema):
            if relkind != kind or name in keep:
                continue
            statement = {"v": "drop view", "m": "drop materialized view"}.get(kind, "drop table")
            conn.execute(sql.SQL(statement + " if exists {} cascade").format(sql.Identifier(schema, name)))
