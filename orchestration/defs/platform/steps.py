"""The refresh job's step (op) names, written once: the definitions name their steps with them, and
the CLI's run config, the step timings and the bench read them. No Dagster import: cheap to use."""

RAW_CHECKS_STEP = "raw_input_checks"  # Great Expectations suites of the raw inputs, before dbt
DBT_STEP = "dbt_models"  # the dbt build of every layer into the shadow schemas, with its tests
API_CHECKS_STEP = "api_resource_checks"  # Great Expectations suites of the api resources, after dbt
PUBLISH_STEP = "platform__published_build"  # the publish (the platform/published_build asset's step)
