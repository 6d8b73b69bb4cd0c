"""Pin the Dagster surface so a refactor cannot silently drop an asset, job or schedule."""

import dagster as dg
import pytest

from orchestration.defs.platform.dbt import layer_and_domain
from tests.conftest import Platform

pytestmark = pytest.mark.dbt


def test_layer_and_domain_from_dbt_fqn() -> None:
    assert layer_and_domain(["bi_dash", "api", "customer_360", "customers"]) == ("api", "customer_360")
    assert layer_and_domain(["bi_dash", "marts", "controle_ponto", "dim_employees"]) == (
        "marts",
        "controle_ponto",
    )
    assert layer_and_domain(["bi_dash", "misc"]) == (None, None)


def test_definitions_declare_assets_jobs_and_a_stopped_schedule(platform: Platform) -> None:
    from orchestration.definitions import defs

    definitions = defs()
    keys = {key.to_user_string() for key in definitions.resolve_all_asset_keys()}
    assert {
        "raw/olist_customers",
        "raw/olist_orders",
        "raw/employees",
        "staging/stg_olist__customers",
        "staging/stg_olist__orders",
        "staging/stg_ponto__employees",
        "marts/dim_customers",
        "marts/dim_employees",
        "api/customers",
        "api/employees",
    } <= keys
    assert definitions.resolve_job_def("refresh") is not None
    schedule = definitions.resolve_schedule_def("refresh_hourly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    graph = definitions.resolve_asset_graph()
    api_customers = graph.get(dg.AssetKey(["api", "customers"]))
    assert api_customers.group_name == "customer_360"
    assert dg.AssetKey(["marts", "dim_customers"]) in api_customers.parent_keys
