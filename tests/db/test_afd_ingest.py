import datetime as dt
from pathlib import Path

import pytest

from orchestration.ingest import afd_writer as build
from orchestration.ingest.afd_loader import ingest_afd_file
from orchestration.ingest.ponto_csv import EMPLOYEES, ingest_csv
from orchestration.runtime.database import ConnectionInfo
from tests.conftest import failing_inserts

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
        build.punch_1510(21, dt.datetime(2024, 3, 8, 18, 0), "10987654321"),  # the clock's next NSR
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
    with (
        failing_inserts(fresh_db, "afd_records", "crash while loading (simulated)"),
        pytest.raises(Exception, match="crash while loading"),
    ):
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
    from orchestration.generate.dataset import generate_ponto

    counts = generate_ponto(tmp_path, employees=12, days=14, seed=3)
    for path in sorted((tmp_path / "afd").glob("*.txt")):
        summary = ingest_afd_file(fresh_db, path)
        lines = sum(1 for _ in path.open("rb"))
        assert summary.quarantined == 0 and summary.lines == lines
        assert summary.loaded == counts[path.name]


# --- real exports: NSRs, line endings, signatures, chains, holidays --------------------------------
REP = "00004003300000009"


def _write(path: Path, lines: list[str], newline: str = "\r\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode("latin-1"))
    return path


def _header(start: dt.date, end: dt.date, crc: bool = True) -> str:
    return build.header_1510(0, REP, start, end, crc=crc)


def test_the_same_content_under_other_line_endings_adds_nothing(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    lines = E1.read_bytes().decode("latin-1").splitlines()
    unix = _write(tmp_path / "AFD_unix.txt", lines, "\n")
    ingest_afd_file(fresh_db, E1)
    with fresh_db.connect() as conn:
        before = conn.execute(
            "select (select count(*) from raw.afd_records), (select count(*) from raw.quarantine)"
        ).fetchone()
    again = ingest_afd_file(fresh_db, unix)
    assert again.already_loaded
    with fresh_db.connect() as conn:
        after = conn.execute(
            "select (select count(*) from raw.afd_records), (select count(*) from raw.quarantine)"
        ).fetchone()
    assert after == before


def test_an_nsr_with_other_content_is_a_conflict_the_first_load_wins(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    day = dt.date(2024, 3, 4)
    first = _write(
        tmp_path / "AFD_first.txt",
        [
            _header(day, day),
            build.punch_1510(1, dt.datetime(2024, 3, 4, 8, 0), "10987654321", crc=True),
            build.punch_1510(2, dt.datetime(2024, 3, 4, 12, 0), "10987654321", crc=True),
        ],
    )
    second = _write(
        tmp_path / "AFD_second.txt",
        [
            _header(day, day),
            build.punch_1510(2, dt.datetime(2024, 3, 4, 12, 0), "10987654321", crc=True),  # same: nothing
            build.punch_1510(3, dt.datetime(2024, 3, 4, 13, 0), "10987654321", crc=True),  # new
            build.punch_1510(1, dt.datetime(2024, 3, 4, 9, 30), "10987654321", crc=True),  # NSR 1, other time
        ],
    )
    ingest_afd_file(fresh_db, first)
    summary = ingest_afd_file(fresh_db, second)
    assert (summary.loaded, summary.duplicates, summary.quarantined) == (1, 1, 1)
    with fresh_db.connect() as conn:
        kept = conn.execute(
            "select nsr, local_punched_at::time::text from raw.afd_punches order by nsr"
        ).fetchall()
        conflict = conn.execute(
            "select file_name, line_number, kind, category, reason from raw.quarantine"
            " where category = 'nsr_conflict'"
        ).fetchall()
    assert kept == [(1, "08:00:00"), (2, "12:00:00"), (3, "13:00:00")]
    assert conflict == [
        (
            "AFD_second.txt",
            4,
            "rejected",
            "nsr_conflict",
            f"NSR conflict: NSR 1 of REP {REP} was first loaded from AFD_first.txt line 2 with other"
            " content; this is AFD_second.txt line 4 (the first load wins)",
        )
    ]


def test_a_clock_that_restarts_its_nsr_keeps_both_runs(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    # a Henry REP-C whose NSR count restarts after a repair, in the middle of one export
    day = dt.date(2024, 3, 4)
    before = [
        build.punch_1510(n, dt.datetime(2024, 3, 4, 7 + n, 0), "10987654321", crc=True) for n in (1, 2, 3)
    ]
    after = [build.punch_1510(n, dt.datetime(2024, 3, 5, 7 + n, 0), "10987654321", crc=True) for n in (1, 2)]
    path = _write(tmp_path / "AFD_restart.txt", [_header(day, day + dt.timedelta(days=1)), *before, *after])
    summary = ingest_afd_file(fresh_db, path)
    assert (summary.loaded, summary.quarantined) == (5, 0)
    # the next export of the clock holds the new run only: same content, nothing added, no conflict
    later = _write(tmp_path / "AFD_after.txt", [_header(day, day + dt.timedelta(days=1)), *after])
    again = ingest_afd_file(fresh_db, later)
    assert (again.loaded, again.duplicates, again.quarantined) == (0, 2, 0)
    with fresh_db.connect() as conn:
        runs = conn.execute("select count(*) from raw.afd_rep_runs where rep_number = %s", (REP,)).fetchone()
        notice = conn.execute("select reason from raw.quarantine where category = 'nsr_restart'").fetchall()
    assert runs == (1,)
    assert notice == [("NSR restarted at 1 after 3: a new NSR run of the clock begins here",)]


def test_a_broken_rep_p_chain_is_a_notice_and_the_punches_load(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    sp = dt.timezone(dt.timedelta(hours=-3))
    lines, previous = [], ""
    for nsr in (1, 2, 3):
        line = build.punch_rep_p(nsr, dt.datetime(2024, 3, 4, 8, nsr, tzinfo=sp), "52998224725", previous)
        previous = line[73:]
        lines.append(line)
    lines[1] = lines[1][:25] + "9" + lines[1][26:]  # someone moved the second punch by a few minutes
    header = build.header_671(
        0, REP, dt.date(2024, 3, 4), dt.date(2024, 3, 4), dt.datetime(2024, 3, 4, 23, tzinfo=sp)
    )
    summary = ingest_afd_file(fresh_db, _write(tmp_path / "AFD_repp.txt", [header, *lines]))
    assert (summary.loaded, summary.quarantined) == (3, 0)
    with fresh_db.connect() as conn:
        breaks = conn.execute(
            "select line_number, kind from raw.quarantine where category = 'rep_p_chain_break'"
        ).fetchall()
    assert breaks == [(3, "notice")]


def test_a_signature_line_after_the_trailer_is_not_quarantined(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    day = dt.date(2024, 3, 4)
    henry_signature = "MIIHBgYJ4" + "4" + "Kx7Qb" * 18
    path = _write(
        tmp_path / "AFD_henry.txt",
        [
            _header(day, day),
            build.punch_1510(1, dt.datetime(2024, 3, 4, 8, 0), "10987654321", crc=True),
            build.trailer_1510({"3": 1}),
            henry_signature,
        ],
    )
    summary = ingest_afd_file(fresh_db, path)
    assert (summary.loaded, summary.quarantined) == (1, 0)
    assert _scalar(fresh_db, "select count(*) from raw.afd_records where record_type = 'signature'") == 1


def test_loading_2014_punches_brings_2014_holidays(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    christmas = dt.date(2014, 12, 25)
    path = _write(
        tmp_path / "AFD_2014.txt",
        [
            _header(christmas, christmas),
            build.punch_1510(1, dt.datetime(2014, 12, 25, 8, 0), "10987654321", crc=True),
        ],
    )
    ingest_afd_file(fresh_db, path)
    assert (
        _scalar(
            fresh_db,
            "select name from raw.local_holidays where holiday_date = '2014-12-25' and scope = 'national'",
        )
        == "Natal"
    )


def test_a_registry_loaded_after_afd_files_links_the_people_they_registered(
    fresh_db: ConnectionInfo, tmp_path: Path
) -> None:
    ingest_afd_file(fresh_db, E1)  # registers AFD-55566677788 from its type-5 record, with a punch
    with fresh_db.connect() as conn:
        conn.execute(
            "insert into raw.punch_adjustments (employee_id, action, punched_at, reason)"
            " values ('AFD-55566677788', 'include', '2024-03-04 12:00-03', 'esqueceu')"
        )
        conn.commit()
    registry = tmp_path / "employees.csv"
    registry.write_text(
        "employee_id,name,cpf,pis,department,manager_id,schedule_code,timezone,hired_at\n"
        "E9,Novo Colaborador,,555.666.777-88,Operações,,STD_44,,2024-01-02\n"
        "E10,Outra Pessoa,,55566677788,Operações,,STD_44,,2024-01-02\n"  # the same PIS again: line 3
        "E11,Maria,,10987654321,Operações,,STD_44,,2024-01-02\n",
        encoding="utf-8",
    )
    summary = ingest_csv(fresh_db, EMPLOYEES, registry)
    assert (summary.loaded, summary.linked, summary.quarantined) == (2, 1, 1)
    with fresh_db.connect() as conn:
        people = conn.execute("select employee_id, pis, origin from raw.employees order by 1").fetchall()
        moved = conn.execute("select employee_id from raw.punch_adjustments").fetchall()
        link = conn.execute(
            "select afd_employee_id, employee_id, identifier_kind from raw.employee_links"
        ).fetchall()
        bad = conn.execute(
            "select line_number, reason from raw.quarantine where source = 'employees'"
        ).fetchall()
    assert people == [("E11", "10987654321", "registry"), ("E9", "55566677788", "registry")]
    assert moved == [("E9",)]
    assert link == [("AFD-55566677788", "E9", "pis")]
    assert bad == [(3, "pis: 55566677788 already belongs to line 2 of this file")]
    # a later registry naming the same PIS for someone else is refused by line, nothing else changes
    other = tmp_path / "employees2.csv"
    other.write_text(
        "employee_id,name,cpf,pis,department,manager_id,schedule_code,timezone,hired_at\n"
        "E12,Impostor,,55566677788,Operações,,STD_44,,2024-01-02\n",
        encoding="utf-8",
    )
    second = ingest_csv(fresh_db, EMPLOYEES, other)
    assert (second.loaded, second.quarantined) == (0, 1)
    assert (
        _scalar(fresh_db, "select reason from raw.quarantine where file_name = 'employees2.csv'")
        == "pis: 55566677788 already belongs to employee E9"
    )


def test_a_load_that_failed_loads_when_retried(fresh_db: ConnectionInfo) -> None:
    with (
        failing_inserts(fresh_db, "afd_punches", "disk full (simulated)", each="statement"),
        pytest.raises(Exception, match="disk full"),
    ):
        ingest_afd_file(fresh_db, E1)
    retried = ingest_afd_file(fresh_db, E1)
    assert not retried.already_loaded and retried.loaded == 19
