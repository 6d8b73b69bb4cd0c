"""Write-audit-publish: build beside the served data, check it there, publish it in one transaction.

A refresh builds every dbt layer into shadow schemas (``staging__next`` … ``api__next``) while the API
keeps reading ``api`` → ``marts``. Incremental tables are copied into the shadow first, so the build
stays incremental. When every blocking check passed, :func:`publish` swaps the layers in a single
transaction: the layer schemas are renamed (``marts`` → ``marts__old``, ``marts__next`` → ``marts``) and
the api views move into ``api`` (which also holds the Alembic-owned RPC functions, so it is never
renamed). Views and policies are bound to tables by OID, so the published views read the new tables; a
reader sees the old build or the new one, never a mix. ``NOTIFY pgrst`` is sent by the same transaction.

Every attempt, check result and publication is recorded in the ``audit`` schema, which ``api.data_status``
shows to dashboards. Everything here runs as ``transformer`` (never a superuser).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

LAYERS = ("staging", "intermediate", "marts", "api")
SHADOW = "__next"
RETIRED = "__old"
PUBLISH_LOCK_TIMEOUT = "30s"
# one refresh at a time per database (two would build into the same shadow schemas)
REFRESH_LOCK_KEY = 0x62692D64  # "bi-d"
# held by `bi-dash refresh` for its whole run (the build lock above is the dbt step's only)
RUNNER_LOCK_KEY = REFRESH_LOCK_KEY + 1


def shadow(schema: str) -> str:
    return schema + SHADOW


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str

    def identifier(self, suffix: str = "") -> sql.Composable:
        return sql.Identifier(self.schema + suffix, self.name)


# which snapshot of raw the incremental tables of a build were built from (dbt macro record_build_state):
# it travels with them, kept aside or copied, so the next build reads what committed since
BUILD_STATE = Relation("intermediate", "build_state")


@dataclass(frozen=True)
class CheckOutcome:
    """One evaluated check, as recorded in ``audit.check_results``."""

    asset: str  # Dagster asset key as a path, e.g. raw/olist_orders
    check_name: str
    domain: str
    source: str  # dbt | great_expectations
    severity: str  # error | warn
    passed: bool
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.asset}:{self.check_name}"


@dataclass(frozen=True)
class PublishSummary:
    resources: dict[str, int]  # api view -> rows


# --- the audit trail ------------------------------------------------------------------------------
def begin_attempt(
    conn: psycopg.Connection, run_id: str, full_refresh: bool | None = None, project_digest: str | None = None
) -> None:
    """Record the attempt (idempotent: every step of the run calls it; the first one creates it), with
    what defines its build: the project digest and the migration head (orchestration/change_detection)."""
    conn.execute(
        "insert into audit.refresh_attempts (run_id, full_refresh, project_digest, migration_head)"
        " values (%(run)s, coalesce(%(full)s, false), %(digest)s,"
        " (select string_agg(version_num, ',') from public.alembic_version))"
        " on conflict (run_id) do update"
        " set full_refresh = coalesce(%(full)s, audit.refresh_attempts.full_refresh),"
        " project_digest = coalesce(%(digest)s, audit.refresh_attempts.project_digest)",
        {"run": run_id, "full": full_refresh, "digest": project_digest},
    )


def finish_attempt(conn: psycopg.Connection, run_id: str, outcome: str, message: str | None = None) -> None:
    conn.execute(
        "update audit.refresh_attempts set outcome = %s, finished_at = now(), message = %s where run_id = %s",
        (outcome, message, run_id),
    )


@contextmanager
def failing_marks_attempt(conn: psycopg.Connection, run_id: str) -> Iterator[None]:
    """An unexpected error in a step marks the attempt failed (unless a step already said why)."""
    try:
        yield
    except BaseException as error:
        conn.execute(
            "update audit.refresh_attempts set outcome = 'failed', finished_at = now(), message = %s"
            " where run_id = %s and outcome = 'running'",
            (f"{type(error).__name__}: {error}"[:1000], run_id),
        )
        raise


def record_checks(conn: psycopg.Connection, run_id: str, outcomes: Iterable[CheckOutcome]) -> None:
    rows = [
        (
            run_id,
            item.asset,
            item.check_name,
            item.domain,
            item.source,
            item.severity,
            item.passed,
            json.dumps(item.summary, default=str),
        )
        for item in outcomes
    ]
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.check_results"
            " (run_id, asset, check_name, domain, source, severity, passed, summary)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (run_id, asset, check_name) do update set passed = excluded.passed,"
            " severity = excluded.severity, summary = excluded.summary, evaluated_at = now()",
            rows,
        )


def failed_checks(conn: psycopg.Connection, run_id: str, severity: str = "error") -> list[str]:
    rows = conn.execute(
        "select asset || ':' || check_name from audit.check_results"
        " where run_id = %s and not passed and severity = %s order by 1",
        (run_id, severity),
    ).fetchall()
    return [row[0] for row in rows]


def failed_checks_by_domain(conn: psycopg.Connection, run_id: str) -> dict[str, list[str]]:
    """Failing blocking checks of a run, per domain."""
    failing: dict[str, list[str]] = {}
    for domain, label in conn.execute(
        "select domain, asset || ':' || check_name from audit.check_results"
        " where run_id = %s and not passed and severity = 'error' order by 1, 2",
        (run_id,),
    ).fetchall():
        failing.setdefault(domain, []).append(label)
    return failing


def attempt_outcome(conn: psycopg.Connection, run_id: str) -> tuple[str, str | None] | None:
    row = conn.execute(
        "select outcome, message from audit.refresh_attempts where run_id = %s", (run_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def published_row_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows of each api resource in the build the API serves now (row-count anomaly baseline)."""
    rows = conn.execute("select resource, row_count from audit.published_resources").fetchall()
    return {resource: int(count) for resource, count in rows}


def latest_attempt(conn: psycopg.Connection) -> tuple[str, str, str] | None:
    """(run_id, outcome, started_at) of the newest refresh attempt."""
    row = conn.execute(
        "select run_id, outcome, started_at::text from audit.refresh_attempts"
        " order by started_at desc limit 1"
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def last_published_at(conn: psycopg.Connection) -> str | None:
    row = conn.execute("select max(published_at)::text from audit.published_resources").fetchone()
    return row[0] if row else None


def changed_models(conn: psycopg.Connection, fingerprints: Mapping[str, str]) -> list[str]:
    """Incremental models whose definition differs from the published build's (an upgrade changed
    them): their saved state no longer fits, so the next build starts from scratch. Nothing published
    yet (or a database from before this bookkeeping, whose tables exist): every model that has a table."""
    published: dict[str, str] = dict(
        conn.execute("select model, fingerprint from audit.published_models").fetchall()
    )
    changed = []
    for model, fingerprint in sorted(fingerprints.items()):
        schema, _, name = model.partition(".")
        if published.get(model) != fingerprint and _relation_exists(conn, schema, name):
            changed.append(model)
    return changed


def record_models(
    conn: psycopg.Connection, fingerprints: Mapping[str, str], replace_all: bool = True
) -> None:
    if replace_all:
        conn.execute("delete from audit.published_models")
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.published_models (model, fingerprint) values (%s, %s)"
            " on conflict (model) do update set fingerprint = excluded.fingerprint",
            sorted(fingerprints.items()),
        )


# --- write: the shadow build ----------------------------------------------------------------------
def acquire_refresh_lock(conn: psycopg.Connection) -> bool:
    """Session advisory lock held while a refresh builds and publishes (released on disconnect)."""
    row = conn.execute("select pg_try_advisory_lock(%s)", (REFRESH_LOCK_KEY,)).fetchone()
    return bool(row and row[0])


def release_refresh_lock(conn: psycopg.Connection) -> None:
    conn.execute("select pg_advisory_unlock(%s)", (REFRESH_LOCK_KEY,))


def drop_shadow(conn: psycopg.Connection) -> None:
    """Drop a shadow build left behind (a refresh that died): the caller holds the refresh lock."""
    for layer in LAYERS:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(shadow(layer))))


def _schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def _relation_exists(conn: psycopg.Connection, schema: str, name: str) -> bool:
    row = conn.execute(
        "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and c.relkind in ('r', 'p')",
        (schema, name),
    ).fetchone()
    return row is not None


def _copy_schema_grants(conn: psycopg.Connection, source: str, target: str) -> None:
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


@dataclass(frozen=True)
class ShadowState:
    """Where the incremental state of a shadow build came from."""

    reused: tuple[str, ...] = ()  # kept from the previous build (retired at the last publish): no copy
    copied: tuple[str, ...] = ()  # copied from the published build (first refresh, or after a failure)


def _relations_of(conn: psycopg.Connection, schema: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm')",
        (schema,),
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def _keep_only(conn: psycopg.Connection, schema: str, keep: set[str]) -> None:
    """Drop every table and view of ``schema`` except ``keep`` (views first: they depend on tables)."""
    for kind in ("v", "m", "r", "p"):
        for name, relkind in _relations_of(conn, schema):
            if relkind != kind or name in keep:
                continue
            statement = {"v": "drop view", "m": "drop materialized view"}.get(kind, "drop table")
            conn.execute(sql.SQL(statement + " if exists {} cascade").format(sql.Identifier(schema, name)))


def prepare_shadow(
    conn: psycopg.Connection, incremental: Sequence[Relation], full_refresh: bool, run_id: str = ""
) -> ShadowState:
    """``<layer>__next`` schemas for a new build, holding the incremental state to build on.

    The state is the previous build's incremental tables, kept aside at the last publish: the
    incremental models catch up from their own watermarks, so building on a build one step older
    than the published one costs no copy. Without them (first refresh, or the refresh after a failed
    one, which consumed them) the published tables are copied. ``full_refresh``: empty schemas.
    A failed earlier build left in the shadow schemas is dropped here.
    """
    reused: list[str] = []
    copied: list[str] = []
    with conn.transaction():
        for layer in LAYERS:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(shadow(layer))))
            retired = layer + RETIRED
            if _schema_exists(conn, retired) and not full_refresh:
                conn.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(retired), sql.Identifier(shadow(layer))
                    )
                )
                continue
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(shadow(layer))))
            if _schema_exists(conn, layer):
                _copy_schema_grants(conn, layer, shadow(layer))
        # which run this shadow build belongs to: only that run may publish it
        conn.execute(
            sql.SQL("comment on schema {} is {}").format(sql.Identifier(shadow("api")), sql.Literal(run_id))
        )
        if full_refresh:
            return ShadowState()
        for relation in (*incremental, BUILD_STATE):
            if _relation_exists(conn, shadow(relation.schema), relation.name):
                reused.append(f"{relation.schema}.{relation.name}")
                continue
            if not _relation_exists(conn, relation.schema, relation.name):
                continue
            conn.execute(
                sql.SQL("create table {} (like {} including all)").format(
                    relation.identifier(SHADOW), relation.identifier()
                )
            )
            conn.execute(
                sql.SQL("insert into {} select * from {}").format(
                    relation.identifier(SHADOW), relation.identifier()
                )
            )
            copied.append(f"{relation.schema}.{relation.name}")
    return ShadowState(reused=tuple(reused), copied=tuple(copied))


# --- publish ------------------------------------------------------------------------------------
def _shadow_views(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('v', 'm') order by 1",
        (shadow("api"),),
    ).fetchall()
    return [row[0] for row in rows]


def publish(
    conn: psycopg.Connection,
    run_id: str,
    domains: Mapping[str, str],
    incremental: Sequence[Relation] = (),
    fingerprints: Mapping[str, str] | None = None,
    only: PartialPublish | None = None,
) -> PublishSummary:
    """Swap the shadow build in, in one transaction; then trim the retired build to ``incremental``.

    ``domains`` maps each api view to its domain (for ``audit.published_resources``). ``only``: publish
    the relations of these domains and leave the others' published relations as they are (a domain
    whose checks failed never holds back another: :func:`_publish_domains`).
    """
    owner = conn.execute(
        "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = %s", (shadow("api"),)
    ).fetchone()
    if owner is None or owner[0] != run_id:
        raise RuntimeError(
            f"the shadow build belongs to {owner[0] if owner else 'no run'}, not to run {run_id}:"
            " another refresh started meanwhile; nothing published"
        )
    views = [view for view in _shadow_views(conn) if only is None or domains.get(view) in only.domains]
    expected = {view for view, domain in domains.items() if only is None or domain in only.domains}
    missing = sorted(expected - set(views))
    if missing:
        raise RuntimeError(f"the shadow build lacks api views {', '.join(missing)}: nothing published")
    counts = {
        view: int(
            conn.execute(  # type: ignore[index]
                sql.SQL("select count(*) from {}").format(sql.Identifier(shadow("api"), view))
            ).fetchone()[0]
        )
        for view in views
    }
    with conn.transaction():
        conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(PUBLISH_LOCK_TIMEOUT)))
        if only is None:
            _swap_layers(conn)
        else:
            _publish_domains(conn, only)
        for view in views:
            conn.execute(sql.SQL("drop view if exists {}").format(sql.Identifier("api", view)))
            conn.execute(sql.SQL("alter view {} set schema api").format(sql.Identifier(shadow("api"), view)))
        # what is left (views of domains not published) goes with its schema
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(shadow("api"))))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.published_resources (resource, domain, published_at, run_id, row_count)"
                " values (%s, %s, now(), %s, %s)"
                " on conflict (resource) do update set domain = excluded.domain,"
                " published_at = excluded.published_at, run_id = excluded.run_id,"
                " row_count = excluded.row_count",
                [(view, domains.get(view, "platform"), run_id, count) for view, count in counts.items()],
            )
        if fingerprints is not None:
            if only is None:
                record_models(conn, fingerprints)
            else:  # the models of the domains not published keep the fingerprint of what is served
                record_models(
                    conn,
                    {model: value for model, value in fingerprints.items() if only.publishes(model)},
                    replace_all=False,
                )
        if only is None:
            finish_attempt(conn, run_id, "published")
        else:
            finish_attempt(conn, run_id, "partial", only.message)
        conn.execute("notify pgrst, 'reload schema'")
    # The retired build (readers that started before the swap finish on it first: their locks):
    # only its incremental tables are kept, as the state the next shadow build starts from; not after
    # a full refresh, whose reason (a purge, a changed model) the older state would undo.
    rebuilt = conn.execute(
        "select full_refresh from audit.refresh_attempts where run_id = %s", (run_id,)
    ).fetchone()
    if rebuilt and rebuilt[0]:
        incremental = ()
    with conn.transaction():
        for layer in LAYERS[:-1]:
            kept = (*incremental, BUILD_STATE) if incremental else ()
            keep = {relation.name for relation in kept if relation.schema == layer}
            if keep and _schema_exists(conn, layer + RETIRED):
                _keep_only(conn, layer + RETIRED, keep)
            else:
                conn.execute(
                    sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(layer + RETIRED))
                )
            # a partial publish leaves the shadow relations of the domains it did not publish
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(shadow(layer))))
    return PublishSummary(resources=counts)


@dataclass(frozen=True)
class PartialPublish:
    """The domains a publish moves in, and which domain each (layer schema, relation) belongs to."""

    domains: frozenset[str]
    relation_domains: Mapping[tuple[str, str], str]
    message: str = ""

    def publishes(self, model: str) -> bool:
        """``model`` as ``schema.name`` (the fingerprints' key)."""
        schema, _, name = model.partition(".")
        return self.relation_domains.get((schema, name)) in self.domains


def _swap_layers(conn: psycopg.Connection) -> None:
    """Every domain: the layer schemas are renamed (published → retired, shadow → published)."""
    for layer in LAYERS[:-1]:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(layer + RETIRED)))
        if _schema_exists(conn, layer):
            conn.execute(
                sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(layer), sql.Identifier(layer + RETIRED)
                )
            )
        conn.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(shadow(layer)), sql.Identifier(layer)
            )
        )


_ALTER = {"v": "alter view", "m": "alter materialized view", "r": "alter table", "p": "alter table"}


def _publish_domains(conn: psycopg.Connection, only: PartialPublish) -> None:
    """Some domains: their relations move one by one (published → retired, shadow → published); the
    other domains' published relations stay. Models never read across domains (the dbt project's
    test pins it), so each domain's relations move or stay together.

    The retired schemas get a copy of the published build state, the oldest snapshot any published
    table was built at: the next build reads what committed since, enough for every domain."""
    for layer in LAYERS[:-1]:
        retired = layer + RETIRED
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(retired)))
        if _schema_exists(conn, layer):  # readers that started before the publish finish on it
            _copy_schema_grants(conn, layer, retired)
        else:
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(layer)))
            _copy_schema_grants(conn, shadow(layer), layer)
        published = dict(_relations_of(conn, layer))
        for name, kind in _relations_of(conn, shadow(layer)):
            if only.relation_domains.get((layer, name)) not in only.domains:
                continue
            alter = sql.SQL(_ALTER[kind])
            if name in published:
                conn.execute(
                    sql.SQL("{} {} set schema {}").format(
                        sql.SQL(_ALTER[published[name]]), sql.Identifier(layer, name), sql.Identifier(retired)
                    )
                )
            conn.execute(
                sql.SQL("{} {} set schema {}").format(
                    alter, sql.Identifier(shadow(layer), name), sql.Identifier(layer)
                )
            )
    if _relation_exists(conn, BUILD_STATE.schema, BUILD_STATE.name):
        # with its defaults (create table … as would drop them)
        retired_state, published_state = BUILD_STATE.identifier(RETIRED), BUILD_STATE.identifier()
        conn.execute(
            sql.SQL("create table {} (like {} including all)").format(retired_state, published_state)
        )
        conn.execute(sql.SQL("insert into {} table {}").format(retired_state, published_state))
