"""A load made outside a Dagster run (`bi-dash ingest`, the demo data of `bi-dash up`) is recorded in
Dagster as a materialization of the raw assets it wrote, with the metadata the inbox sensor's runs of
those assets record (the same functions build it): a raw asset's history shows every load, whichever
way it came, and a raw asset is `["raw", <table>]` on both paths."""

from __future__ import annotations

from typing import Any


def record_loads(by_table: dict[str, dict[str, Any]]) -> None:
    """One materialization of ``["raw", table]`` per table, with its metadata. The platform is prepared
    (``lifecycle.prepare``: the environment and the Dagster instance of the settings), as every load is."""
    # deferred: Dagster takes ~1 s to import; only a load that got this far pays it
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        for table, metadata in by_table.items():
            event = dg.AssetMaterialization(asset_key=["raw", table], metadata=metadata)
            instance.report_runless_asset_event(event)
