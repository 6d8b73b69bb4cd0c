"""Write: the shadow schemas a build goes into, with the incremental state it starts from, and the
lock that keeps one refresh at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from orchestration.publish.layers import (
    BUILD_STATE,
    BUILD_STATE_COLUMNS,
    LAYERS,
    RETIRED,
    SHADOW,
    Relation,
    copy_schema_grants,
    has_domain_build_state,
    relation_exists,
    relations_of,
    schema_exists,
    shadow,
)

# one refresh at a time per database (two would build into the same shadow schemas)
REFRESH_LOCK_KEY = 0x62692D64  # "bi-d"
# held by `bi-dash refresh` for its whole run (the build lock above is the dbt step's only)
RUNNER_LOCK_KEY = REFRESH_LOCK_KEY + 1


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


@dataclass(frozen=True)
class ShadowState:
    """Where the incremental state of a shadow build came from."""

    reused: tuple[str, ...] = ()  # kept from the previous build (retired at the last publish): no copy
    copied: tuple[str, ...] = ()  # copied from the published build (first refresh, or after a failure)


def prepare_shadow(
    conn: psycopg.Connection,
    incremental: Sequence[Relation],
    full_refresh: bool,
    run_id: str = "",
    building: Mapping[str, Sequence[str]] | None = None,
) -> ShadowState:
    """``<layer>__next`` schemas for a new build, holding the incremental state to build on.

    The state is the previous build's incremental tables, kept aside at the last publish: the
    incremental models catch up from their own watermarks, so building on a build one step older
    than the published one costs no copy. Without them (first refresh, or the refresh after a failed
    one, which consumed them) the published tables are copied. ``full_refresh``: empty schemas.
    A failed earlier build left in the shadow schemas is dropped here.

    ``incremental``: the incremental tables of the domains this build rebuilds (a domain not rebuilt
    needs no copy). ``building``: those domains, each with the raw tables it reads; their rows of the
    build state record what this build reads (:func:`record_build`).
    """
    reused: list[str] = []
    copied: list[str] = []
    with conn.transaction():
        for layer in LAYERS:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(shadow(layer))))
            retired = layer + RETIRED
            if schema_exists(conn, retired) and not full_refresh:
                conn.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(retired), sql.Identifier(shadow(layer))
                    )
                )
                continue
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(shadow(layer))))
            if schema_exists(conn, layer):
                copy_schema_grants(conn, layer, shadow(layer))
        # which run this shadow build belongs to: only that run may publish it
        conn.execute(
            sql.SQL("comment on schema {} is {}").format(sql.Identifier(shadow("api")), sql.Literal(run_id))
        )
        # tables of an older build kept aside (before any copy of the published ones)
        kept = any(kind in ("r", "p") for layer in LAYERS for _, kind in relations_of(conn, shadow(layer)))
        if not full_refresh:
            for relation in incremental:
                if relation_exists(conn, shadow(relation.schema), relation.name):
                    reused.append(f"{relation.schema}.{relation.name}")
                elif _copy_published(conn, relation):
                    copied.append(f"{relation.schema}.{relation.name}")
        state = _carry_build_state(conn, full_refresh, kept)
        if state == "reused":
            reused.append(f"{BUILD_STATE.schema}.{BUILD_STATE.name}")
        elif state == "copied":
            copied.append(f"{BUILD_STATE.schema}.{BUILD_STATE.name}")
        if building is not None:
            record_build(conn, building)
    return ShadowState(reused=tuple(reused), copied=tuple(copied))


def _copy_published(conn: psycopg.Connection, relation: Relation) -> bool:
    """The published table into the shadow, with its indexes and defaults; False when there is none."""
    if not relation_exists(conn, relation.schema, relation.name):
        return False
    conn.execute(
        sql.SQL("create table {} (like {} including all)").format(
            relation.identifier(SHADOW), relation.identifier()
        )
    )
    conn.execute(
        sql.SQL("insert into {} select * from {}").format(relation.identifier(SHADOW), relation.identifier())
    )
    return True


def _carry_build_state(conn: psycopg.Connection, full_refresh: bool, kept: bool) -> str | None:
    """The build state of the incremental tables the shadow starts from: kept aside with them
    ("reused"), or the published one when they are all copies of the published tables ("copied").
    Tables kept aside without their build state (``kept``: the shadow holds tables of an older build,
    of any domain) start from nothing, as do a full refresh and a build state from before migration
    0014: a build may read rows again, never miss one."""
    state = BUILD_STATE.identifier(SHADOW)
    if relation_exists(conn, shadow(BUILD_STATE.schema), BUILD_STATE.name):
        if not full_refresh and has_domain_build_state(conn, shadow(BUILD_STATE.schema)):
            return "reused"
        conn.execute(sql.SQL("drop table {}").format(state))
    if full_refresh or kept or not has_domain_build_state(conn, BUILD_STATE.schema):
        return None
    conn.execute(sql.SQL("create table {} (like {} including all)").format(state, BUILD_STATE.identifier()))
    conn.execute(sql.SQL("insert into {} table {}").format(state, BUILD_STATE.identifier()))
    return "copied"


def record_build(conn: psycopg.Connection, building: Mapping[str, Sequence[str]]) -> None:
    """The shadow build state's row of each domain built: it reads what committed since the snapshot its
    starting state was built at (``read_since``; null, everything, when it starts from nothing) and
    records the snapshot taken now. The rows of the domains not built stay as they are."""
    state = BUILD_STATE.identifier(SHADOW)
    conn.execute(sql.SQL("create table if not exists {} ({})").format(state, BUILD_STATE_COLUMNS))
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL(
                "insert into {state} as previous (domain, snapshot, raw_tables)"
                " values (%s, pg_current_snapshot(), %s)"
                " on conflict (domain) do update set read_since = previous.snapshot,"
                " snapshot = excluded.snapshot, raw_tables = excluded.raw_tables, recorded_at = now()"
            ).format(state=state),
            [(domain, sorted(tables)) for domain, tables in sorted(building.items())],
        )
