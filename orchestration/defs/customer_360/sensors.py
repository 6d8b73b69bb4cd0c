"""The Olist inbox: a folder dropped into $BI_DASH_HOME/inbox/olist/ is loaded, then refreshed."""

from pathlib import Path

import dagster as dg

from orchestration.defs.customer_360.assets import olist_raw_tables
from orchestration.defs.platform.inbox import archive_path, stable_entries
from orchestration.defs.platform.resources import inbox
from orchestration.ingest.olist import REQUIRED_FILES

ingest_olist_job = dg.define_asset_job(
    name="ingest_olist",
    selection=dg.AssetSelection.assets(olist_raw_tables).downstream(),
    description="Load one Olist folder into raw, then rebuild the models that depend on it.",
)


def olist_run_requests(folder: Path) -> list[dg.RunRequest]:
    requests = []
    for entry in stable_entries(folder):
        if not all((entry.path / name).is_file() for name in REQUIRED_FILES):
            continue
        config = {"folder": str(entry.path), "archive_to": str(archive_path(entry))}
        requests.append(
            dg.RunRequest(
                run_key=entry.run_key,
                run_config={"ops": {"olist_raw_tables": {"config": config}}},
                tags={"bi_dash/inbox": entry.path.name},
            )
        )
    return requests


@dg.sensor(job=ingest_olist_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def olist_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    folder = Path(inbox("olist"))
    requests = olist_run_requests(folder)
    return dg.SensorResult(
        run_requests=requests,
        skip_reason=None if requests else f"no complete, settled Olist folder in {folder}",
    )
