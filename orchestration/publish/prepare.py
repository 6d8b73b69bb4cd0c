"""Write: the shadow schemas a build goes into, with the incremental state it starts from, and the
lock that keeps one refresh at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from orchestration.publish.layers import (
    BUILD_STATE,
    LAYERS,
    RETIRED,
    SHADOW,
    Relation,
    copy_schema_grants,
    relation_exists,
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
        if full_refresh:
            return ShadowState()
        for relation in (*incremental, BUILD_STATE):
            if relation_exists(conn, shadow(relation.schema), relation.name):
                reused.append(f"{relation.schema}.{relation.name}")
                continue
            if not relation_exists(conn, relation.schema, relation.name):
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
