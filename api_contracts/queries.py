"""The requests the web apps make of each api resource, declared once: their filters and orders.

An index must serve each of them, as every role that reads the resource (``access.py``), row-level
security included. From this declaration:

- ``tests/api/test_index_plans.py`` plans every request as each of those roles and asks that an index
  yields its rows in its order (no Sort node, with sorts and sequential scans priced out);
- ``bench/bench_api.py`` plans them at its scale, as each role, with values read from its data, and
  reports those a sequential scan reads, and each one's milliseconds (``make bench SCALE=L``);
- the README's "Requests an index serves" lists them, as :func:`readme_rows` renders them
  (``tests/unit/test_queries.py`` keeps the two equal).

A request is written as the SQL PostgREST runs for it over the view's columns. Values are named
placeholders (``{employee}``), filled by :data:`SAMPLE` or by the caller. A request that returns a
few dozen rows whatever the data (a whole list of the states, say) names why in ``bounded``: no index
is asked of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from api_contracts import access
from api_contracts.vocabulary import (
    CUSTOMER_SORTS,
    ROLES_WITH_EMPLOYEE,
    VIOLATION_KINDS,
    RequestRole,
)

# the customers page's page size and the anomalies page's cap, as the apps set them (frontends/*/src:
# tests/unit/test_queries.py checks they are equal)
CUSTOMERS_PAGE = 25
ANOMALIES_PAGE = 200


@dataclass(frozen=True)
class Request:
    resource: str
    name: str
    filters: tuple[str, ...] = ("",)  # alternatives, each a where clause over the view ('' = none)
    orders: tuple[str, ...] = ("",)  # alternatives, each an order by ('' = none)
    limit: int | None = None
    bounded: str = ""  # why no index is asked of it: the rows it returns are few whatever the data

    def statements(self, values: dict[str, str] | None = None, columns: str = "*") -> list[str]:
        """Every filter and order of the request as SQL, its placeholders filled; ``columns``: the
        select list (a role that may not read every column asks for those it may: READABLE_COLUMNS)."""
        filled = {**SAMPLE, **(values or {})}
        statements = []
        for where, order in product(self.filters, self.orders):
            sql = f"select {columns} from api.{self.resource}"
            sql += f" where {where}" if where else ""
            sql += f" order by {order}" if order else ""
            sql += f" limit {self.limit}" if self.limit else ""
            statements.append(sql.format(**{name: _literal(value) for name, value in filled.items()}))
        return statements


# the select list of the columns of api.<resource> (%(resource)s) a role (%(role)s) may read, as PostgREST's
# callers ask for them (a role without the identifiers' grant names the other columns)
READABLE_COLUMNS = """
select string_agg(quote_ident(attname), ', ' order by attnum)
from pg_attribute
where attrelid = ('api.' || %(resource)s)::regclass and attnum > 0 and not attisdropped
    and has_column_privilege(%(role)s, attrelid, attnum, 'select')
"""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# what the tests plan with (the plan, not the rows, is what they look at)
SAMPLE: dict[str, str] = {
    "customer": "x",
    "state": "SP",
    "segment": "champions",
    "employee": "E1",
    "manager": "M1",
    "month": "2024-03-01",
    "first_day": "2024-03-01",
    "last_day": "2024-03-31",
    "kind": "incomplete_day",
    "domain": "customer_360",
}

_VIOLATIONS = ", ".join(_literal(kind) for kind in VIOLATION_KINDS)

REQUESTS: tuple[Request, ...] = (
    Request(
        "customers",
        "the customers page: by state, by segment or all, sorted by a column either way",
        filters=("", "state = {state}", "segment = {segment}"),
        orders=tuple(
            f"{column} {way}" + (f", customer_unique_id {way}" if column != "customer_unique_id" else "")
            for column, way in product(CUSTOMER_SORTS, ("desc", "asc"))
        ),
        limit=CUSTOMERS_PAGE,
    ),
    Request("customers", "one customer", filters=("customer_unique_id = {customer}",)),
    Request(
        "customer_orders",
        "one customer's orders, latest first",
        filters=("customer_unique_id = {customer}",),
        orders=("purchased_at desc",),
    ),
    Request(
        "daily_sales",
        "the days of a period",
        filters=("date >= {first_day} and date <= {last_day}",),
        orders=("date",),
    ),
    Request("daily_sales", "the latest day", orders=("date desc",), limit=1),
    Request(
        "customer_segments",
        "every segment by revenue",
        orders=("revenue desc",),
        bounded="one row per RFM segment",
    ),
    Request(
        "sales_by_state",
        "every state by revenue",
        orders=("revenue desc",),
        bounded="one row per state (27)",
    ),
    Request("employees", "one employee", filters=("employee_id = {employee}",)),
    Request(
        "employees",
        "the employees the caller sees",
        bounded="the caller's team, or the whole register for HR: every row it may see is the answer",
    ),
    Request(
        "punches",
        "an employee's punches in a period",
        filters=("employee_id = {employee} and punched_at >= {first_day} and punched_at < {last_day}",),
        orders=("punched_at",),
    ),
    Request(
        "timesheet_daily",
        "an employee's month",
        filters=("employee_id = {employee} and work_date >= {first_day} and work_date <= {last_day}",),
        orders=("work_date, jornada_of_day",),
    ),
    Request(
        "timesheet_monthly",
        "an employee's month, and an employee's latest month",
        filters=("employee_id = {employee} and month = {month}", "employee_id = {employee}"),
        orders=("month desc",),
    ),
    Request(
        "timesheet_monthly",
        "everyone's month (the team and closing pages)",
        filters=("month = {month}",),
        orders=("employee_id",),
    ),
    Request("timesheet_monthly", "the latest month", orders=("month desc",), limit=1),
    Request(
        "punch_anomalies",
        "the anomalies of a kind, or the queue (every kind but the violations), latest day first",
        filters=("kind = {kind}", f"kind not in ({_VIOLATIONS})"),
        orders=("work_date desc nulls first, anomaly_id desc",),
        limit=ANOMALIES_PAGE,
    ),
    Request(
        "treated_punches",
        "an employee's treated punches in a period (the Espelho de Ponto)",
        filters=("employee_id = {employee} and punched_at >= {first_day} and punched_at < {last_day}",),
        orders=("punched_at",),
    ),
    Request(
        "work_timetables",
        "every timetable",
        bounded="a few rows per schedule: the company's timetables",
    ),
    Request("employer", "the employer", bounded="one row per establishment"),
    Request(
        "data_status",
        "one domain's resources",
        filters=("domain = {domain}",),
        bounded="one row per api resource (audit, not a mart)",
    ),
)


def readers(resource: str, employee: str, manager: str) -> list[tuple[RequestRole, dict[str, str]]]:
    """Every role that reads the resource, with the token claims it plans with (an employee's own
    rows as ``employee``; a manager's team as ``manager``)."""
    profile = access.PROFILES[access.RESOURCES[resource].profile]
    found: list[tuple[RequestRole, dict[str, str]]] = []
    for role in profile:
        claims: dict[str, str] = {"role": role}
        if role in ROLES_WITH_EMPLOYEE:
            claims["employee_id"] = manager if role == "manager" else employee
        found.append((role, claims))
    return found


def readme_rows() -> list[str]:
    """The README's table of the requests, one row per declared request."""
    rows = []
    for request in REQUESTS:
        filters = " · ".join(f"`{where}`" if where else "none" for where in request.filters)
        orders = " · ".join(f"`{order}`" for order in request.orders if order) or "none"
        limit = str(request.limit) if request.limit else "all"
        index = f"none asked: {request.bounded}" if request.bounded else "yes"
        rows.append(f"| `{request.resource}` | {request.name} | {filters} | {orders} | {limit} | {index} |")
    return rows
