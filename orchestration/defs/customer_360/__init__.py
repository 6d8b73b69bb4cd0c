"""Dagster definitions of the customer_360 domain."""

import dagster as dg

from orchestration.defs.customer_360.assets import raw_assets
from orchestration.defs.customer_360.sensors import ingest_olist_job, olist_inbox_sensor


def defs() -> dg.Definitions:
    return dg.Definitions(assets=raw_assets(), jobs=[ingest_olist_job], sensors=[olist_inbox_sensor])
