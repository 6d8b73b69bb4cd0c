"""Publish: the checked shadow build swapped in, in one transaction, and the retired build trimmed to
the state the next build starts from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from orchestration.publish.audit import finish_attempt, record_models
from orchestration.publish.layers import (
    BUILD_STATE,
    LAYERS,
    RETIRED,
    SHADOW,
    Relation,
    copy_schema_grants,
    has_domain_build_state,
    keep_only,
    relations_of,
    schema_exists,
    shadow,
)

PUBLISH_LOCK_TIMEOUT = "30s"


@dataclass(frozen=True)
class PublishSummary:
    resources: dict[str, int]  # api view -> rows


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
        if only is not None and only.not_built:
            # nothing new for these domains: their published build is what a rebuild would give, so this
            # refresh confirms it (dashboards see it as current, not as left behind)
            conn.execute(
                "update audit.published_resources set published_at = now(), run_id = %s"
                " where domain = any(%s)",
                (run_id, sorted(only.not_built)),
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
        if only is None or not only.message:
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
            if keep and schema_exists(conn, layer + RETIRED):
                keep_only(conn, layer + RETIRED, keep)
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
    # why domains this run built were held back (their failing checks); empty: none was, the run published
    message: str = ""
    # domains this run did not build (nothing new for them): their state in the shadow is kept aside
    not_built: frozenset[str] = frozenset()

    def publishes(self, model: str) -> bool:
        """``model`` as ``schema.name`` (the fingerprints' key)."""
        schema, _, name = model.partition(".")
        return self.relation_domains.get((schema, name)) in self.domains


def _swap_layers(conn: psycopg.Connection) -> None:
    """Every domain: the layer schemas are renamed (published → retired, shadow → published)."""
    for layer in LAYERS[:-1]:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(layer + RETIRED)))
        if schema_exists(conn, layer):
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

    The incremental tables of the domains this run did not build are kept aside as they were (the
    state their next build starts from); those of a domain held back by its checks are dropped (its
    next build copies the published ones). The build state follows the tables (:func:`_move_build_state`).
    """
    for layer in LAYERS[:-1]:
        retired = layer + RETIRED
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(retired)))
        if schema_exists(conn, layer):  # readers that started before the publish finish on it
            copy_schema_grants(conn, layer, retired)
        else:
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(layer)))
            copy_schema_grants(conn, shadow(layer), layer)
        published = dict(relations_of(conn, layer))
        for name, kind in relations_of(conn, shadow(layer)):
            domain = only.relation_domains.get((layer, name))
            if domain in only.not_built:
                conn.execute(
                    sql.SQL("{} {} set schema {}").format(
                        sql.SQL(_ALTER[kind]), sql.Identifier(shadow(layer), name), sql.Identifier(retired)
                    )
                )
            if domain not in only.domains:
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
    _move_build_state(conn, only)


def _move_build_state(conn: psycopg.Connection, only: PartialPublish) -> None:
    """Each domain's row of the build state goes where its tables went: the shadow's row of a published
    domain is published (its previous one is retired with its previous tables); the shadow's row of a
    domain not built is retired with its kept-aside tables; a held-back domain keeps its published row,
    and the retired schema gets a copy (its next build copies the published tables)."""
    if not has_domain_build_state(conn, shadow(BUILD_STATE.schema)):
        return
    built, published, retired = (BUILD_STATE.identifier(suffix) for suffix in (SHADOW, "", RETIRED))
    conn.execute(sql.SQL("create table {} (like {} including all)").format(retired, built))
    if has_domain_build_state(conn, BUILD_STATE.schema):
        conn.execute(
            sql.SQL("insert into {} select * from {} where domain <> all(%s)").format(retired, published),
            (sorted(only.not_built),),
        )
    else:  # none yet, or one from before migration 0014
        conn.execute(sql.SQL("drop table if exists {}").format(published))
        conn.execute(sql.SQL("create table {} (like {} including all)").format(published, built))
    conn.execute(
        sql.SQL("insert into {} select * from {} where domain = any(%s)").format(retired, built),
        (sorted(only.not_built),),
    )
    conn.execute(sql.SQL("delete from {} where domain = any(%s)").format(published), (sorted(only.domains),))
    conn.execute(
        sql.SQL("insert into {} select * from {} where domain = any(%s)").format(published, built),
        (sorted(only.domains),),
    )
