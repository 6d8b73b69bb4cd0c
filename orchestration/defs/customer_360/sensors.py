"""The Olist inbox: a folder dropped into $BI_DASH_HOME/inbox/olist/ is loaded, then refreshed."""

from collections.abc import Mapping

import dagster as dg

from orchestration.defs.customer_360.assets import olist_raw_tables
from orchestration.defs.platform.inbox import InboxEntry, archive_path, inbox_sensor
from orchestration.defs.platform.jobs import load_then_refresh
from orchestration.ingest.olist import REQUIRED_FILES

ingest_olist_job = dg.define_asset_job(
    name="ingest_olist",
    selection=load_then_refresh(olist_raw_tables),
    description="Load one Olist folder into raw, then refresh (checked and published like every refresh).",
)


def entry_config(entry: InboxEntry) -> Mapping[str, object] | None:
    """A folder with every file of the extract; None until all of them are there."""
    if not all((entry.path / name).is_file() for name in REQUIRED_FILES):
        return None
    return {"folder": str(entry.path), "archive_to": str(archive_path(entry))}


olist_inbox_sensor = inbox_sensor(
    load=olist_raw_tables,
    job=ingest_olist_job,
    source="olist",
    config_of=entry_config,
    waiting_for="complete, settled Olist folder",
)
