"""Whether a refresh has anything to do: the rule that makes a refresh with nothing new cost seconds.

A refresh is skipped (the published build already is what a new one would give) only when all of:

1. the last refresh attempt published (a failed or blocked one is retried);
2. no raw row committed since the published build's snapshot (``loaded_xid``, migration 0011; every
   load writes at least one table that has it, deletions included);
3. the project is the one that built it: the same dbt project files, quality suites, migrations and
   bi-dash version (``project_digest``) and the same migration head in the database;
4. it is still the same day in the business time zone (absences become due, and freshness ages, as
   days pass).

``--force`` or ``--full-refresh`` always build. The hourly schedule applies the same rule.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.settings import Settings

# files of the dbt project that are not its definition
_IGNORED_PARTS = {"target", "logs", "dbt_packages", "__pycache__"}
_IGNORED_NAMES = {".user.yml", "package-lock.yml"}


def _version() -> str:
    try:
        return version("bi-dash")
    except PackageNotFoundError:
        return "dev"


@cache
def project_digest(dbt_project_dir: Path) -> str:
    """SHA-256 over what defines a build: the dbt project files, the quality suites, the raw tables'
    migrations and the bi-dash version."""
    digest = hashlib.sha256(_version().encode())
    suites = [
        Path(__file__).parent / "quality" / "suites.py",
        *sorted(Path(__file__).parent.glob("defs/*/checks.py")),
    ]
    migrations = sorted((Path(__file__).parents[1] / "migrations" / "versions").glob("*.py"))
    files = sorted(
        path
        for path in dbt_project_dir.rglob("*")
        if path.is_file()
        and not _IGNORED_PARTS.intersection(path.relative_to(dbt_project_dir).parts)
        and path.name not in _IGNORED_NAMES
    )
    named = [(str(p.relative_to(dbt_project_dir)), p) for p in files]
    named += [(str(p.relative_to(Path(__file__).parent)), p) for p in suites]
    named += [(f"migrations/{p.name}", p) for p in migrations]
    for name, path in named:
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def business_time_zone(dbt_project_dir: Path) -> str:
    """The dbt var ``business_time_zone`` (dbt_project.yml is where it is written)."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    project = yaml.safe_load((dbt_project_dir / "dbt_project.yml").read_text())
    return str(project["vars"]["business_time_zone"])


def raw_tables_changed_since(conn: psycopg.Connection, snapshot: str) -> list[str]:
    """Raw tables holding a row committed after ``snapshot`` (a ``pg_snapshot`` text)."""
    tables = conn.execute(
        "select c.relname from pg_attribute a join pg_class c on c.oid = a.attrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'raw' and a.attname = 'loaded_xid' and c.relkind = 'r' and not a.attisdropped"
        " order by 1"
    ).fetchall()
    changed = []
    for (table,) in tables:
        query = sql.SQL(
            "select exists (select from {} where loaded_xid >= pg_snapshot_xmin(%(s)s::pg_snapshot)"
            " and not pg_visible_in_snapshot(loaded_xid, %(s)s::pg_snapshot))"
        ).format(sql.Identifier("raw", table))
        row = conn.execute(query, {"s": snapshot}).fetchone()
        if row and row[0]:
            changed.append(table)
    return changed


def reason_to_build(conn: psycopg.Connection, settings: Settings) -> str | None:
    """Why a refresh must build, or None when the published build is what it would give."""
    last = conn.execute(
        "select run_id, outcome, project_digest, migration_head from audit.refresh_attempts"
        " order by started_at desc limit 1"
    ).fetchone()
    if last is None:
        return "nothing published yet"
    run_id, outcome, digest, head = last
    if outcome != "published":
        return f"the last refresh ({run_id}) ended {outcome}"
    if digest != project_digest(settings.dbt_project_dir):
        return "the dbt project, the quality suites or bi-dash changed since the published build"
    if head != current_migration_head(conn):
        return "the database was migrated since the published build"
    zone = business_time_zone(settings.dbt_project_dir)
    state = None
    if _build_state_exists(conn):
        state = conn.execute(
            "select snapshot::text, (recorded_at at time zone %s)::date = (now() at time zone %s)::date"
            " from intermediate.build_state",
            (zone, zone),
        ).fetchone()
    if state is None:
        return "the published build does not say which loads it has seen"
    snapshot, same_day = state
    if not same_day:
        return f"a new day began in {zone} since the published build"
    changed = raw_tables_changed_since(conn, snapshot)
    if changed:
        return "new loads in " + ", ".join(f"raw.{name}" for name in changed)
    return None


def _build_state_exists(conn: psycopg.Connection) -> bool:
    row = conn.execute("select to_regclass('intermediate.build_state') is not null").fetchone()
    return bool(row and row[0])


def current_migration_head(conn: psycopg.Connection) -> str | None:
    row = conn.execute(
        "select case when to_regclass('public.alembic_version') is null then null"
        " else (select string_agg(version_num, ',') from public.alembic_version) end"
    ).fetchone()
    return row[0] if row else None
