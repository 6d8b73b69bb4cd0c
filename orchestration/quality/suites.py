"""Expectations as code: the Great Expectations suites of the raw inputs and the api resources.

Each :class:`Expectation` is one Dagster asset check (``<asset>:<name>``) with a severity: ``error``
blocks the publish, ``warn`` only reports. The api suites run against the shadow build
(``api__next``) before it is published; the raw suites against ``raw``. GX itself is imported only
when the suites run (``build`` receives the ``great_expectations.expectations`` module).

Besides this list, every run adds (see :func:`derived_expectations`):
- ``row_count_vs_published`` (error) on each api resource: at least half the rows of the build the
  API serves now (a collapsed build, e.g. from a truncated input, is not published);
- ``freshness`` (warn) on each raw source table whose dbt source declares ``freshness.warn_after``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from api_contracts.vocabulary import ORDER_STATUSES, SEGMENTS
from orchestration.ingest import intervals

BRAZILIAN_STATES = "AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split()
MINUTES_PER_DAY = 24 * 60
# a build with fewer rows than this share of the published one is withheld
MIN_ROW_SHARE = 0.5


@dataclass(frozen=True)
class SuiteContext:
    """What an expectation may depend on in this run."""

    api_schema: str  # api__next during a refresh
    published_rows: Mapping[str, int] = field(default_factory=dict)
    min_row_share: float = MIN_ROW_SHARE


Builder = Callable[[Any, SuiteContext], Any]  # (gxe module, context) -> gxe.Expectation


@dataclass(frozen=True)
class Expectation:
    asset: str  # Dagster asset key path: raw/<table> or api/<view>
    name: str
    domain: str
    severity: str  # error | warn
    description: str
    build: Builder

    @property
    def layer(self) -> str:
        return self.asset.split("/")[0]

    @property
    def table(self) -> str:
        return self.asset.split("/")[1]

    @property
    def label(self) -> str:
        return f"{self.asset}:{self.name}"


def _unexpected_rows(query: str, description: str) -> Builder:
    """Rows the query returns are violations; ``{batch}`` is the checked table, ``{api}`` the api schema.

    A query with a join must alias ``{batch}`` itself (GX then substitutes the bare table or
    subquery); a query without a join must not (GX adds ``as subselect``).
    """

    def build(gxe: Any, context: SuiteContext) -> Any:
        return gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=query.replace("{api}", context.api_schema), description=description
        )

    return build


def _unique(*columns: str) -> Builder:
    def build(gxe: Any, _: SuiteContext) -> Any:
        if len(columns) == 1:
            return gxe.ExpectColumnValuesToBeUnique(column=columns[0])
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))

    return build


def _not_null(column: str) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToNotBeNull(column=column)


def _between(column: str, low: float | None, high: float | None, mostly: float = 1.0) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, mostly=mostly
    )


def _in_set(column: str, values: Sequence[str], mostly: float = 1.0) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=list(values), mostly=mostly
    )


C360, PONTO = "customer_360", "controle_ponto"
E, W = "error", "warn"

EXPECTATIONS: tuple[Expectation, ...] = (
    # --- customer_360: raw inputs ------------------------------------------------------------------
    Expectation(
        "raw/olist_orders",
        "customer_exists",
        C360,
        E,
        "Every order's customer_id is a loaded customer.",
        _unexpected_rows(
            "select checked.order_id, checked.customer_id from {batch} as checked"
            " left join raw.olist_customers as customers on customers.customer_id = checked.customer_id"
            " where customers.customer_id is null",
            "orders whose customer_id is not in raw.olist_customers",
        ),
    ),
    Expectation(
        "raw/olist_orders",
        "status_allowed",
        C360,
        E,
        "order_status is one of Olist's statuses.",
        _in_set("order_status", ORDER_STATUSES),
    ),
    Expectation(
        "raw/olist_order_items",
        "order_exists",
        C360,
        E,
        "Every item belongs to a loaded order.",
        _unexpected_rows(
            "select checked.order_id, checked.order_item_id from {batch} as checked"
            " left join raw.olist_orders as orders on orders.order_id = checked.order_id"
            " where orders.order_id is null",
            "items whose order_id is not in raw.olist_orders",
        ),
    ),
    Expectation(
        "raw/olist_order_items",
        "price_not_negative",
        C360,
        E,
        "price and freight are >= 0.",
        _unexpected_rows(
            "select order_id, order_item_id from {batch} where price < 0 or freight_value < 0",
            "items with a negative price or freight",
        ),
    ),
    Expectation(
        "raw/olist_order_payments",
        "payment_not_negative",
        C360,
        E,
        "payment_value >= 0.",
        _between("payment_value", 0, None),
    ),
    Expectation(
        "raw/olist_order_reviews",
        "review_score_between_1_and_5",
        C360,
        E,
        "review_score is 1 to 5.",
        _between("review_score", 1, 5),
    ),
    Expectation(
        "raw/olist_customers",
        "customer_unique_id_not_null",
        C360,
        E,
        "Every customer names the person.",
        _not_null("customer_unique_id"),
    ),
    Expectation(
        "raw/olist_customers",
        "state_is_brazilian",
        C360,
        W,
        "customer_state is a Brazilian UF.",
        _in_set("customer_state", BRAZILIAN_STATES),
    ),
    # --- customer_360: the api resources (shadow build) --------------------------------------------
    Expectation(
        "api/customers",
        "customer_unique_id_unique",
        C360,
        E,
        "One row per person.",
        _unique("customer_unique_id"),
    ),
    Expectation(
        "api/customers",
        "avg_review_score_between_1_and_5",
        C360,
        E,
        "Review means stay within 1-5.",
        _between("avg_review_score", 1, 5),
    ),
    Expectation(
        "api/customers",
        "total_spent_not_negative",
        C360,
        E,
        "total_spent >= 0.",
        _between("total_spent", 0, None),
    ),
    Expectation("api/customer_orders", "order_id_unique", C360, E, "One row per order.", _unique("order_id")),
    Expectation(
        "api/customer_orders",
        "customer_exists",
        C360,
        E,
        "Every order's customer is in /customers.",
        _unexpected_rows(
            "select checked.order_id from {batch} as checked left join {api}.customers as customers"
            " on customers.customer_unique_id = checked.customer_unique_id"
            " where customers.customer_unique_id is null",
            "orders whose customer_unique_id is not served by /customers",
        ),
    ),
    Expectation(
        "api/customer_orders",
        "review_score_between_1_and_5",
        C360,
        E,
        "review_score is 1 to 5.",
        _between("review_score", 1, 5),
    ),
    Expectation("api/daily_sales", "date_unique", C360, E, "One row per date.", _unique("date")),
    Expectation(
        "api/daily_sales", "revenue_not_negative", C360, E, "revenue >= 0.", _between("revenue", 0, None)
    ),
    Expectation(
        "api/customer_segments",
        "segment_allowed",
        C360,
        E,
        "The RFM segments of the contract.",
        _in_set("segment", SEGMENTS),
    ),
    Expectation(
        "api/sales_by_state",
        "state_is_brazilian",
        C360,
        W,
        "Sales are attributed to Brazilian UFs.",
        _in_set("state", BRAZILIAN_STATES),
    ),
    # --- controle_ponto: raw inputs ----------------------------------------------------------------
    # (CPF and PIS uniqueness is a unique index on raw.employees: no load can break it)
    Expectation(
        "raw/employees",
        "manager_exists",
        PONTO,
        W,
        "manager_id names a loaded employee (else that manager's team view stays empty).",
        _unexpected_rows(
            "select checked.employee_id, checked.manager_id from {batch} as checked"
            " left join raw.employees as managers on managers.employee_id = checked.manager_id"
            " where checked.manager_id is not null and managers.employee_id is null",
            "employees whose manager_id is not a loaded employee",
        ),
    ),
    Expectation(
        "raw/employees",
        "schedule_exists",
        PONTO,
        E,
        "Every employee's schedule_code is a loaded schedule.",
        _unexpected_rows(
            "select checked.employee_id, checked.schedule_code from {batch} as checked"
            " left join (select distinct schedule_code from raw.work_schedules) as schedules"
            " on schedules.schedule_code = checked.schedule_code"
            " where checked.schedule_code is not null and schedules.schedule_code is null",
            "employees whose schedule_code is not in raw.work_schedules",
        ),
    ),
    # the build parses these: a malformed value would stop it with a database error instead
    Expectation(
        "raw/employees",
        "timezone_known",
        PONTO,
        E,
        "timezone is an IANA zone PostgreSQL knows.",
        _unexpected_rows(
            "select checked.employee_id, checked.timezone from {batch} as checked"
            " left join pg_catalog.pg_timezone_names as zones on zones.name = checked.timezone"
            " where checked.timezone is not null and zones.name is null",
            "employees whose timezone PostgreSQL does not know",
        ),
    ),
    Expectation(
        "raw/work_schedules",
        "intervals_well_formed",
        PONTO,
        E,
        "intervals is in the loader's stored form: empty, or HH:MM-HH:MM[,HH:MM-HH:MM...] with valid"
        " times and no interval that ends where it starts (orchestration/ingest/intervals.py).",
        _unexpected_rows(
            "select schedule_code, weekday, intervals from {batch}"
            f" where not (intervals ~ '{intervals.STORED}') or intervals ~ '{intervals.EMPTY_INTERVAL}'",
            "work schedules whose intervals the loader would not have stored",
        ),
    ),
    Expectation(
        "raw/afd_punches",
        "crc_mostly_ok",
        PONTO,
        W,
        "At most 1% of punch records fail their CRC-16.",
        _in_set("crc_status", ("ok", "absent"), mostly=0.99),
    ),
    # --- controle_ponto: the api resources (shadow build) ------------------------------------------
    Expectation(
        "api/employees", "employee_id_unique", PONTO, E, "One row per employee.", _unique("employee_id")
    ),
    Expectation("api/punches", "punch_id_unique", PONTO, E, "One row per punch.", _unique("punch_id")),
    Expectation(
        "api/punches",
        "employee_exists",
        PONTO,
        E,
        "Every attributed punch belongs to an employee of /employees (unattributed ones have none yet).",
        _unexpected_rows(
            "select checked.punch_id from {batch} as checked left join {api}.employees as employees"
            " on employees.employee_id = checked.employee_id"
            " where checked.employee_id is not null and employees.employee_id is null",
            "punches whose employee_id is not served by /employees",
        ),
    ),
    Expectation(
        "api/timesheet_daily",
        "one_row_per_jornada",
        PONTO,
        E,
        "(employee_id, work_date, jornada_of_day) is a key.",
        _unique("employee_id", "work_date", "jornada_of_day"),
    ),
    # A forgotten punch-out that rule 2(b) does not split (next punch < 16 h later) pairs the punches
    # across days and the jornada can exceed a day: the rules flag it (needs_review, implausible_length)
    # and it waits in HR's queue for include/disregard. What this warn check looks for is a jornada
    # beyond a day that nothing flagged: a rule that let one through unnoticed.
    Expectation(
        "api/timesheet_daily",
        "worked_minutes_within_a_day",
        PONTO,
        W,
        "worked_minutes is 0 to 1440 unless the jornada is flagged for HR's review (needs_review).",
        _unexpected_rows(
            "select employee_id, work_date from {batch}"
            f" where (worked_minutes < 0 or worked_minutes > {MINUTES_PER_DAY}) and not needs_review",
            "jornadas outside 0 to 1440 worked minutes that are not flagged for review",
        ),
    ),
    Expectation(
        "api/timesheet_daily",
        "night_within_worked",
        PONTO,
        W,
        "Night minutes are part of worked minutes.",
        _unexpected_rows(
            "select employee_id, work_date from {batch} where night_minutes > worked_minutes",
            "days with more night minutes than worked minutes",
        ),
    ),
    Expectation(
        "api/timesheet_monthly",
        "one_row_per_employee_and_month",
        PONTO,
        E,
        "(employee_id, month) is a key.",
        _unique("employee_id", "month"),
    ),
)


def _row_count(resource: str) -> Builder:
    def build(gxe: Any, context: SuiteContext) -> Any:
        published = context.published_rows.get(resource, 0)
        return gxe.ExpectTableRowCountToBeBetween(
            min_value=int(published * context.min_row_share), max_value=None
        )

    return build


def _freshness(hours: float) -> Builder:
    return _unexpected_rows(
        "select max(loaded_at) as newest_loaded_at from {batch}"
        f" having max(loaded_at) < now() - interval '{float(hours)} hours'",
        f"the newest row was loaded more than {hours:g} hours ago",
    )


_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def derived_expectations(
    api_resources: Mapping[str, str], fresh_sources: Mapping[str, tuple[str, float]]
) -> tuple[Expectation, ...]:
    """Row-count anomaly checks per api resource (view -> domain) and freshness per declared source
    (raw table -> (domain, warn_after hours))."""
    counts = tuple(
        Expectation(
            f"api/{view}",
            "row_count_vs_published",
            domain,
            E,
            f"At least {MIN_ROW_SHARE:.0%} of the rows the API serves now (refresh --allow-shrink: any).",
            _row_count(view),
        )
        for view, domain in sorted(api_resources.items())
    )
    freshness = tuple(
        Expectation(
            f"raw/{table}",
            "freshness",
            domain,
            W,
            f"Loaded within the last {hours:g} hours (dbt source freshness warn_after).",
            _freshness(hours),
        )
        for table, (domain, hours) in sorted(fresh_sources.items())
    )
    return counts + freshness


def freshness_hours(freshness: Mapping[str, Any] | None) -> float | None:
    """dbt's ``{'warn_after': {'count': 2, 'period': 'day'}}`` → 48.0 (None when not declared)."""
    warn_after = (freshness or {}).get("warn_after") or {}
    if not warn_after.get("count") or warn_after.get("period") not in _HOURS:
        return None
    return float(warn_after["count"]) * _HOURS[warn_after["period"]]
