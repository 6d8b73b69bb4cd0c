"""Every request role against every api resource, with its claims: in SQL (as the role, as PostgREST
sets it) and through PostgREST. The expected matrix is written out here, by hand, so that a change
to the declaration (api_contracts/access.py) that widens or narrows anyone's access fails this test
until the matrix is changed with it.

A cell is the rows the role sees: ALL, OWN (employee_id = its claim), SELF_AND_REPORTS (its row and
its direct reports' in the registry), TEAM (the rows of those employees), or None: no grant (SQL
refuses with 42501; PostgREST answers 401 without a token and 403 with one).
"""

from __future__ import annotations

import json

import httpx
import psycopg
import pytest

from api_contracts.access import IDENTIFIERS
from api_contracts.models import RESOURCES as CONTRACTS
from tests.conftest import Platform, token_for

pytestmark = pytest.mark.api

ALL, OWN, SELF_AND_REPORTS, TEAM, NONE = "all", "own", "self_and_reports", "team", None
MANAGER, EMPLOYEE = "M1", "E1"
CLAIMS = {
    "anon": None,
    "analyst": {"role": "analyst"},
    "hr": {"role": "hr"},
    "manager": {"role": "manager", "employee_id": MANAGER},
    "employee": {"role": "employee", "employee_id": EMPLOYEE},
}
#                     anon   analyst  hr    manager           employee
MATRIX = {
    "customers": (NONE, ALL, NONE, NONE, NONE),
    "customer_orders": (NONE, ALL, NONE, NONE, NONE),
    "daily_sales": (ALL, ALL, NONE, NONE, NONE),
    "customer_segments": (ALL, ALL, NONE, NONE, NONE),
    "sales_by_state": (ALL, ALL, NONE, NONE, NONE),
    "employees": (NONE, ALL, ALL, SELF_AND_REPORTS, OWN),
    "punches": (NONE, NONE, ALL, TEAM, OWN),
    "timesheet_daily": (NONE, NONE, ALL, TEAM, OWN),
    "timesheet_monthly": (NONE, ALL, ALL, TEAM, OWN),
    "punch_anomalies": (NONE, NONE, ALL, TEAM, OWN),
    "treated_punches": (NONE, NONE, ALL, TEAM, OWN),
    "work_timetables": (NONE, ALL, ALL, ALL, ALL),
    "employer": (NONE, ALL, ALL, ALL, ALL),
    "data_status": (ALL, ALL, ALL, ALL, ALL),
}
CELLS = [
    (resource, role, rows) for resource, row in MATRIX.items() for role, rows in zip(CLAIMS, row, strict=True)
]


def test_the_matrix_covers_every_resource() -> None:
    assert set(MATRIX) == set(CONTRACTS)


def _columns(resource: str) -> list[str]:
    """The columns every reader may ask for (identifiers are tested in test_security.py)."""
    model, _key = CONTRACTS[resource]
    return [name for name in model.model_fields if name not in IDENTIFIERS]


def _expected_rows(conn: psycopg.Connection, resource: str, rows: str, employee_id: str | None) -> int:
    """Counted as the superuser (no row security), from the rule's definition."""
    where = {
        ALL: "true",
        OWN: "employee_id = %(me)s",
        SELF_AND_REPORTS: "employee_id = %(me)s or manager_id = %(me)s",
        TEAM: "employee_id in (select employee_id from api.employees"
        " where employee_id = %(me)s or manager_id = %(me)s)",
    }[rows]
    (count,) = conn.execute(
        f"select count(*) from api.{resource} where {where}", {"me": employee_id}
    ).fetchone()  # type: ignore[misc]
    return int(count)


def _sql_rows(conn: psycopg.Connection, resource: str, role: str) -> int | None:
    """Rows the role sees in SQL, as PostgREST runs a request; None when it may not read at all."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(f"set local role {role}")
            conn.execute(
                "select set_config('request.jwt.claims', %s, true)", (json.dumps(CLAIMS[role] or {}),)
            )
            columns = ", ".join(_columns(resource))
            (count,) = conn.execute(
                f"select count(*) from (select {columns} from api.{resource}) as readable"
            ).fetchone()  # type: ignore[misc]
            return int(count)
    except psycopg.errors.InsufficientPrivilege:
        return None


def _http_rows(platform: Platform, resource: str, role: str) -> int | None:
    claims = CLAIMS[role]
    headers = {"Prefer": "count=exact"}
    if claims:
        headers["Authorization"] = f"Bearer {token_for(platform.settings, role, claims.get('employee_id'))}"
    response = httpx.get(
        f"{platform.api_url}/{resource}",
        params={"select": ",".join(_columns(resource)), "limit": "1"},
        headers=headers,
        timeout=60,
    )
    if response.status_code in (401, 403):
        assert response.status_code == (403 if claims else 401), response.text
        assert response.json()["code"] == "42501", response.text
        return None
    assert response.status_code in (200, 206), response.text
    return int(response.headers["Content-Range"].split("/")[1])


@pytest.mark.parametrize(("resource", "role", "rows"), CELLS, ids=[f"{r}-{role}" for r, role, _ in CELLS])
def test_each_role_reads_each_resource_as_declared(
    platform: Platform, resource: str, role: str, rows: str | None
) -> None:
    with platform.admin.connect() as conn:
        employee_id = (CLAIMS[role] or {}).get("employee_id")
        expected = None if rows is None else _expected_rows(conn, resource, rows, employee_id)
        assert _sql_rows(conn, resource, role) == expected
    assert _http_rows(platform, resource, role) == expected
    if rows not in (None, ALL):
        # the rows a restricted role sees are some, not none and not all (else the cell proves little)
        with platform.admin.connect() as conn:
            assert 0 < expected < _expected_rows(conn, resource, ALL, None), (resource, role, expected)  # type: ignore[operator]
