"""The refresh job: build into the shadow schemas, check, publish (write-audit-publish)."""

import dagster as dg

REFRESH_JOB_NAME = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    # raw tables are written by loaders (CLI or inbox sensors), not rebuilt by a refresh; their checks
    # (Great Expectations suites of the inputs) run in every refresh and can block the publish
    selection=(dg.AssetSelection.all() - dg.AssetSelection.key_prefixes("raw"))
    | dg.AssetSelection.all_asset_checks(),
    description=(
        "dbt build of every layer into the shadow schemas with its tests, the Great Expectations suites, "
        "then the publish (only when no blocking check failed)."
    ),
    # retry a run lost to the infrastructure, not one whose checks said no (it would only say no again)
    tags={"dagster/max_retries": "1", "dagster/retry_on_asset_or_op_failure": "false"},
)
