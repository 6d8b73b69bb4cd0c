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
    Relation,
    copy_schema_grants,
    keep_only,
    relation_exists,
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
    message: str = ""

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

    The retired schemas get a copy of the published build state, the oldest snapshot any published
    table was built at: the next build reads what committed since, enough for every domain."""
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
    if relation_exists(conn, BUILD_STATE.schema, BUILD_STATE.name):
        # with its defaults (create table … as would drop them)
        retired_state, published_state = BUILD_STATE.identifier(RETIRED), BUILD_STATE.identifier()
        conn.execute(
            sql.SQL("create table {} (like {} including all)").format(retired_state, published_state)
        )
        conn.execute(sql.SQL("insert into {} table {}").format(retired_state, published_state))
