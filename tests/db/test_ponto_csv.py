from pathlib import Path

import pytest

from orchestration.ingest.ponto_csv import EMPLOYEES, SCHEDULES, ingest_csv
from orchestration.runtime.database import ConnectionInfo

pytestmark = pytest.mark.db
DATA = Path(__file__).resolve().parents[1] / "data" / "ponto"


def test_employees_load_with_normalised_identifiers_and_default_zone(fresh_db: ConnectionInfo) -> None:
    summary = ingest_csv(fresh_db, EMPLOYEES, DATA / "employees.csv")
    assert (summary.loaded, summary.quarantined) == (3, 0)
    with fresh_db.connect() as conn:
        rows = conn.execute(
            "select employee_id, cpf, timezone, manager_id from raw.employees order by 1"
        ).fetchall()
    assert rows == [
        ("E1", "11144477735", "America/Sao_Paulo", "M1"),
        ("E2", "98765432100", "America/Sao_Paulo", "M1"),
        ("M1", "52998224725", "America/Sao_Paulo", None),
    ]


def test_bad_employee_rows_are_reported_with_line_numbers(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    path = tmp_path / "employees.csv"
    path.write_text(
        "employee_id,name,cpf,pis,department,manager_id,schedule_code,timezone,hired_at\n"
        "E1,Ok Person,11144477735,,Ops,,STD_44,America/Sao_Paulo,2020-01-01\n"
        ",No Id,,,Ops,,STD_44,,2020-01-01\n"
        "E3,Bad Cpf,123,,Ops,,STD_44,,2020-01-01\n"
        "E4,Bad Date,,,Ops,,STD_44,,01/02/2020\n"
        "E5,Bad Zone,,,Ops,,STD_44,Brazil/Nowhere,2020-01-01\n"
    )
    summary = ingest_csv(fresh_db, EMPLOYEES, path)
    assert (summary.loaded, summary.quarantined) == (1, 4)
    with fresh_db.connect() as conn:
        rows = conn.execute("select line_number, reason from raw.quarantine order by line_number").fetchall()
    assert rows == [
        (3, "employee_id: missing"),
        (4, "cpf: '123' is not 11 digits"),
        (5, "hired_at: not a date (yyyy-mm-dd): '01/02/2020'"),
        (6, "timezone: unknown time zone 'Brazil/Nowhere'"),
    ]


def test_schedules_load_and_reject_bad_intervals(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    assert ingest_csv(fresh_db, SCHEDULES, DATA / "schedules.csv").loaded == 7
    bad = tmp_path / "schedules.csv"
    bad.write_text("schedule_code,weekday,intervals\nX,8,08:00-12:00\nX,1,8h-12h\nX,2,\n")
    summary = ingest_csv(fresh_db, SCHEDULES, bad)
    assert (summary.loaded, summary.quarantined) == (1, 2)  # X,2 with no intervals is a day off
    assert sorted(summary.reasons) == [
        "intervals: bad interval … (expected hh:mm-hh:mm)",
        "weekday: weekday must be N (Monday) to N (Sunday), got …",
    ]


def test_local_holidays_load_beside_the_national_calendar(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    from orchestration.ingest.holidays_sync import sync_national_holidays
    from orchestration.ingest.ponto_csv import LOCAL_HOLIDAYS

    assert sync_national_holidays(fresh_db) >= 1
    with fresh_db.connect() as conn, conn.transaction():
        from orchestration.ingest.holidays_sync import upsert_national_holidays

        upsert_national_holidays(conn, 2024, 2024)
    path = tmp_path / "holidays.csv"
    path.write_text("holiday_date,name\n2024-01-25,Aniversário de São Paulo\n2024-13-01,Bad\n")
    summary = ingest_csv(fresh_db, LOCAL_HOLIDAYS, path)
    assert (summary.loaded, summary.quarantined) == (1, 1)
    with fresh_db.connect() as conn:
        rows = conn.execute(
            "select holiday_date::text, scope, name from raw.local_holidays "
            "where holiday_date in ('2024-01-25', '2024-04-21') order by 1"
        ).fetchall()
    assert rows == [
        ("2024-01-25", "local", "Aniversário de São Paulo"),
        ("2024-04-21", "national", "Tiradentes"),
    ]
