"""All dbt models (staging → intermediate → marts → api) as Dagster assets; dbt tests as asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.platform.dbt import dbt_project, translator
from orchestration.runtime.environment import dbt_executable


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild incremental models from scratch (after a schema change)


def dbt_models() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project().manifest_path,
        dagster_dbt_translator=translator(),
        name="dbt_models",
        project=dbt_project(),
    )
    def _dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
        args = ["build", *(["--full-refresh"] if config.full_refresh else [])]
        yield from dbt.cli(args, context=context).stream()

    return _dbt_models
