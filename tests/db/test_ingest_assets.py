"""The Dagster ingestion asset, materialized for real against a database of its own."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.customer_360.assets import olist_raw_tables
from orchestration.defs.platform.resources import PlatformDatabase
from orchestration.runtime.database import ConnectionInfo
from orchestration.settings import Settings

pytestmark = pytest.mark.db
DATA = Path(__file__).resolve().parents[1] / "data" / "olist_small"


def test_olist_asset_loads_the_folder_reports_counts_and_archives_it(
    fresh_db: ConnectionInfo, settings: Settings
) -> None:
    folder = settings.inbox_dir / "olist" / "extract"
    shutil.copytree(DATA, folder)
    archive = settings.inbox_dir / "olist" / ".processed" / "extract-1"
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
    assert (archive / "olist_customers_dataset.csv").stat().st_mode & 0o777 == 0o600  # names people
    with fresh_db.connect() as conn:
        assert conn.execute("select count(*) from raw.olist_orders").fetchone() == (4,)


def test_afd_asset_loads_inbox_files_and_archives_them(fresh_db: ConnectionInfo, settings: Settings) -> None:
    from orchestration.defs.controle_ponto.assets import afd_punches

    inbox = settings.inbox_dir / "afd"
    inbox.mkdir(parents=True, exist_ok=True)
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


def test_the_ingestion_assets_refuse_paths_outside_the_inbox(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    """A run launched by hand from the Dagster UI cannot make the platform read an arbitrary file."""
    from orchestration.defs.controle_ponto.assets import afd_punches

    outside = tmp_path / "AFD_elsewhere.txt"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "afd" / "AFD_1510_E1.txt", outside)
    for assets, op, config in (
        ([afd_punches], "raw__afd_punches", {"files": [str(outside)]}),
        ([olist_raw_tables], "olist_raw_tables", {"folder": str(DATA)}),
    ):
        result = dg.materialize(
            assets,
            resources={"database": PlatformDatabase(url=fresh_db.url())},
            run_config={"ops": {op: {"config": config}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        assert not result.success
        assert "is outside the inbox" in str(result.all_events)
    with fresh_db.connect() as conn:
        assert conn.execute("select count(*) from raw.ingested_files").fetchone() == (0,)


def test_symbolic_links_are_refused_by_every_loader(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    from orchestration.errors import PlatformError
    from orchestration.ingest.afd_loader import ingest_afd_file
    from orchestration.ingest.ponto_csv import EMPLOYEES, ingest_csv

    link = tmp_path / "employees.csv"
    link.symlink_to("/etc/passwd")
    with pytest.raises(PlatformError, match="symbolic link"):
        ingest_csv(fresh_db, EMPLOYEES, link)
    with pytest.raises(PlatformError, match="symbolic link"):
        ingest_afd_file(fresh_db, link)
    with fresh_db.connect() as conn:
        assert conn.execute("select count(*) from raw.quarantine").fetchone() == (0,)
