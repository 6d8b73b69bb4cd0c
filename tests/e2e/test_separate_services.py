"""The service entry points started as separate processes, the way compose or Kubernetes starts them
(`bi-dash migrate` once, then `bi-dash serve …` for each component), against the PostgreSQL at
127.0.0.1:5432: they serve the API, the Dagster UI and the web assets, a refresh launched through
the daemon publishes, and each stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.conftest import free_port
from tests.e2e.cli import BI_DASH, ROOT, Cli

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.external_db,
    pytest.mark.usefixtures("external_server_to_ourselves"),
]
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
COMPONENTS = ("api", "code-location", "dagster-webserver", "dagster-daemon", "web")


@pytest.fixture(scope="module")
def databases() -> Iterator[tuple[str, str]]:
    names = (f"bi_dash_svc_{uuid.uuid4().hex[:8]}", f"bi_dash_svc_dagster_{uuid.uuid4().hex[:8]}")
    try:
        with psycopg.connect(SERVER, connect_timeout=3, autocommit=True) as conn:
            version = conn.info.server_version
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(names[0])))
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL answers at 127.0.0.1:5432 ({exc})")
    if version < 150000:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is {version}, bi-dash needs >= 15")
    yield names
    with psycopg.connect(SERVER, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _wait(what: str, ready, deadline: float = 300) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if ready():
            return
        time.sleep(1)
    raise AssertionError(f"{what} not ready within {deadline} s")


def test_each_component_as_its_own_process_serves_and_a_daemon_run_publishes(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    secret = tmp_path / "jwt_secret"
    secret.write_text("s" * 40 + "\n")
    secret.chmod(0o600)
    cli = Cli(
        home=tmp_path / "home",
        extra_env={
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{databases[0]}",
            "BI_DASH_DAGSTER_DATABASE_NAME": databases[1],
            "BI_DASH_JWT_SECRET_FILE": str(secret),  # a secret handed over as a file
            "BI_DASH_CODE_LOCATION_HOST": "127.0.0.1",
            "BI_DASH_CODE_LOCATION_PORT": str(free_port()),
        },
    )
    migrated = cli.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        for component in COMPONENTS:
            processes[component] = subprocess.Popen(
                # started with SIGINT and SIGTERM ignored, as `cmd &` in a shell script or some launchers
                # leave them: each component must still stop on SIGTERM (a code server inherited the
                # ignore, and Dagster maps SIGTERM to SIGINT's handler: it outlived every stop)
                ["sh", "-c", 'trap \'\' INT TERM; exec "$0" "$@"', BI_DASH, "serve", component],
                cwd=ROOT,
                env=cli.env,
                stdout=(logs / f"{component}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for component in COMPONENTS:
            _wait(
                f"{component} (log: {logs / component}.log)",
                lambda component=component: cli.run("health", component, timeout=120).returncode == 0,
            )
        # the API answers before any build (its OpenAPI document; the api views come with the first refresh)
        assert httpx.get(cli.api_url + "/", timeout=60).status_code == 200
        web = f"http://127.0.0.1:{cli.ports['DOCS_PORT']}"
        assert httpx.get(web + "/healthz", timeout=30).json() == {"status": "ok"}
        assert httpx.get(web + "/app-config.json", timeout=30).json() == {"apiUrl": cli.api_url}
        dagster = f"http://127.0.0.1:{cli.ports['DAGSTER_PORT']}/graphql"

        def graphql(query: str, **variables: object) -> dict:  # type: ignore[type-arg]
            answer = httpx.post(dagster, json={"query": query, "variables": variables}, timeout=60)
            assert answer.status_code == 200, answer.text
            return answer.json()["data"]  # type: ignore[no-any-return]

        repository = graphql(
            "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"
        )["repositoriesOrError"]["nodes"][0]
        assert repository["location"]["name"].startswith("grpc:")  # loaded from the code location
        launched = graphql(
            """mutation($s: JobOrPipelineSelector!) { launchRun(executionParams: {selector: $s}) {
                 __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
            s={
                "repositoryLocationName": repository["location"]["name"],
                "repositoryName": repository["name"],
                "jobName": "refresh",
            },
        )["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        statuses: list[str] = []

        def finished() -> bool:
            run = graphql("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", id=run_id)
            statuses.append(run["runOrError"]["status"])
            return statuses[-1] in ("SUCCESS", "FAILURE", "CANCELED")

        _wait("the refresh run", finished, deadline=900)
        assert statuses[-1] == "SUCCESS", statuses[-3:]
        outcomes = {
            row["last_attempt_outcome"] for row in httpx.get(cli.api_url + "/data_status", timeout=60).json()
        }
        assert outcomes == {"published"}
    finally:
        stopped: dict[str, int | None] = {}
        # SIGTERM to each component's process group, as systemd stops a unit (its control group) and as a
        # container's processes end with it: the code location's run workers are its children, and its
        # exit waits for them (on a loaded machine one outlived 180 s after its run had succeeded)
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for component, process in processes.items():
            try:
                stopped[component] = process.wait(timeout=180)  # generous: a loaded 2-core CI machine
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stopped[component] = None
    # SIGTERM ends each one within the grace period (no SIGKILL needed)
    assert None not in stopped.values(), stopped
