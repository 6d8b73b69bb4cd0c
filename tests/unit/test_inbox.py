import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.controle_ponto import sensors as afd_sensors
from orchestration.defs.controle_ponto.assets import afd_punches
from orchestration.defs.customer_360 import sensors as olist_sensors
from orchestration.defs.platform.inbox import archive_path, run_requests, stable_entries

DATA = Path(__file__).resolve().parents[1] / "data" / "olist_small"


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    for file in [path, *path.rglob("*")]:
        os.utime(file, (past, past))


def test_only_settled_entries_are_picked_up(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.csv").write_text("x")
    _age(tmp_path / "old", 60)
    (tmp_path / "copying").mkdir()
    (tmp_path / "copying" / "a.csv").write_text("x")
    (tmp_path / ".processed").mkdir()
    assert [entry.path.name for entry in stable_entries(tmp_path)] == ["old"]


def test_fingerprint_changes_when_a_file_changes(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.csv").write_text("one")
    _age(tmp_path / "x", 60)
    [before] = stable_entries(tmp_path)
    (tmp_path / "x" / "a.csv").write_text("two!")
    _age(tmp_path / "x", 60)
    [after] = stable_entries(tmp_path)
    assert before.run_key != after.run_key
    assert archive_path(after).parent.name == ".processed"


def test_olist_sensor_requests_a_run_per_complete_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BI_DASH_HOME", str(tmp_path))
    inbox = tmp_path / "inbox" / "olist"
    inbox.mkdir(parents=True)
    # the sensor itself, as the daemon evaluates it: the inbox of the home, a skip said in words
    idle = olist_sensors.olist_inbox_sensor(dg.build_sensor_context())
    assert not idle.run_requests and idle.skip_reason
    assert idle.skip_reason.skip_message == f"no complete, settled Olist folder in {inbox}"
    shutil.copytree(DATA, inbox / "extract-1")
    (inbox / "incomplete").mkdir()
    shutil.copy(DATA / "olist_customers_dataset.csv", inbox / "incomplete")
    _age(inbox, 60)
    [request] = olist_sensors.olist_inbox_sensor(dg.build_sensor_context()).run_requests
    config = request.run_config["ops"]["olist_raw_tables"]["config"]
    assert config["folder"] == str(inbox / "extract-1")
    assert request.run_key.startswith("extract-1:")


def test_afd_sensor_requests_one_run_per_file_or_folder(tmp_path: Path) -> None:
    afd = Path(__file__).resolve().parents[1] / "data" / "afd"
    shutil.copy(afd / "AFD_1510_E1.txt", tmp_path / "clock1.txt")
    (tmp_path / "batch").mkdir()
    shutil.copy(afd / "AFD_671_E2.txt", tmp_path / "batch" / "clock3.txt")
    _age(tmp_path, 60)
    requests = run_requests(tmp_path, afd_punches.op.name, afd_sensors.entry_config)
    configs = [r.run_config["ops"]["raw__afd_punches"]["config"] for r in requests]
    assert [c["inbox_entry"] for c in configs] == [str(tmp_path / "batch"), str(tmp_path / "clock1.txt")]
    assert configs[0]["files"] == [str(tmp_path / "batch" / "clock3.txt")]
