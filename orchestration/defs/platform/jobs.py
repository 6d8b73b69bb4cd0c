"""The refresh job: rebuild and test every dbt model, then PostgREST reloads its schema cache."""

import dagster as dg

REFRESH_JOB_NAME = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    # raw tables are written by loaders (CLI or inbox sensors), not rebuilt by a refresh
    selection=dg.AssetSelection.all() - dg.AssetSelection.key_prefixes("raw"),
    description="dbt build of every layer (staging, intermediate, marts, api) with its tests.",
    tags={"dagster/max_retries": "1"},
)
