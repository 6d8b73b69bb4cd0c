"""Pin the Dagster surface so a refactor cannot silently drop an asset, job or schedule."""

import json
import os
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from orchestration.defs.platform.dbt import layer_and_domain
from orchestration.defs.platform.steps import API_CHECKS_STEP, DBT_STEP, PUBLISH_STEP, RAW_CHECKS_STEP
from tests.conftest import Platform

pytestmark = pytest.mark.dbt


def test_layer_and_domain_from_dbt_fqn() -> None:
    assert layer_and_domain(["bi_dash", "api", "customer_360", "customers"]) == ("api", "customer_360")
    assert layer_and_domain(["bi_dash", "marts", "controle_ponto", "dim_employees"]) == (
        "marts",
        "controle_ponto",
    )
    assert layer_and_domain(["bi_dash", "misc"]) == (None, None)


def test_the_dbt_resource_skips_the_version_subprocess_and_the_adapter_it_has_no_use_for() -> None:
    """BiDashDbtCli replaces two private methods of dagster-dbt's resource: they must still exist there
    (or the replacement does nothing), and the version it gives must be the one `dbt --version` says."""
    import subprocess

    from dagster_dbt import DbtCliResource

    from orchestration.defs.platform.dbt import BiDashDbtCli
    from orchestration.runtime.environment import dbt_executable

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource) and name in vars(BiDashDbtCli), name
    resource = BiDashDbtCli(
        project_dir=str(Path(__file__).parents[2] / "dbt_project"), dbt_executable=dbt_executable()
    )
    said = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {resource._cli_version}" in said
    assert resource._initialize_dbt_core_adapter([]) is None


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
    assert definitions.resolve_job_def("refresh").name == "refresh"
    schedule = definitions.resolve_schedule_def("refresh_hourly")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    graph = definitions.resolve_asset_graph()
    api_customers = graph.get(dg.AssetKey(["api", "customers"]))
    assert api_customers.group_name == "customer_360"
    assert dg.AssetKey(["marts", "dim_customers"]) in api_customers.parent_keys


def test_quality_checks_are_pinned_with_their_severity_and_blocking(platform: Platform) -> None:
    from orchestration.definitions import defs

    graph = defs().resolve_asset_graph()
    specs = {
        f"{key.asset_key.to_user_string()}:{key.name}": graph.get_check_spec(key)
        for key in graph.asset_check_keys
    }
    expected = {
        # Great Expectations on the raw inputs (defs/<domain>/checks.py) and the publish gate's
        # cross-build checks: error holds back its domain, warn reports only
        "raw/olist_orders:customer_exists": ("great_expectations", "error"),
        "raw/olist_order_reviews:review_score_between_1_and_5": ("great_expectations", "error"),
        "raw/employees:timezone_known": ("great_expectations", "error"),
        "raw/employees:manager_exists": ("great_expectations", "warn"),
        "api/customers:row_count_vs_published": ("great_expectations", "error"),
        "raw/olist_customers:state_is_brazilian": ("great_expectations", "warn"),
        "raw/olist_orders:freshness": ("great_expectations", "warn"),
        "raw/afd_punches:freshness": ("great_expectations", "warn"),
        # what an api resource must hold is a dbt test (its YAML), with its severity
        "api/timesheet_daily:one_row_per_jornada": ("dbt", "error"),
        "api/timesheet_monthly:one_row_per_employee_and_month": ("dbt", "error"),
        "api/punches:employee_exists": ("dbt", "error"),
        "api/customer_orders:customer_exists": ("dbt", "error"),
        "api/customers:avg_review_score_between_1_and_5": ("dbt", "error"),
        "api/timesheet_daily:worked_minutes_within_a_day": ("dbt", "warn"),
        "api/sales_by_state:state_is_brazilian": ("dbt", "warn"),
    }
    for label, (engine, severity) in expected.items():
        assert label in specs, label
        metadata = specs[label].metadata
        found = "dbt" if "dagster_dbt/unique_id" in metadata else metadata["engine"]
        assert (found, getattr(metadata["severity"], "value", metadata["severity"])) == (engine, severity), (
            label
        )
        # a GX check is blocking for Dagster, so what follows waits for it; the per-domain gate of
        # platform/published_build decides what is published (results reach Dagster as WARN).
        # dagster-dbt makes a dbt test blocking when its severity is error.
        assert specs[label].blocking == (engine == "great_expectations" or severity == "error"), label
    # GX checks an api resource only across builds (the row count against the published build)
    gx_on_api = {
        label.split(":")[1]
        for label, spec in specs.items()
        if label.startswith("api/") and "dagster_dbt/unique_id" not in spec.metadata
    }
    assert gx_on_api == {"row_count_vs_published"}
    # dbt tests are asset checks too
    assert "api/customers:unique_customers_customer_unique_id" in specs
    assert graph.get(dg.AssetKey(["platform", "published_build"])).parent_keys >= {
        dg.AssetKey(["api", "customers"]),
        dg.AssetKey(["api", "data_status"]),
    }
    job = defs().resolve_job_def("refresh")
    assert job.tags["dagster/retry_on_asset_or_op_failure"] == "false"


def test_no_model_reads_another_domain_so_a_domain_can_publish_alone(platform: Platform) -> None:
    """A domain whose checks failed is held back while the others publish: that is only sound when no
    model of one domain (or of the platform) reads a model of another."""
    import json

    from orchestration.defs.platform.dbt import cross_domain_reads

    manifest = json.loads((platform.settings.dbt_target_dir / "manifest.json").read_text())
    assert cross_domain_reads(manifest["nodes"]) == []
    # the rule itself: a reader in another domain is found
    nodes = {
        "model.bi_dash.a": {"resource_type": "model", "fqn": ["bi_dash", "marts", "customer_360", "a"]},
        "model.bi_dash.b": {
            "resource_type": "model",
            "fqn": ["bi_dash", "marts", "controle_ponto", "b"],
            "depends_on": {"nodes": ["model.bi_dash.a"]},
        },
    }
    assert cross_domain_reads(nodes) == [("model.bi_dash.b", "model.bi_dash.a")]


def test_the_dag_holds_every_dependency(platform: Platform) -> None:
    """No dependency hides in a comment: a table whose row-level security reads the team
    (dim_employees) depends on it in the DAG through the policy's own ref(), and no model declares a
    dependency by a `-- depends_on:` hint."""
    from api_contracts.access import PROFILES, RESOURCES

    manifest = json.loads((platform.settings.dbt_target_dir / "manifest.json").read_text())
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    team_marts = {item.mart for item in RESOURCES.values() if "team" in PROFILES[item.profile].values()}
    assert team_marts  # the rule is in use
    for mart in team_marts:
        assert "model.bi_dash.dim_employees" in models[mart]["depends_on"]["nodes"], mart
    assert [name for name, node in models.items() if "depends_on:" in node["raw_code"]] == []


def test_every_job_resolves_so_the_dagster_ui_can_load_the_code_location(platform: Platform) -> None:
    from orchestration.definitions import defs

    definitions = defs()
    jobs = {job.name: job for job in definitions.resolve_all_job_defs()}
    assert {"refresh", "ingest_olist", "ingest_afd"} <= set(jobs)
    # a load job loads, then runs the whole checked refresh (a partial shadow build cannot be published)
    ingest_afd = jobs["ingest_afd"].asset_layer.selected_asset_keys
    assert dg.AssetKey(["raw", "afd_punches"]) in ingest_afd
    assert {
        dg.AssetKey(["marts", "dim_customers"]),
        dg.AssetKey(["platform", "published_build"]),
    } <= ingest_afd
    # the refresh's steps are the ones its run config, step timings and the bench name (steps.py)
    assert set(jobs["refresh"].graph.node_names()) == {
        RAW_CHECKS_STEP,
        DBT_STEP,
        API_CHECKS_STEP,
        PUBLISH_STEP,
    }


SNAPSHOT = Path(__file__).with_name("dagster_surface.json")


def _surface(definitions: dg.Definitions) -> dict[str, Any]:
    graph = definitions.resolve_asset_graph()
    checks = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        severity = spec.metadata.get("severity")
        checks[f"{key.asset_key.to_user_string()}:{key.name}"] = {
            "blocking": spec.blocking,
            "severity": getattr(severity, "value", severity),
        }
    return {
        "assets": sorted(key.to_user_string() for key in definitions.resolve_all_asset_keys()),
        "checks": dict(sorted(checks.items())),
        "jobs": sorted(job.name for job in definitions.resolve_all_job_defs()),
        "schedules": {
            item.name: {"cron": item.cron_schedule, "default": item.default_status.value}
            for item in sorted(definitions.schedules or [], key=lambda item: item.name)  # type: ignore[union-attr]
        },
        "sensors": {
            item.name: item.default_status.value
            for item in sorted(definitions.sensors or [], key=lambda item: item.name)  # type: ignore[union-attr]
        },
    }


def test_the_whole_dagster_surface_matches_its_snapshot(platform: Platform) -> None:
    """Every asset key, check (with its severity and blocking), job, schedule and sensor. A deliberate
    change: rerun with UPDATE_SNAPSHOTS=1 and commit tests/dbt/dagster_surface.json."""
    from orchestration.definitions import defs

    surface = _surface(defs())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(surface, indent=1, sort_keys=True) + "\n")
    pinned = json.loads(SNAPSHOT.read_text())
    for part in ("assets", "jobs"):
        assert sorted(set(pinned[part]) - set(surface[part])) == [], f"{part} gone"
        assert sorted(set(surface[part]) - set(pinned[part])) == [], f"{part} new (update the snapshot)"
    assert surface == pinned
    assert len(surface["assets"]) > 50 and len(surface["checks"]) > 100
