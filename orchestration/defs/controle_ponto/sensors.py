"""The AFD inbox: files dropped into $BI_DASH_HOME/inbox/afd/ are loaded, then the timesheets refreshed."""

from pathlib import Path

import dagster as dg

from orchestration.defs.controle_ponto.assets import afd_punches
from orchestration.defs.platform.inbox import (
    archive_path,
    entry_files,
    run_request,
    sensor_result,
    stable_entries,
)
from orchestration.defs.platform.jobs import load_then_refresh
from orchestration.defs.platform.resources import inbox

ingest_afd_job = dg.define_asset_job(
    name="ingest_afd",
    selection=load_then_refresh(afd_punches),
    description="Load AFD files into raw, then refresh (checked and published like every refresh).",
)


def afd_run_requests(folder: Path) -> list[dg.RunRequest]:
    requests = []
    for entry in stable_entries(folder):
        files = entry_files(entry.path)
        config = {
            "files": [str(path) for path in files],
            "inbox_entry": str(entry.path),
            "archive_to": str(archive_path(entry)),
        }
        requests.append(run_request(entry, "raw__afd_punches", config))
    return requests


@dg.sensor(job=ingest_afd_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def afd_inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    folder = Path(inbox("afd"))
    return sensor_result(afd_run_requests(folder), f"settled AFD file in {folder}")
