"""The platform's vocabularies, each written once.

Every other place that needs one of these lists derives it from here or is checked against it:

- the API contracts (`api_contracts.models`) use the ``Literal`` types;
- Python (loaders, quality suites, tokens, users, lint) imports the tuples;
- dbt reads them as project vars (``var('segments')`` in SQL and in ``accepted_values`` tests): the
  values in ``dbt_project/dbt_project.yml`` are checked equal to :data:`DBT_VARS` by
  ``tests/unit/test_vocabulary.py``;
- the web apps and their scripts import ``frontends/shared/src/vocabulary.gen.json``, this module's
  rendering: the same test checks it (and rewrites it with ``UPDATE_SNAPSHOTS=1``).

The rules that produce a value (the RFM segment rules, the anomaly detection) stay where they are
written, in SQL; the ``accepted_values`` tests built from these vars pin that they emit nothing else.
"""

from __future__ import annotations

from typing import Literal, get_args

# --- customer_360 ---------------------------------------------------------------------------------
OrderStatus = Literal[
    "delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created", "approved"
]
ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
# an order in one of these statuses counts for nothing: no spend, no frequency, no sales
INVALID_ORDER_STATUSES: tuple[OrderStatus, ...] = ("canceled", "unavailable")

# RFM segments in the order their rules are tried; `inactive` is a person with no valid order
Segment = Literal["champions", "loyal", "new", "at_risk", "lost", "regular", "inactive"]
SEGMENTS: tuple[str, ...] = get_args(Segment)

# the 26 states and the Federal District, as Olist writes a customer's state (UF codes)
BRAZILIAN_STATES: tuple[str, ...] = tuple(
    "AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split()
)

# the columns the customers page sorts by, either way; each is never null (a not_null test each), so
# the page asks for the database's default null order and an index yields it (api_contracts/queries.py)
CUSTOMER_SORTS: tuple[str, ...] = ("total_spent", "orders_count", "last_order_at", "customer_unique_id")

# --- controle_ponto -------------------------------------------------------------------------------
PunchStatus = Literal["kept", "duplicate", "disregarded", "included", "unattributed"]
PUNCH_STATUSES: tuple[str, ...] = get_args(PunchStatus)
ReviewReason = Literal["no_schedule", "implausible_length", "long_pair"]
REVIEW_REASONS: tuple[str, ...] = get_args(ReviewReason)
AbsenceCategory = Literal["medical_certificate", "legal_leave", "vacation", "time_off_in_lieu", "other"]
ABSENCE_CATEGORIES: tuple[str, ...] = get_args(AbsenceCategory)
AnomalyKind = Literal[
    "incomplete_day",
    "needs_review",
    "unjustified_absence",
    "break_violation",
    "rest_violation",
    "overtime_over_limit",
    "duplicate_punch",
    "bad_crc",
    "unknown_identity",
    "nsr_conflict",
    "rep_p_chain_break",
    "file_notice",
    "quarantined_line",
]
ANOMALY_KINDS: tuple[str, ...] = get_args(AnomalyKind)
# CLT violations of a closed day; the other kinds are the queue HR works through
VIOLATION_KINDS: tuple[AnomalyKind, ...] = ("break_violation", "rest_violation", "overtime_over_limit")

# Local time of the business: Olist timestamps, daily buckets, AFD 1510 wall-clock times, and the
# zone of an employee or establishment whose file names none
DEFAULT_TIME_ZONE = "America/Sao_Paulo"

# --- the platform ---------------------------------------------------------------------------------
# the database roles a request runs as (the `role` claim of a token); anon needs no token
RequestRole = Literal["anon", "analyst", "hr", "manager", "employee"]
REQUEST_ROLES: tuple[RequestRole, ...] = get_args(RequestRole)
# roles whose token names the employee its rows belong to
ROLES_WITH_EMPLOYEE: tuple[RequestRole, ...] = ("manager", "employee")
# roles a person signs in as (anon is nobody)
SESSION_ROLES: tuple[str, ...] = tuple(role for role in REQUEST_ROLES if role != "anon")

# how the last attempt to publish a resource ended (audit.published_resources, /data_status)
Outcome = Literal["published", "blocked", "failed", "running"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

# the dbt project's vars with these values (dbt_project.yml is checked equal to this)
DBT_VARS: dict[str, object] = {
    "business_time_zone": DEFAULT_TIME_ZONE,
    "order_statuses": list(ORDER_STATUSES),
    "invalid_order_statuses": list(INVALID_ORDER_STATUSES),
    "segments": list(SEGMENTS),
    "customer_sorts": list(CUSTOMER_SORTS),
    "brazilian_states": list(BRAZILIAN_STATES),
    "punch_statuses": list(PUNCH_STATUSES),
    "review_reasons": list(REVIEW_REASONS),
    "absence_categories": list(ABSENCE_CATEGORIES),
    "anomaly_kinds": list(ANOMALY_KINDS),
    "request_roles": list(REQUEST_ROLES),
    "outcomes": list(OUTCOMES),
}

# what the web apps and their scripts read
FRONTEND: dict[str, object] = {
    "defaultTimeZone": DEFAULT_TIME_ZONE,
    "segments": list(SEGMENTS),
    "customerSorts": list(CUSTOMER_SORTS),
    "anomalyKinds": list(ANOMALY_KINDS),
    "violationKinds": list(VIOLATION_KINDS),
    "requestRoles": list(REQUEST_ROLES),
    "sessionRoles": list(SESSION_ROLES),
}
