"""Whether a refresh has anything to do, and for which domains: the rule that makes a refresh cost what
changed.

A refresh is skipped (the published build already is what a new one would give) only when all of:

1. the last refresh attempt published (a failed or blocked one is retried);
2. no raw row committed since the published build's snapshot (``loaded_xid``, migration 0011; every
   load writes at least one table that has it, deletions included);
3. the project is the one that built it: the same dbt project files, quality suites, migrations and
   bi-dash version (``project_digest``) and the same migration head in the database;
4. it is still the same day in the business time zone (absences become due, and freshness ages, as
   days pass).

Otherwise it builds: every domain when 1, 3 or 4 says so, else only the domains that read a raw table
with new rows (2 is asked per domain, of the raw tables its dbt sources name, since that domain's own
snapshot: ``intermediate.build_state`` has a row per domain, migration 0014). A domain not built keeps
its published build, which has seen every row of its raw tables.

``--force`` or ``--full-refresh`` always build every domain. The hourly schedule applies the same rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.publish.layers import BUILD_STATE, DOMAINS, has_domain_build_state
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


def committed_since(snapshot: sql.Composable) -> sql.Composed:
    """The raw rows committed after ``snapshot`` (a ``pg_snapshot``), as a condition on a raw table's
    ``loaded_xid``: the rule 2 above reads, written once."""
    return sql.SQL(
        "(loaded_xid >= pg_snapshot_xmin({s}::pg_snapshot)"
        " and not pg_visible_in_snapshot(loaded_xid, {s}::pg_snapshot))"
    ).format(s=snapshot)


def raw_tables_changed_since(
    conn: psycopg.Connection, snapshot: str, among: Collection[str] | None = None
) -> list[str]:
    """Raw tables (of ``among``, or all) holding a row committed after ``snapshot`` (a ``pg_snapshot``)."""
    tables = conn.execute(
        "select c.relname from pg_attribute a join pg_class c on c.oid = a.attrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'raw' and a.attname = 'loaded_xid' and c.relkind = 'r' and not a.attisdropped"
        " order by 1"
    ).fetchall()
    changed = []
    for (table,) in tables:
        if among is not None and table not in among:
            continue
        query = sql.SQL("select exists (select from {} where {})").format(
            sql.Identifier("raw", table), committed_since(sql.Placeholder("s"))
        )
        row = conn.execute(query, {"s": snapshot}).fetchone()
        if row and row[0]:
            changed.append(table)
    return changed


@dataclass(frozen=True)
class BuildPlan:
    reason: str | None  # why a refresh must build; None: the published build is what it would give
    domains: frozenset[str] | None = None  # the domains with something new; None: every domain


def plan_build(conn: psycopg.Connection, settings: Settings, this_run: str | None = None) -> BuildPlan:
    """What a refresh must build (see the module's rule). ``this_run``: the run asking, whose own attempt
    is not "the last refresh"."""
    last = conn.execute(
        "select run_id, outcome, project_digest, migration_head from audit.refresh_attempts"
        " where run_id is distinct from %s order by started_at desc limit 1",
        (this_run,),
    ).fetchone()
    if last is None:
        return BuildPlan("nothing published yet")
    run_id, outcome, digest, head = last
    if outcome != "published":
        return BuildPlan(f"the last refresh ({run_id}) ended {outcome}")
    if digest != project_digest(settings.dbt_project_dir):
        return BuildPlan("the dbt project, the quality suites or bi-dash changed since the published build")
    if head != current_migration_head(conn):
        return BuildPlan("the database was migrated since the published build")
    zone = business_time_zone(settings.dbt_project_dir)
    states = []
    if has_domain_build_state(conn, BUILD_STATE.schema):
        states = conn.execute(
            "select domain, snapshot::text, raw_tables,"
            " (recorded_at at time zone %s)::date = (now() at time zone %s)::date"
            " from intermediate.build_state order by domain",
            (zone, zone),
        ).fetchall()
    unseen = sorted(set(DOMAINS) - {state[0] for state in states})
    if unseen:
        return BuildPlan(f"the published build does not say which loads {', '.join(unseen)} has seen")
    if not all(same_day for *_, same_day in states):
        return BuildPlan(f"a new day began in {zone} since the published build")
    changed = {
        domain: raw_tables_changed_since(conn, snapshot, tables) for domain, snapshot, tables, _ in states
    }
    tables = sorted({table for names in changed.values() for table in names})
    if not tables:
        return BuildPlan(None)
    return BuildPlan(
        "new loads in " + ", ".join(f"raw.{name}" for name in tables),
        frozenset(domain for domain, names in changed.items() if names),
    )


def rows_to_check(
    conn: psycopg.Connection, settings: Settings, this_run: str | None = None
) -> tuple[dict[str, str], str | None]:
    """What a refresh's raw-input checks read: (raw table -> the condition selecting its rows committed
    since the published build of every domain that reads it, the reason every row is read instead).

    Only when the refresh builds because of new loads and nothing else (the published build passed
    every blocking check on the rows it saw, with the same checks, the same day): then a table's
    checks read its new rows (a reference check looks them up in the whole referenced table).
    Otherwise (nothing published yet, a last attempt that did not publish, another project or
    migration, a new day) the mapping is empty and every row is checked. A table no domain's build
    state names is always read whole."""
    plan = plan_build(conn, settings, this_run)
    if plan.reason is not None and plan.domains is None:
        return {}, plan.reason
    conditions: dict[str, list[str]] = {}
    for snapshot, tables in conn.execute(
        f"select snapshot::text, raw_tables from {BUILD_STATE.schema}.{BUILD_STATE.name} order by domain"
    ).fetchall():
        since = committed_since(sql.Literal(snapshot)).as_string(conn)
        for table in tables:
            conditions.setdefault(table, []).append(since)
    return {table: " or ".join(found) for table, found in conditions.items()}, None


def reason_to_build(conn: psycopg.Connection, settings: Settings) -> str | None:
    """Why a refresh must build, or None when the published build is what it would give."""
    return plan_build(conn, settings).reason


def current_migration_head(conn: psycopg.Connection) -> str | None:
    row = conn.execute(
        "select case when to_regclass('public.alembic_version') is null then null"
        " else (select string_agg(version_num, ',') from public.alembic_version) end"
    ).fetchone()
    return row[0] if row else None
