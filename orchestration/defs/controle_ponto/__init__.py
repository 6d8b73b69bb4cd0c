"""Dagster definitions of the controle_ponto domain."""

import dagster as dg

from orchestration.defs.controle_ponto.assets import raw_assets


def defs() -> dg.Definitions:
    return dg.Definitions(assets=raw_assets())
