"""The DATABASE_URL path: an existing PostgreSQL >= 15 instead of the embedded server."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.e2e.cli import Cli

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.external_db,
    pytest.mark.usefixtures("external_server_to_ourselves"),
]
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def external_url() -> Iterator[str]:
    try:
        with psycopg.connect(SERVER, connect_timeout=3, autocommit=True) as conn:
            version = conn.info.server_version
            name = f"bi_dash_ext_{uuid.uuid4().hex[:8]}"
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL answers at 127.0.0.1:5432 ({exc})")
    if version < 150000:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is {version}, bi-dash needs >= 15")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier("bi_dash_dagster"))
        )


def test_platform_runs_on_an_external_database(external_url: str, tmp_path: Path) -> None:
    cli = Cli(
        home=tmp_path,
        extra_env={
            "DATABASE_URL": external_url,
            "BI_DASH_DAGSTER_DATABASE_NAME": "bi_dash_dagster",
            "BI_DASH_LOG_FORMAT": "json",  # and the refresh's own records as JSON lines (checked below)
        },
    )
    try:
        assert cli.run("migrate").returncode == 0
        ingest = cli.run("ingest", "olist", str(DATA / "olist_small"))
        assert ingest.returncode == 0, ingest.stderr
        assert "olist_orders_dataset.csv" in ingest.stdout
        up = cli.run("up", "--detach", "--no-demo")
        assert up.returncode == 0, up.stderr
        rows = httpx.get(
            cli.api_url + "/customers",
            params={"order": "customer_unique_id"},
            headers=cli.token("analyst"),
            timeout=60,
        ).json()
        assert [row["customer_unique_id"] for row in rows] == ["u1", "u2", "u3"], rows
        assert not (tmp_path / "pg").exists()  # no embedded server was created
        # BI_DASH_LOG_FORMAT=json: the run's own records (Dagster's) go to the refresh log as JSON lines
        log = (tmp_path / "logs" / "refresh.log").read_text().splitlines()
        dagster = [json.loads(line) for line in log if line.startswith("{") and "dagster_meta" in line]
        assert dagster and all(record["dagster_meta"]["job_name"] == "refresh" for record in dagster)
    finally:
        down = cli.run("down")
    assert down.returncode == 0
    with psycopg.connect(external_url) as conn:  # an external database is never stopped by bi-dash
        assert conn.execute("select count(*) from raw.olist_orders").fetchone() == (4,)
