"""All dbt models (staging → intermediate → marts → api) as Dagster assets; dbt tests as asset checks."""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.platform.dbt import dbt_project, translator


def dbt_executable() -> str:
    """The dbt of this virtual environment (it need not be on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())


def dbt_models() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project().manifest_path,
        dagster_dbt_translator=translator(),
        name="dbt_models",
        project=dbt_project(),
    )
    def _dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    return _dbt_models
