"""controle_ponto raw inputs: AFD punches (from the inbox sensor or `bi-dash ingest afd`), and the
employee registry and schedules (from `bi-dash ingest employees|schedules`)."""

import shutil
from pathlib import Path

import dagster as dg

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.defs.platform.inbox import inbox_only
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.ingest.afd_loader import ingest_afd_file, materialization
from orchestration.ingest.files import make_private
from orchestration.ingest.summary import LoadSummary

EXTERNAL_TABLES = {
    "employees": "Employee registry (employees CSV and AFD type-5 records).",
    "work_schedules": "Expected intervals per schedule and weekday (schedules CSV).",
    "local_holidays": "National holidays (holidays library) and local ones.",
    "employers": "The employer's identification (employer CSV), which the AEJ and the Espelho de Ponto name.",
    "quarantine": "Lines that could not be loaded, with file, line and reason.",
}


class AfdFilesConfig(dg.Config):
    files: list[str]
    time_zone: str = DEFAULT_TIME_ZONE
    inbox_entry: str = ""  # the inbox file or folder the files came from
    archive_to: str = ""  # move the inbox entry here after a successful load ("" keeps it)


@dg.asset(
    key=["raw", "afd_punches"],
    group_name="controle_ponto",
    kinds={"postgres"},
    description="Punches from AFD files (types 3 and 7) with file, line, REP number and NSR.",
    metadata={"layer": "raw", "domain": "controle_ponto"},
)
def afd_punches(
    context: dg.AssetExecutionContext, config: AfdFilesConfig, database: PlatformDatabase
) -> dg.MaterializeResult:
    inbox_only(database.settings().inbox_dir, [*config.files, config.inbox_entry, config.archive_to])
    summary = LoadSummary()
    for name in config.files:
        item = summary.add(ingest_afd_file(database.connection_info(), Path(name), config.time_zone))
        context.log.info(
            f"{name}: {item.loaded} punches loaded, {item.quarantined} lines quarantined"
            + (f" ({item.first_reasons()})" if item.reasons else "")
        )
    if config.inbox_entry and config.archive_to:
        target = Path(config.archive_to)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(config.inbox_entry, str(target))
        make_private(target)
    return dg.MaterializeResult(metadata=materialization(summary))


def raw_assets() -> list[dg.AssetsDefinition | dg.AssetSpec]:
    specs: list[dg.AssetsDefinition | dg.AssetSpec] = [
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="controle_ponto",
            kinds={"postgres"},
            metadata={"layer": "raw", "domain": "controle_ponto"},
        )
        for table, description in EXTERNAL_TABLES.items()
    ]
    return [afd_punches, *specs]
