"""The filters and orders the dashboards use (declared once in api_contracts/queries.py) reach the
marts' indexes through the api views, as each role that reads them (row-level security included).

With sorts and sequential scans priced out (enable_sort, enable_incremental_sort and enable_seqscan
off), the planner takes an index that yields the order whenever one can be used; a Sort node left in
the plan means none can: no index fits, or the view hides its table (a view with a WITH clause is
planned on its own, so the ORDER BY and LIMIT of a request never reach the index; style.md asks for
flat api views). Incremental sorts are priced out too: a manager's team is an array the planner
guesses at ten people, and on the tiny test data it then preferred a bitmap scan and an incremental
sort of one row to the index that yields the order.
"""

import json

import pytest

from api_contracts import queries
from tests.conftest import Platform

pytestmark = pytest.mark.api

EMPLOYEE = ("employee", {"role": "employee", "employee_id": "E1"})
MANAGER = ("manager", {"role": "manager", "employee_id": "M1"})

# every declared request that asks for an index, with the roles that read its resource
PLANNED = [request for request in queries.REQUESTS if not request.bounded]


def _plan_nodes(plan: dict) -> list[str]:  # type: ignore[type-arg]
    return [plan["Node Type"]] + [node for child in plan.get("Plans", []) for node in _plan_nodes(child)]


@pytest.mark.parametrize("request_", PLANNED, ids=[f"{item.resource}: {item.name}" for item in PLANNED])
def test_each_dashboard_request_is_served_in_index_order(
    platform: Platform, request_: queries.Request
) -> None:
    roles = queries.readers(request_.resource, queries.SAMPLE["employee"], queries.SAMPLE["manager"])
    with platform.admin.connect() as conn:
        for role, claims in roles:
            columns = conn.execute(queries.READABLE_COLUMNS, {"resource": request_.resource, "role": role})
            for sql in request_.statements(columns=columns.fetchone()[0]):  # type: ignore[index]
                with conn.transaction(force_rollback=True):
                    conn.execute("set local enable_sort = off")
                    conn.execute("set local enable_incremental_sort = off")
                    conn.execute("set local enable_seqscan = off")
                    conn.execute(f"set local role {role}")
                    conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
                    plan = conn.execute(f"explain (format json) {sql}").fetchone()[0][0]["Plan"]  # type: ignore[index]
                nodes = _plan_nodes(plan)
                assert "Sort" not in nodes and "Incremental Sort" not in nodes, (role, sql, nodes)
                assert any("Index" in node for node in nodes), (role, sql, nodes)


def test_api_views_are_flat_selects() -> None:
    """style.md: an api view is one flat select of one mart table (see the module docstring for why)."""
    from pathlib import Path

    models = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "api"
    with_clauses = [
        path.relative_to(models).as_posix()
        for path in models.rglob("*.sql")
        if any(line.strip().lower().startswith("with") for line in path.read_text().splitlines())
    ]
    assert with_clauses == ["platform/data_status.sql"]  # audit rows, not a mart: no dashboard order


@pytest.mark.parametrize(
    ("resource", "mart", "role"),
    [
        ("employees", "dim_employees", MANAGER),  # own or reports
        ("timesheet_daily", "fct_timesheet_daily", EMPLOYEE),  # own
        ("timesheet_daily", "fct_timesheet_daily", MANAGER),  # team: through dim_employees' policy
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else value,
)
def test_the_callers_employee_id_is_read_once_per_statement_not_per_row(
    platform: Platform, resource: str, mart: str, role: tuple[str, dict[str, str]]
) -> None:
    """A row-level security predicate calls auth.employee_id() through a sub-select (an InitPlan): once
    per statement and per reference, whatever the rows the scan filters, sequential scan included."""
    name, claims = role
    with platform.admin.connect() as conn, conn.transaction(force_rollback=True):
        rows = conn.execute(f"select count(*) from marts.{mart}").fetchone()[0]  # type: ignore[index]
        conn.execute("set local track_functions = 'all'")
        conn.execute("set local enable_indexscan = off")  # every row through the policy's filter
        conn.execute("set local enable_bitmapscan = off")
        conn.execute(f"set local role {name}")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        seen = conn.execute(f"select count(*) from api.{resource}").fetchone()[0]  # type: ignore[index]
        conn.execute("reset role")
        calls = conn.execute(
            "select pg_stat_get_xact_function_calls('auth.employee_id()'::regprocedure)"
        ).fetchone()[0]  # type: ignore[index]
    assert rows >= 6 and 0 < seen < rows, (rows, seen)  # a filter over several rows, some kept
    assert 0 < calls <= 2, f"auth.employee_id() ran {calls} times for {rows} rows of {mart}"
