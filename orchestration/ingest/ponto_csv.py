"""controle_ponto CSV inputs: the employee registry and the work schedules."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import psycopg
from psycopg import sql

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.ingest.brazil import is_cnpj, is_cpf
from orchestration.ingest.csv_tables import (
    BadValue,
    Column,
    CsvTable,
    Rejected,
    date,
    digits,
    load_csv_table,
    text,
)
from orchestration.ingest.intervals import BadIntervals, parse_intervals
from orchestration.ingest.summary import FileSummary
from orchestration.runtime.database import ConnectionInfo


def timezone(value: str) -> str | None:
    """An IANA zone; empty means the default establishment zone."""
    value = value.strip()
    if not value:
        return DEFAULT_TIME_ZONE
    if value not in available_timezones():
        raise BadValue(f"unknown time zone {value!r}")
    ZoneInfo(value)
    return value


def intervals(value: str) -> str | None:
    """A schedule cell in its stored form (the grammar: :mod:`orchestration.ingest.intervals`)."""
    try:
        return parse_intervals(value)
    except BadIntervals as exc:
        raise BadValue(str(exc)) from None


def weekday(value: str) -> str | None:
    value = value.strip()
    if value not in {"1", "2", "3", "4", "5", "6", "7"}:
        raise BadValue(f"weekday must be 1 (Monday) to 7 (Sunday), got {value!r}")
    return value


IDENTIFIERS = ("cpf", "pis")


def settle_identities(
    conn: psycopg.Connection, staged: sql.Identifier, file_id: int, summary: FileSummary
) -> list[Rejected]:
    """The registry after AFD files: a CPF or PIS belongs to one employee.

    - a row whose CPF/PIS another row of the file already claims, or that belongs to another employee of
      the registry, is rejected with its line (the first claim wins);
    - a person registered from an AFD type-5 record (``AFD-<id>``) with the row's CPF/PIS is linked to the
      row's employee: the AFD registration is replaced, and HR adjustments and justified absences made
      under the AFD id move to the employee (punches follow by CPF/PIS); ``raw.employee_links`` keeps it.
    """
    rejected: list[Rejected] = []
    for column in IDENTIFIERS:
        ident = sql.Identifier(column)
        rows = conn.execute(
            sql.SQL(
                """
                select staged._line, staged._raw, staged.{ident}, coalesce(
                    (select min(earlier._line) from {staged} as earlier
                     where earlier.{ident} = staged.{ident} and earlier._line < staged._line)::text,
                    (select known.employee_id from raw.employees as known
                     where known.{ident} = staged.{ident} and known.employee_id <> staged.employee_id
                       and known.origin <> 'afd')
                ) as claimed_by,
                exists (select from {staged} as earlier
                        where earlier.{ident} = staged.{ident} and earlier._line < staged._line) as in_file
                from {staged} as staged
                where staged.{ident} is not null
                """
            ).format(ident=ident, staged=staged)
        ).fetchall()
        for line, raw, value, claimed_by, in_file in rows:
            if claimed_by is None:
                continue
            who = f"line {claimed_by} of this file" if in_file else f"employee {claimed_by}"
            rejected.append((line, raw, f"{column}: {value} already belongs to {who}"))
    if rejected:
        conn.execute(
            sql.SQL("delete from {} where _line = any(%s)").format(staged),
            ([line for line, _, _ in rejected],),
        )
    links = conn.execute(
        sql.SQL(
            """
            select distinct on (afd.employee_id) afd.employee_id, staged.employee_id,
                   case when afd.pis = staged.pis then 'pis' else 'cpf' end
            from raw.employees as afd
            join {staged} as staged on afd.pis = staged.pis or afd.cpf = staged.cpf
            where afd.origin = 'afd' and afd.employee_id <> staged.employee_id
            order by afd.employee_id, staged._line
            """
        ).format(staged=staged)
    ).fetchall()
    for afd_id, employee_id, kind in links:
        conn.execute(
            "update raw.punch_adjustments set employee_id = %s, loaded_xid = pg_current_xact_id()"
            " where employee_id = %s",
            (employee_id, afd_id),
        )
        conn.execute(
            "update raw.absence_justifications set employee_id = %s, loaded_xid = pg_current_xact_id()"
            " where employee_id = %s",
            (employee_id, afd_id),
        )
        conn.execute(
            "insert into raw.employee_links (afd_employee_id, employee_id, identifier_kind, file_id)"
            " values (%s, %s, %s, %s) on conflict (afd_employee_id) do update"
            " set employee_id = excluded.employee_id, linked_at = now(), file_id = excluded.file_id",
            (afd_id, employee_id, kind, file_id),
        )
        conn.execute("delete from raw.employees where employee_id = %s", (afd_id,))
    summary.linked = len(links)
    return rejected


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
        Column("job_title"),
    ],
    optional_columns=["job_title"],
    settle=settle_identities,
)


def cnpj_or_cpf(value: str) -> str | None:
    """A CNPJ (14 digits) or a CPF (11), punctuation allowed, with valid check digits."""
    cleaned = re.sub(r"[.\-/\s]", "", value)
    if not cleaned:
        return None
    if len(cleaned) == 14 and is_cnpj(cleaned):
        return cleaned
    if len(cleaned) == 11 and is_cpf(cleaned):
        return cleaned
    raise BadValue(f"{value.strip()!r} is not a valid CNPJ or CPF (check digits)")


# the employer the AEJ and the Espelho name (one row; the latest load wins), and who develops the
# time-keeping program (the employer itself when left empty)
EMPLOYER = CsvTable(
    source="employers",
    table="employers",
    domain="controle_ponto",
    key=["employer_id"],
    columns=[
        Column("employer_id", cnpj_or_cpf, required=True),
        Column("name", text, required=True),
        Column("caepf", digits(14)),
        Column("cno", digits(12)),
        Column("time_zone", timezone, required=True),
        Column("developer_id", cnpj_or_cpf),
        Column("developer_name"),
        Column("developer_email"),
    ],
    optional_columns=["caepf", "cno", "time_zone", "developer_id", "developer_name", "developer_email"],
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
