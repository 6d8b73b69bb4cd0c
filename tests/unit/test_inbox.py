import os
import shutil
import time
from pathlib import Path

from orchestration.defs.customer_360.sensors import olist_run_requests
from orchestration.defs.platform.inbox import archive_path, stable_entries

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


def test_olist_sensor_requests_a_run_per_complete_folder(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "extract-1")
    (tmp_path / "incomplete").mkdir()
    shutil.copy(DATA / "olist_customers_dataset.csv", tmp_path / "incomplete")
    _age(tmp_path, 60)
    [request] = olist_run_requests(tmp_path)
    config = request.run_config["ops"]["olist_raw_tables"]["config"]
    assert config["folder"] == str(tmp_path / "extract-1")
    assert request.run_key.startswith("extract-1:")


def test_afd_sensor_requests_one_run_per_file_or_folder(tmp_path: Path) -> None:
    from orchestration.defs.controle_ponto.sensors import afd_run_requests

    afd = Path(__file__).resolve().parents[1] / "data" / "afd"
    shutil.copy(afd / "AFD_1510_E1.txt", tmp_path / "clock1.txt")
    (tmp_path / "batch").mkdir()
    shutil.copy(afd / "AFD_671_E2.txt", tmp_path / "batch" / "clock3.txt")
    _age(tmp_path, 60)
    requests = afd_run_requests(tmp_path)
    configs = [r.run_config["ops"]["raw__afd_punches"]["config"] for r in requests]
    assert [c["inbox_entry"] for c in configs] == [str(tmp_path / "batch"), str(tmp_path / "clock1.txt")]
    assert configs[0]["files"] == [str(tmp_path / "batch" / "clock3.txt")]
