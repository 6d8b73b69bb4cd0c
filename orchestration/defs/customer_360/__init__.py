"""Dagster definitions of the customer_360 domain."""

import dagster as dg

from orchestration.defs.customer_360.assets import raw_assets


def defs() -> dg.Definitions:
    return dg.Definitions(assets=raw_assets())
