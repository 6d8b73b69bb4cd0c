"""The controle_ponto expectations on the raw inputs, checked before the dbt build (what they are, and
why the api resources' checks are dbt tests instead: orchestration/quality/suites.py)."""

from __future__ import annotations

from orchestration.ingest import intervals
from orchestration.quality.suites import (
    ERROR,
    WARN,
    Expectation,
    expectations_of,
    found_in,
    in_set,
    unexpected_rows,
)

check = expectations_of("controle_ponto")

EXPECTATIONS: tuple[Expectation, ...] = (
    # (CPF and PIS uniqueness is a unique index on raw.employees: no load can break it)
    check(
        asset="raw/employees",
        name="manager_exists",
        severity=WARN,
        description="manager_id names a loaded employee (else that manager's team view stays empty).",
        build=found_in(
            "manager_id",
            "raw.employees",
            "employee_id",
            shown="employee_id",
            description="employees whose manager_id is not a loaded employee",
        ),
    ),
    check(
        asset="raw/employees",
        name="schedule_exists",
        severity=ERROR,
        description="Every employee's schedule_code is a loaded schedule.",
        build=found_in(
            "schedule_code",
            "(select distinct schedule_code from raw.work_schedules)",
            "schedule_code",
            shown="employee_id",
            description="employees whose schedule_code is not in raw.work_schedules",
        ),
    ),
    # the build parses these: a malformed value would stop it with a database error instead
    check(
        asset="raw/employees",
        name="timezone_known",
        severity=ERROR,
        description="timezone is an IANA zone PostgreSQL knows.",
        build=found_in(
            "timezone",
            "pg_catalog.pg_timezone_names",
            "name",
            shown="employee_id",
            description="employees whose timezone PostgreSQL does not know",
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
)
