"""The Dagster ingestion asset, materialized for real against a database of its own."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.customer_360.assets import olist_raw_tables
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.runtime.database import ConnectionInfo

pytestmark = pytest.mark.db
DATA = Path(__file__).resolve().parents[1] / "data" / "olist_small"


def test_olist_asset_loads_the_folder_reports_counts_and_archives_it(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox" / "extract"
    shutil.copytree(DATA, folder)
    archive = tmp_path / "inbox" / ".processed" / "extract-1"
    result = dg.materialize(
        [olist_raw_tables],
        resources={"database": PlatformDatabase(url=fresh_db.url())},
        run_config={
            "ops": {"olist_raw_tables": {"config": {"folder": str(folder), "archive_to": str(archive)}}}
        },
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    materializations = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert materializations["raw/olist_orders"]["loaded"].value == 4
    assert materializations["raw/olist_sellers"]["quarantined"].value == 0
    assert not folder.exists() and (archive / "olist_orders_dataset.csv").exists()
    with fresh_db.connect() as conn:
        assert conn.execute("select count(*) from raw.olist_orders").fetchone() == (4,)


def test_afd_asset_loads_inbox_files_and_archives_them(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    from orchestration.defs.controle_ponto.assets import afd_punches

    inbox = tmp_path / "inbox" / "afd"
    inbox.mkdir(parents=True)
    source = Path(__file__).resolve().parents[1] / "data" / "afd" / "AFD_1510_E1.txt"
    dropped = inbox / "clock1.txt"
    shutil.copy(source, dropped)
    archive = inbox / ".processed" / "clock1.txt-x"
    config = {"files": [str(dropped)], "inbox_entry": str(dropped), "archive_to": str(archive)}
    result = dg.materialize(
        [afd_punches],
        resources={"database": PlatformDatabase(url=fresh_db.url())},
        run_config={"ops": {"raw__afd_punches": {"config": config}}},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    [event] = result.get_asset_materialization_events()
    assert event.step_materialization_data.materialization.metadata["loaded"].value == 19
    assert archive.exists() and not dropped.exists()
