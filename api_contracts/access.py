"""Who reads what, declared once.

Every api resource reads one marts table (the views are ``security_invoker``) and has a row
profile. A profile names each request role that may read the resource and the rows it sees; a role
a profile does not name gets no grant at all. From this declaration:

- dbt grants ``select`` on the api view and on its marts table to the profile's roles, and creates
  one row-level security policy per role on the marts table (``macros/access.sql``, a post-hook of
  every api and marts model); the dbt project holds the same values as vars, checked equal to
  :data:`DBT_VARS` by ``tests/unit/test_vocabulary.py``;
- identifier columns (:data:`IDENTIFIERS`) are granted only to :data:`IDENTIFIER_READERS`; every
  other reader of such a view gets the other columns, column by column;
- ``bi-dash lint`` flags identifiers readable by anyone else;
- the README's table of API resources says who reads each one as ``tests/unit/test_access.py``
  renders it from here;
- ``tests/api/test_access_matrix.py`` checks every role against every resource, in SQL and through
  PostgREST.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api_contracts.vocabulary import REQUEST_ROLES, RequestRole

# The rows a role sees: every row; its own (employee_id = the token's employee_id); its own and its
# direct reports' employee rows; the rows of the employees it sees in the registry (its team)
RowRule = Literal["all", "own", "own_or_reports", "team"]

PROFILES: dict[str, dict[RequestRole, RowRule]] = {
    "public": dict.fromkeys(REQUEST_ROLES, "all"),
    "customer": {"analyst": "all"},
    "aggregate": {"anon": "all", "analyst": "all"},
    "employee_registry": {"hr": "all", "analyst": "all", "manager": "own_or_reports", "employee": "own"},
    "timesheet": {"hr": "all", "manager": "team", "employee": "own"},
    "timesheet_aggregate": {"hr": "all", "analyst": "all", "manager": "team", "employee": "own"},
    "reference": {"hr": "all", "analyst": "all", "manager": "all", "employee": "all"},
}


@dataclass(frozen=True)
class Access:
    profile: str
    mart: str | None  # the marts table the view reads (None: the view reads no marts table)


RESOURCES: dict[str, Access] = {
    "customers": Access("customer", "dim_customers"),
    "customer_orders": Access("customer", "fct_orders"),
    "daily_sales": Access("aggregate", "fct_daily_sales"),
    "customer_segments": Access("aggregate", "fct_customer_segments"),
    "sales_by_state": Access("aggregate", "fct_sales_by_state"),
    "employees": Access("employee_registry", "dim_employees"),
    "punches": Access("timesheet", "fct_punches"),
    "timesheet_daily": Access("timesheet", "fct_timesheet_daily"),
    "timesheet_monthly": Access("timesheet_aggregate", "fct_timesheet_monthly"),
    "punch_anomalies": Access("timesheet", "fct_punch_anomalies"),
    "treated_punches": Access("timesheet", "fct_treated_punches"),
    "work_timetables": Access("reference", "dim_work_timetables"),
    "employer": Access("reference", "dim_employer"),
    "data_status": Access("public", None),
}

# personal identifiers: readable only by these roles, column by column
IDENTIFIERS = ("cpf", "pis")
IDENTIFIER_READERS: tuple[RequestRole, ...] = ("hr",)


DBT_VARS: dict[str, object] = {
    "access_profiles": {name: dict(rules) for name, rules in PROFILES.items()},
    "api_access": {name: {"profile": item.profile, "mart": item.mart} for name, item in RESOURCES.items()},
    "identifiers": list(IDENTIFIERS),
    "identifier_readers": list(IDENTIFIER_READERS),
}
