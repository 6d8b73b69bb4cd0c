"""Dagster entry point: only assembles the per-domain definitions (loaded lazily by Dagster)."""

import dagster as dg

from orchestration.defs import controle_ponto, customer_360, platform
from orchestration.runtime.environment import ensure_platform_env

ensure_platform_env()  # a run pod or a chart-started code server gets the environment bi-dash would give


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(platform.defs(), customer_360.defs(), controle_ponto.defs())
