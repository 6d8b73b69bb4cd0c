"""customer_360 raw inputs: the Olist tables, loaded from a folder by `bi-dash ingest olist` or by
the inbox sensor (which runs this asset and then the dbt models downstream of it)."""

import shutil
from pathlib import Path

import dagster as dg

from orchestration.defs.platform.inbox import inbox_only
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.ingest.files import make_private
from orchestration.ingest.olist import OLIST_FILES, ingest_olist_dir, materializations

RAW_TABLES = {spec.table: name for name, spec in OLIST_FILES.items()}


class OlistFolderConfig(dg.Config):
    folder: str  # a folder in the Olist layout
    archive_to: str = ""  # where to move the folder after a successful load ("" keeps it in place)


@dg.multi_asset(
    name="olist_raw_tables",
    group_name="customer_360",
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            description=f"Rows of {file_name} (Olist layout).",
            kinds={"postgres"},
            metadata={"layer": "raw", "domain": "customer_360"},
        )
        for table, file_name in RAW_TABLES.items()
    ],
    can_subset=False,
)
def olist_raw_tables(
    context: dg.AssetExecutionContext, config: OlistFolderConfig, database: PlatformDatabase
):
    folder = Path(config.folder)
    inbox_only(database.settings().inbox_dir, [config.folder, config.archive_to])
    summary = ingest_olist_dir(database.connection_info(), folder)
    for table, metadata in materializations(folder, summary).items():
        if metadata.get("quarantined"):
            context.log.warning(
                f"{RAW_TABLES[table]}: {metadata['quarantined']} line(s) quarantined:"
                f" {metadata['quarantine_reasons']}"
            )
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)
    if config.archive_to:
        target = Path(config.archive_to)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
        make_private(target)
        context.log.info(f"moved {folder} to {target}")


def raw_assets() -> list[dg.AssetsDefinition]:
    return [olist_raw_tables]
