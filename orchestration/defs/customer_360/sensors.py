"""The Olist inbox: a folder dropped into $BI_DASH_HOME/inbox/olist/ is loaded, then refreshed."""

from pathlib import Path

import dagster as dg

from orchestration.defs.customer_360.assets import olist_raw_tables
from orchestration.defs.platform.inbox import archive_path, run_request, sensor_result, stable_entries
from orchestration.defs.platform.jobs import load_then_refresh
from orchestration.defs.platform.resources import inbox
from orchestration.ingest.olist import REQUIRED_FILES

ingest_olist_job = dg.define_asset_job(
    name="ingest_olist",
    selection=load_then_refresh(olist_raw_tables),
    description="Load one Olist folder into raw, then refresh (checked and published like every refresh).",
)


def olist_run_requests(folder: Path) -> list[dg.RunRequest]:
    requests = []
    for entry in stable_entries(folder):
        if not all((entry.path / name).is_file() for name in REQUIRED_FILES):
            continue
        config = {"folder": str(entry.path), "archive_to": str(archive_path(entry))}
        requests.append(run_request(entry, "olist_raw_tables", config))
    return requests


@dg.sensor(job=ingest_olist_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def olist_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    folder = Path(inbox("olist"))
    return sensor_result(olist_run_requests(folder), f"complete, settled Olist folder in {folder}")
