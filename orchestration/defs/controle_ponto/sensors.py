"""The AFD inbox: files dropped into $BI_DASH_HOME/inbox/afd/ are loaded, then the timesheets refreshed."""

from collections.abc import Mapping

import dagster as dg

from orchestration.defs.controle_ponto.assets import afd_punches
from orchestration.defs.platform.inbox import (
    InboxEntry,
    archive_path,
    entry_files,
    inbox_sensor,
)
from orchestration.defs.platform.jobs import load_then_refresh

ingest_afd_job = dg.define_asset_job(
    name="ingest_afd",
    selection=load_then_refresh(afd_punches),
    description="Load AFD files into raw, then refresh (checked and published like every refresh).",
)


def entry_config(entry: InboxEntry) -> Mapping[str, object]:
    """A file, or a folder of files: every file of the entry in one run."""
    return {
        "files": [str(path) for path in entry_files(entry.path)],
        "inbox_entry": str(entry.path),
        "archive_to": str(archive_path(entry)),
    }


afd_inbox_sensor = inbox_sensor(
    load=afd_punches,
    job=ingest_afd_job,
    source="afd",
    config_of=entry_config,
    waiting_for="settled AFD file",
)
