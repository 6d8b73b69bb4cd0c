"""controle_ponto CSV inputs: the employee registry and the work schedules."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from orchestration.ingest.csv_tables import BadValue, Column, CsvTable, date, digits, load_csv_table, text
from orchestration.ingest.summary import FileSummary
from orchestration.runtime.database import ConnectionInfo

_INTERVAL = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


DEFAULT_TIMEZONE = "America/Sao_Paulo"


def timezone(value: str) -> str | None:
    """An IANA zone; empty means the default establishment zone."""
    value = value.strip()
    if not value:
        return DEFAULT_TIMEZONE
    if value not in available_timezones():
        raise BadValue(f"unknown time zone {value!r}")
    ZoneInfo(value)
    return value


def intervals(value: str) -> str | None:
    """`08:00-12:00,13:00-17:00`; an interval may cross midnight (22:00-02:00). Empty means a day off."""
    cleaned = value.replace(" ", "")
    if not cleaned:
        return ""
    parts = cleaned.split(",")
    for part in parts:
        if not _INTERVAL.match(part):
            raise BadValue(f"bad interval {part!r} (expected hh:mm-hh:mm)")
        start, end = part.split("-")
        if start == end:
            raise BadValue(f"empty interval {part!r}")
    return ",".join(parts)


def weekday(value: str) -> str | None:
    value = value.strip()
    if value not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise BadValue(f"weekday must be 1 (Monday) to 7 (Sunday), got {value!r}")
    return value


EMPLOYEES = CsvTable(
    source="employees",
    table="employees",
    domain="controle_ponto",
    key=["employee_id"],
    columns=[
        Column("employee_id", text, required=True),
        Column("name", text, required=True),
        Column("cpf", digits(11)),
        Column("pis", digits(11)),
        Column("department"),
        Column("manager_id"),
        Column("schedule_code"),
        Column("timezone", timezone, required=True),
        Column("hired_at", date),
    ],
)

SCHEDULES = CsvTable(
    source="work_schedules",
    table="work_schedules",
    domain="controle_ponto",
    key=["schedule_code", "weekday"],
    columns=[
        Column("schedule_code", text, required=True),
        Column("weekday", weekday, required=True),
        Column("intervals", intervals, required=True),
    ],
)


def holiday_scope(value: str) -> str | None:
    """Where a local holiday applies (a city or state name); 'national' is reserved for the library."""
    value = value.strip() or "local"
    if value == "national":
        raise BadValue("scope 'national' comes from the holidays library; use the city or state name")
    return value


LOCAL_HOLIDAYS = CsvTable(
    source="local_holidays",
    table="local_holidays",
    domain="controle_ponto",
    key=["holiday_date", "scope"],
    columns=[
        Column("holiday_date", date, required=True),
        Column("scope", holiday_scope, required=True),
        Column("name", text, required=True),
    ],
    optional_columns=["scope"],
)


def ingest_csv(admin: ConnectionInfo, spec: CsvTable, path: Path) -> FileSummary:
    with admin.connect() as conn, conn.transaction():
        return load_csv_table(conn, spec, path)
