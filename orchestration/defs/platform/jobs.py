"""The refresh job: rebuild and test every dbt model, then PostgREST reloads its schema cache."""

import dagster as dg

REFRESH_JOB_NAME = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="dbt build of every layer (staging, intermediate, marts, api) with its tests.",
    tags={"dagster/max_retries": "1"},
)
