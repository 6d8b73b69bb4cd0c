"""The platform end to end on the embedded database: raw → dbt (via Dagster) → api views → PostgREST."""

import httpx
import psycopg
import pytest
from postgrest import SyncPostgrestClient

from api_contracts.models import RESOURCES
from orchestration.runtime.database import restart_embedded_database
from orchestration.runtime.processes import is_healthy, wait_until
from tests.conftest import ApiAs, Platform, token_for

pytestmark = pytest.mark.api


def test_postgrest_client_reads_real_rows_of_both_domains(platform: Platform) -> None:
    analyst = {"Authorization": f"Bearer {token_for(platform.settings, 'analyst')}"}
    hr = {"Authorization": f"Bearer {token_for(platform.settings, 'hr')}"}
    with SyncPostgrestClient(platform.api_url, schema="api", headers=analyst) as client:
        customer = (
            client.from_("customers")
            .select(
                "customer_unique_id,zip_code_prefix,city,state,orders_count,valid_orders_count,"
                "canceled_orders_count,first_order_at,last_order_at"
            )
            .eq("customer_unique_id", "u1")
            .execute()
            .data
        )
    with SyncPostgrestClient(platform.api_url, schema="api", headers=hr) as client:
        employees = (
            client.from_("employees").select("employee_id,manager_id").order("employee_id").execute().data
        )
    # u1 ordered twice (o1 in SP, then o2 in RJ): the most recent order gives the location
    assert customer == [
        {
            "customer_unique_id": "u1",
            "zip_code_prefix": "20040",
            "city": "rio de janeiro",
            "state": "RJ",
            "orders_count": 2,
            "valid_orders_count": 1,
            "canceled_orders_count": 1,
            "first_order_at": "2018-01-10T12:00:00+00:00",
            "last_order_at": "2018-03-06T01:15:00+00:00",
        }
    ]
    assert employees == [
        {"employee_id": "AFD-03082462814", "manager_id": None},  # registered by AFD type-5 records
        {"employee_id": "AFD-55566677788", "manager_id": None},
        {"employee_id": "E1", "manager_id": "M1"},
        {"employee_id": "E2", "manager_id": "M1"},
        {"employee_id": "M1", "manager_id": None},
        {"employee_id": "R1", "manager_id": None},  # the real-shaped exports' people
        {"employee_id": "R3", "manager_id": None},
    ]


def test_openapi_document_lists_the_api_resources_and_nothing_private(api_as: ApiAs) -> None:
    paths = set(api_as("analyst").get("/").json()["paths"]) | set(api_as("hr").get("/").json()["paths"])
    assert {f"/{resource}" for resource in RESOURCES} <= paths
    assert not any(path.startswith(("/stg_", "/dim_", "/olist_", "/int_")) for path in paths)


def test_private_schemas_are_not_reachable(api: httpx.Client) -> None:
    response = api.get("/dim_customers")
    assert response.status_code == 404
    response = api.get("/olist_orders", headers={"Accept-Profile": "raw"})
    assert response.status_code == 406


def test_api_views_run_as_the_caller_and_are_owned_by_transformer(platform: Platform) -> None:
    with platform.admin.connect() as conn:
        rows = conn.execute(
            "select c.relname, c.reloptions, c.relowner::regrole::text from pg_class c "
            "where c.relnamespace = 'api'::regnamespace and c.relkind = 'v' order by 1"
        ).fetchall()
        connected_as = conn.execute(
            "select usename, usesuper from pg_stat_activity join pg_user using (usename) "
            "where application_name like 'postgrest%' or usename = 'authenticator' limit 1"
        ).fetchone()
    assert [name for name, *_ in rows] == sorted(RESOURCES)
    for _name, options, owner in rows:
        assert "security_invoker=true" in options
        assert owner == "transformer"
    assert connected_as == ("authenticator", False)


def test_refresh_is_recorded_in_the_dagster_instance(platform: Platform) -> None:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(platform.run_id)
        assert run is not None and run.job_name == "refresh"
        assert run.status == dg.DagsterRunStatus.SUCCESS
        materialized = instance.get_latest_materialization_event(dg.AssetKey(["api", "customers"]))
        assert materialized is not None


def test_anyone_reads_the_data_status_of_every_resource(platform: Platform, api_as: ApiAs) -> None:
    status = api_as("anon").get("/data_status", params={"order": "resource"})
    assert status.status_code == 200, status.text
    rows = {row["resource"]: row for row in status.json()}
    assert set(rows) == set(RESOURCES) - {"data_status"}
    assert {row["last_attempt_outcome"] for row in rows.values()} == {"published"}
    assert all(row["failing_checks"] == [] for row in rows.values())
    # the test dataset: three people in olist_small, four employees in the registry
    assert (rows["customers"]["domain"], rows["customers"]["row_count"]) == ("customer_360", 3)
    assert (rows["employees"]["domain"], rows["employees"]["row_count"]) == ("controle_ponto", 7)
    with platform.admin.connect() as conn:
        run_id = conn.execute("select run_id from audit.published_resources limit 1").fetchone()
        assert run_id == (platform.run_id,)
        # the checks' GX summaries can quote data (CPFs, say): request roles cannot read them
        conn.execute("set role analyst")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select summary from audit.check_results")


def test_postgrest_recovers_after_the_database_restarts(platform: Platform, api: httpx.Client) -> None:
    restart_embedded_database(platform.settings)
    assert wait_until(lambda: is_healthy(platform.admin_url + "/ready"), timeout=30)
    assert wait_until(lambda: api.get("/customers?select=customer_unique_id").status_code == 200, timeout=30)
    assert len(api.get("/customers?select=customer_unique_id").json()) == 3
