"""Dagster definitions of the controle_ponto domain."""

import dagster as dg

from orchestration.defs.controle_ponto.assets import raw_assets
from orchestration.defs.controle_ponto.sensors import afd_inbox_sensor, ingest_afd_job


def defs() -> dg.Definitions:
    return dg.Definitions(assets=raw_assets(), jobs=[ingest_afd_job], sensors=[afd_inbox_sensor])
