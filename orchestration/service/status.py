"""What runs, where, how healthy; what the API serves and how the last refresh went; the logs."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

from api_contracts.vocabulary import REQUEST_ROLES
from orchestration import publish
from orchestration.lint import lint as run_lint
from orchestration.runtime import processes, services
from orchestration.runtime.api_proxy import ANALYTICS_ROLES
from orchestration.runtime.database import database_status, role_connection, start_database
from orchestration.runtime.environment import apply_platform_env, install_dagster_instance
from orchestration.runtime.processes import Service
from orchestration.runtime.runs import dead_runs
from orchestration.settings import Settings


def status_report(settings: Settings) -> dict[str, Any]:
    """{home, healthy, components: [{name, state, url, pid}], data, automations, disk_bytes}
    (the schema of `bi-dash status --json`, in the README)."""

    db_ok, where = database_status(settings)
    components: list[dict[str, Any]] = [
        {"name": "PostgreSQL", "state": "up" if db_ok else "down", "url": where, "pid": None}
    ]
    checks = {
        "api-proxy": (services.api_url(settings) + "/", services.api_url(settings)),
        "postgrest": (
            f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
            f"interactive pool ({', '.join(role for role in REQUEST_ROLES if role not in ANALYTICS_ROLES)})",
        ),
        "postgrest-analytics": ("", f"analytics pool ({', '.join(ANALYTICS_ROLES)})"),
        "docs": (services.docs_url(settings) + "/", services.docs_url(settings)),
        "dagster-webserver": (
            services.dagster_url(settings) + "/server_info",
            services.dagster_url(settings),
        ),
        "dagster-daemon": ("", ""),
    }
    for name, (health_url, url) in checks.items():
        health: Callable[[], bool] = functools.partial(processes.is_healthy, health_url)
        if not health_url:  # no HTTP endpoint of its own: its process is its health
            health = functools.partial(bool, True)
        ok, pid = processes.status(Service(name=name, command=[], health=health), settings)
        components.append({"name": name, "state": "up" if ok else "down", "url": url, "pid": pid})
    webserver_up = any(item["name"] == "dagster-webserver" and item["state"] == "up" for item in components)
    return {
        "home": str(settings.home),
        "healthy": all(item["state"] == "up" for item in components),
        "components": components,
        "data": data_status(settings) if db_ok else None,
        "automations": automations(settings) if webserver_up else None,
        "disk_bytes": disk_usage(settings),
    }


AUTOMATIONS_QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  schedules { name cronSchedule executionTimezone scheduleState { status } }
  sensors { name sensorState { status } } } } } }"""


def automations(settings: Settings) -> list[dict[str, Any]] | None:
    """Schedules and sensors as the running Dagster sees them (their default state included):
    [{kind, name, state: running|stopped, cron}] or None when the webserver does not answer."""

    try:
        answer = httpx.post(
            services.dagster_url(settings) + "/graphql", json={"query": AUTOMATIONS_QUERY}, timeout=10
        )
        nodes = answer.json()["data"]["repositoriesOrError"]["nodes"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    found: list[dict[str, Any]] = []
    for node in nodes:
        for schedule in node["schedules"]:
            found.append(
                {
                    "kind": "schedule",
                    "name": schedule["name"],
                    "state": schedule["scheduleState"]["status"].lower(),
                    "cron": f"{schedule['cronSchedule']} ({schedule['executionTimezone'] or 'UTC'})",
                }
            )
        for sensor in node["sensors"]:
            found.append(
                {"kind": "sensor", "name": sensor["name"], "state": sensor["sensorState"]["status"].lower()}
            )
    return found


def disk_usage(settings: Settings) -> dict[str, int]:
    """Bytes used under the home, per part (what grows: the database, logs, Dagster's history, docs)."""
    parts = {
        "database": settings.pgdata,
        "logs": settings.log_dir,
        "dagster": settings.dagster_home,
        "docs": settings.docs_dir,
        "dbt": settings.dbt_target_dir.parent,
        "great_expectations": settings.home / "gx",
    }
    usage = {}
    for name, folder in parts.items():
        total = 0
        for root, _, files in os.walk(folder):
            for file in files:
                try:
                    total += os.lstat(os.path.join(root, file)).st_size
                except OSError:  # gone meanwhile, or the database's own files (another user)
                    pass
        usage[name] = total
    return usage


def data_status(settings: Settings) -> dict[str, Any] | None:
    """The publish gate: when the served data was published, how the last refresh went."""

    try:
        with role_connection(start_database(settings), settings, "transformer").connect() as conn:
            published, attempt = publish.last_published_at(conn), publish.latest_attempt(conn)
            failing = publish.failed_checks(conn, attempt[0]) if attempt else []
    except psycopg.Error:  # not migrated yet
        return None
    last = None
    if attempt:
        outcome = attempt[1]
        if outcome == "running" and _run_is_dead(settings, attempt[0]):
            outcome = "stuck"
        last = {"run_id": attempt[0], "started_at": attempt[2], "outcome": outcome, "failing_checks": failing}
    return {"published_at": published, "last_refresh": last}


def _run_is_dead(settings: Settings, run_id: str) -> bool:
    """Whether a run the audit trail says is running has lost its process (read-only)."""
    # deferred: Dagster takes ~1 s to import; status reads runs only when one is recorded as running
    import dagster as dg

    apply_platform_env(settings, start_database(settings))
    install_dagster_instance(settings)
    with dg.DagsterInstance.get() as instance:
        return any(run.run_id == run_id for run, _ in dead_runs(instance))


def log_files(settings: Settings) -> dict[str, Path]:
    """component -> its log file (those that exist)."""
    files = {path.stem: path for path in sorted(settings.log_dir.glob("*.log"))}
    files["dbt"] = settings.log_dir / "dbt" / "dbt.log"
    files["postgresql"] = settings.pgdata / "log"
    return {name: path for name, path in files.items() if path.is_file()}


def lint(settings: Settings) -> list[Any]:
    """Findings of the exposed schema's checks (RLS, security_invoker, grants, search_path, names)."""

    with start_database(settings).connect() as conn:
        return list(run_lint(conn))
