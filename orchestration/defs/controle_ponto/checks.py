"""The controle_ponto expectations: raw inputs before the dbt build, api resources of the shadow build
after it (orchestration/defs/platform/checks.py runs them as Dagster asset checks through GX).
The vocabulary of each check is orchestration/quality/suites.py's."""

from __future__ import annotations

from orchestration.ingest import intervals
from orchestration.quality.suites import (
    ERROR,
    MINUTES_PER_DAY,
    WARN,
    Expectation,
    expectations_of,
    in_set,
    unexpected_rows,
    unique,
)

check = expectations_of("controle_ponto")

EXPECTATIONS: tuple[Expectation, ...] = (
    # (CPF and PIS uniqueness is a unique index on raw.employees: no load can break it)
    check(
        asset="raw/employees",
        name="manager_exists",
        severity=WARN,
        description="manager_id names a loaded employee (else that manager's team view stays empty).",
        build=unexpected_rows(
            "select checked.employee_id, checked.manager_id from {batch} as checked"
            " left join raw.employees as managers on managers.employee_id = checked.manager_id"
            " where checked.manager_id is not null and managers.employee_id is null",
            "employees whose manager_id is not a loaded employee",
        ),
    ),
    check(
        asset="raw/employees",
        name="schedule_exists",
        severity=ERROR,
        description="Every employee's schedule_code is a loaded schedule.",
        build=unexpected_rows(
            "select checked.employee_id, checked.schedule_code from {batch} as checked"
            " left join (select distinct schedule_code from raw.work_schedules) as schedules"
            " on schedules.schedule_code = checked.schedule_code"
            " where checked.schedule_code is not null and schedules.schedule_code is null",
            "employees whose schedule_code is not in raw.work_schedules",
        ),
    ),
    # the build parses these: a malformed value would stop it with a database error instead
    check(
        asset="raw/employees",
        name="timezone_known",
        severity=ERROR,
        description="timezone is an IANA zone PostgreSQL knows.",
        build=unexpected_rows(
            "select checked.employee_id, checked.timezone from {batch} as checked"
            " left join pg_catalog.pg_timezone_names as zones on zones.name = checked.timezone"
            " where checked.timezone is not null and zones.name is null",
            "employees whose timezone PostgreSQL does not know",
        ),
    ),
    check(
        asset="raw/work_schedules",
        name="intervals_well_formed",
        severity=ERROR,
        description="intervals is in the loader's stored form: empty, or HH:MM-HH:MM[,HH:MM-HH:MM...] with"
        " valid times and no interval that ends where it starts (orchestration/ingest/intervals.py).",
        build=unexpected_rows(
            "select schedule_code, weekday, intervals from {batch}"
            f" where not (intervals ~ '{intervals.STORED}') or intervals ~ '{intervals.EMPTY_INTERVAL}'",
            "work schedules whose intervals the loader would not have stored",
        ),
    ),
    check(
        asset="raw/afd_punches",
        name="crc_mostly_ok",
        severity=WARN,
        description="At most 1% of punch records fail their CRC-16.",
        build=in_set("crc_status", ("ok", "absent"), mostly=0.99),
    ),
    check(
        asset="api/employees",
        name="employee_id_unique",
        severity=ERROR,
        description="One row per employee.",
        build=unique("employee_id"),
    ),
    check(
        asset="api/punches",
        name="punch_id_unique",
        severity=ERROR,
        description="One row per punch.",
        build=unique("punch_id"),
    ),
    check(
        asset="api/punches",
        name="employee_exists",
        severity=ERROR,
        description="Every attributed punch belongs to an employee of /employees"
        " (unattributed ones have none yet).",
        build=unexpected_rows(
            "select checked.punch_id from {batch} as checked left join {api}.employees as employees"
            " on employees.employee_id = checked.employee_id"
            " where checked.employee_id is not null and employees.employee_id is null",
            "punches whose employee_id is not served by /employees",
        ),
    ),
    check(
        asset="api/timesheet_daily",
        name="one_row_per_jornada",
        severity=ERROR,
        description="(employee_id, work_date, jornada_of_day) is a key.",
        build=unique("employee_id", "work_date", "jornada_of_day"),
    ),
    # A forgotten punch-out that rule 2(b) does not split (next punch < 16 h later) pairs the punches
    # across days and the jornada can exceed a day: the rules flag it (needs_review, implausible_length)
    # and it waits in HR's queue for include/disregard. What this warn check looks for is a jornada
    # beyond a day that nothing flagged: a rule that let one through unnoticed.
    check(
        asset="api/timesheet_daily",
        name="worked_minutes_within_a_day",
        severity=WARN,
        description="worked_minutes is 0 to 1440 unless the jornada is flagged for HR's review"
        " (needs_review).",
        build=unexpected_rows(
            "select employee_id, work_date from {batch}"
            f" where (worked_minutes < 0 or worked_minutes > {MINUTES_PER_DAY}) and not needs_review",
            "jornadas outside 0 to 1440 worked minutes that are not flagged for review",
        ),
    ),
    check(
        asset="api/timesheet_daily",
        name="night_within_worked",
        severity=WARN,
        description="Night minutes are part of worked minutes.",
        build=unexpected_rows(
            "select employee_id, work_date from {batch} where night_minutes > worked_minutes",
            "days with more night minutes than worked minutes",
        ),
    ),
    check(
        asset="api/timesheet_monthly",
        name="one_row_per_employee_and_month",
        severity=ERROR,
        description="(employee_id, month) is a key.",
        build=unique("employee_id", "month"),
    ),
)
