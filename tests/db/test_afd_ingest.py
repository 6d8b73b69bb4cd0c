import datetime as dt
from pathlib import Path

import pytest

from orchestration.generate import afd as build
from orchestration.ingest.afd_loader import ingest_afd_file
from orchestration.ingest.ponto_csv import EMPLOYEES, ingest_csv
from orchestration.runtime.database import ConnectionInfo

pytestmark = pytest.mark.db
DATA = Path(__file__).resolve().parents[1] / "data"
E1 = DATA / "afd" / "AFD_1510_E1.txt"
E2 = DATA / "afd" / "AFD_671_E2.txt"


def _scalar(db: ConnectionInfo, query: str) -> object:
    with db.connect() as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_1510_file_loads_every_punch_with_its_source(fresh_db: ConnectionInfo) -> None:
    summary = ingest_afd_file(fresh_db, E1)
    assert (summary.lines, summary.loaded, summary.quarantined, summary.duplicates) == (22, 19, 0, 0)
    with fresh_db.connect() as conn:
        first = conn.execute(
            "select rep_number, nsr, punched_at, local_punched_at, time_zone, identifier_kind, identifier, "
            "layout, crc_status, line_number from raw.afd_punches order by nsr limit 1"
        ).fetchone()
    assert first == (
        "00004003300000001",
        1,
        dt.datetime(2024, 3, 4, 10, 55, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 4, 7, 55),
        "America/Sao_Paulo",
        "pis",
        "10987654321",
        "1510",
        "absent",
        2,
    )


def test_671_file_keeps_offsets_and_checks_crc(fresh_db: ConnectionInfo) -> None:
    summary = ingest_afd_file(fresh_db, E2)
    assert (summary.lines, summary.loaded, summary.quarantined) == (13, 10, 0)
    assert (
        _scalar(
            fresh_db,
            "select count(*) from raw.afd_punches where crc_status = 'ok' and local_punched_at is null",
        )
        == 10
    )
    assert _scalar(fresh_db, "select min(punched_at) from raw.afd_punches") == dt.datetime(
        2024,
        3,
        4,
        16,
        0,
        tzinfo=dt.UTC,  # Monday 13:00 at -03:00
    )
    assert _scalar(fresh_db, "select count(*) from raw.afd_records where record_type = 'signature'") == 1


def test_reloading_a_file_is_a_no_op(fresh_db: ConnectionInfo) -> None:
    ingest_afd_file(fresh_db, E1)
    again = ingest_afd_file(fresh_db, E1)
    assert again.already_loaded
    assert _scalar(fresh_db, "select count(*) from raw.afd_punches") == 19


def test_overlapping_export_of_the_same_clock_adds_only_new_punches(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    ingest_afd_file(fresh_db, E1)
    lines = E1.read_text(encoding="latin-1").splitlines()
    later = [
        *lines[:-1],
        build.punch_1510(20, dt.datetime(2024, 3, 8, 18, 0), "10987654321"),
        build.trailer_1510({"3": 19, "5": 1}),
    ]
    overlapping = tmp_path / "AFD_later.txt"
    overlapping.write_text("\r\n".join(later) + "\r\n", encoding="latin-1")
    summary = ingest_afd_file(fresh_db, overlapping)
    assert (summary.loaded, summary.duplicates) == (1, 19)
    assert _scalar(fresh_db, "select count(*) from raw.afd_punches") == 20


def test_bad_lines_go_to_quarantine_and_good_ones_load(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    lines = E1.read_text(encoding="latin-1").splitlines()
    lines.insert(3, "000000099X garbage")  # line 4
    lines.insert(5, "0000000983320320240755010987654321")  # line 6: 32/03
    crc_line = build.punch_1510(97, dt.datetime(2024, 3, 8, 18, 30), "10987654321", crc=True)
    lines.insert(7, crc_line[:-4] + "0000")  # line 8: bad CRC, still loaded and flagged
    path = tmp_path / "AFD_bad.txt"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    summary = ingest_afd_file(fresh_db, path)
    assert summary.quarantined == 2
    assert summary.loaded == 20
    with fresh_db.connect() as conn:
        rows = conn.execute(
            "select line_number, reason, kind, raw_text from raw.quarantine "
            "where kind = 'rejected' order by line_number"
        ).fetchall()
        notices = conn.execute("select reason from raw.quarantine where kind = 'notice'").fetchall()
        flagged = conn.execute("select nsr from raw.afd_punches where crc_status = 'mismatch'").fetchall()
    assert rows == [
        (4, "unknown record type 'X'", "rejected", "000000099X garbage"),
        (6, "bad date '32032024' in punch", "rejected", "0000000983320320240755010987654321"),
    ]
    assert flagged == [(97,)]
    assert any(reason.startswith("NSR ") for (reason,) in notices)
    assert any(reason.startswith("trailer count mismatch") for (reason,) in notices)
    assert "bad CRC (kept, flagged crc_status=mismatch)" in summary.reasons


def test_a_failure_mid_file_leaves_nothing(fresh_db: ConnectionInfo) -> None:
    with fresh_db.connect(autocommit=True) as conn:
        conn.execute(
            """
            create function raw.fail_on_records() returns trigger language plpgsql as
            $$ begin raise exception 'crash while loading (simulated)'; end $$;
            create trigger fail_records before insert on raw.afd_records
            for each row execute function raw.fail_on_records();
            """
        )
    with pytest.raises(Exception, match="crash while loading"):
        ingest_afd_file(fresh_db, E1)
    assert _scalar(fresh_db, "select count(*) from raw.afd_punches") == 0
    assert _scalar(fresh_db, "select count(*) from raw.ingested_files") == 0


def test_type_5_registers_people_the_registry_lacks(fresh_db: ConnectionInfo) -> None:
    ingest_csv(fresh_db, EMPLOYEES, DATA / "ponto" / "employees.csv")
    ingest_afd_file(fresh_db, E1)
    with fresh_db.connect() as conn:
        rows = conn.execute(
            "select employee_id, name, pis, origin from raw.employees where origin = 'afd'"
        ).fetchall()
    assert rows == [("AFD-55566677788", "Novo Colaborador", "55566677788", "afd")]


def test_generated_files_load_without_losing_a_line(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    from orchestration.generate.ponto import generate_ponto

    counts = generate_ponto(tmp_path, employees=12, days=14, seed=3)
    for path in sorted((tmp_path / "afd").glob("*.txt")):
        summary = ingest_afd_file(fresh_db, path)
        lines = sum(1 for _ in path.open("rb"))
        assert summary.quarantined == 0 and summary.lines == lines
        assert summary.loaded == counts[path.name]
