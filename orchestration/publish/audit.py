"""The audit trail: every refresh attempt, check result, publication and published model definition,
in the ``audit`` schema that ``api.data_status`` shows to dashboards."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from orchestration.publish.layers import relation_exists


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


def record_domains(conn: psycopg.Connection, run_id: str, domains: Iterable[str] | None) -> None:
    """The domains this run builds (None: every domain), decided once by its dbt step."""
    conn.execute(
        "update audit.refresh_attempts set domains = %s where run_id = %s",
        (sorted(domains) if domains is not None else None, run_id),
    )


def built_domains(conn: psycopg.Connection, run_id: str) -> frozenset[str] | None:
    """The domains a run built (None: every domain, or the run has not decided yet)."""
    row = conn.execute("select domains from audit.refresh_attempts where run_id = %s", (run_id,)).fetchone()
    return frozenset(row[0]) if row and row[0] is not None else None


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
        if published.get(model) != fingerprint and relation_exists(conn, schema, name):
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
