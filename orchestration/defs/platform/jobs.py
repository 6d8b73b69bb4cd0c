"""The refresh job: build into the shadow schemas, check, publish (write-audit-publish)."""

import dagster as dg

REFRESH_JOB_NAME = "refresh"

# raw tables are written by loaders (CLI or inbox sensors), not rebuilt by a refresh; their checks
# (Great Expectations suites of the inputs) run in every refresh and can block the publish
REFRESH_SELECTION = (dg.AssetSelection.all() - dg.AssetSelection.key_prefixes("raw")) | (
    dg.AssetSelection.all_asset_checks()
)


def load_then_refresh(*raw_assets: dg.AssetsDefinition) -> dg.AssetSelection:
    """A load job's selection: the raw assets it writes, then the whole refresh.

    Not just what is downstream of them: a refresh builds every layer into the shadow schemas and
    publishes them together, so a partial build would publish an incomplete API.
    """
    return dg.AssetSelection.assets(*raw_assets) | REFRESH_SELECTION


refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=REFRESH_SELECTION,
    description=(
        "dbt build of every layer into the shadow schemas with its tests, the Great Expectations suites, "
        "then the publish (only when no blocking check failed)."
    ),
    # retry a run lost to the infrastructure, not one whose checks said no (it would only say no again)
    tags={"dagster/max_retries": "1", "dagster/retry_on_asset_or_op_failure": "false"},
)
