"""A load made outside a Dagster run (`bi-dash ingest`, the demo data of `bi-dash up`) is recorded in
Dagster as a materialization of the raw assets it wrote, with the metadata the inbox sensor's runs of
those assets record (the same functions build it): a raw asset's history shows every load, whichever
way it came, and a raw asset is `["raw", <table>]` on both paths."""

from __future__ import annotations

from typing import Any

from orchestration.runtime.database import ConnectionInfo
from orchestration.runtime.environment import apply_platform_env, install_dagster_instance
from orchestration.settings import Settings


def record_loads(settings: Settings, admin: ConnectionInfo, by_table: dict[str, dict[str, Any]]) -> None:
    """One materialization of ``["raw", table]`` per table, with its metadata."""
    # deferred: Dagster takes ~1 s to import; only a load that got this far pays it
    import dagster as dg

    apply_platform_env(settings, admin)
    install_dagster_instance(settings)
    with dg.DagsterInstance.get() as instance:
        for table, metadata in by_table.items():
            instance.report_runless_asset_event(
                dg.AssetMaterialization(asset_key=["raw", table], metadata=metadata)
            )
