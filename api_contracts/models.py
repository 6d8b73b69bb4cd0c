"""One model per resource of the `api` schema. Column names and types are pinned against PostgREST's
OpenAPI document by tests/api/test_contracts.py, so the database and these models cannot drift."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api_contracts.vocabulary import (
    AbsenceCategory,
    AnomalyKind,
    OrderStatus,
    Outcome,
    PunchStatus,
    ReviewReason,
    Segment,
)


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _col(pg_type: str) -> Any:
    return Field(json_schema_extra={"pg_type": pg_type})


TEXT, BIGINT, INTEGER, NUMERIC = "text", "bigint", "integer", "numeric"
TIMESTAMPTZ, DATE, BOOLEAN = "timestamp with time zone", "date", "boolean"


class Customer(Contract):
    """`/customers`: one row per person (customer_unique_id) with every customer_360 metric."""

    customer_unique_id: str = _col(TEXT)
    zip_code_prefix: str | None = _col(TEXT)
    city: str | None = _col(TEXT)
    state: str | None = _col(TEXT)
    orders_count: int = _col(BIGINT)
    valid_orders_count: int = _col(BIGINT)
    canceled_orders_count: int = _col(BIGINT)
    total_spent: Decimal = _col(NUMERIC)
    avg_order_value: Decimal | None = _col(NUMERIC)
    items_count: int = _col(BIGINT)
    items_value: Decimal = _col(NUMERIC)
    freight_value: Decimal = _col(NUMERIC)
    first_order_at: dt.datetime | None = _col(TIMESTAMPTZ)
    last_order_at: dt.datetime | None = _col(TIMESTAMPTZ)
    avg_review_score: Decimal | None = _col(NUMERIC)
    late_deliveries_count: int = _col(BIGINT)
    favorite_category: str | None = _col(TEXT)
    preferred_payment_type: str | None = _col(TEXT)
    recency_days: int | None = _col(INTEGER)
    frequency: int = _col(BIGINT)
    monetary: Decimal = _col(NUMERIC)
    r_score: int | None = _col(INTEGER)
    f_score: int | None = _col(INTEGER)
    m_score: int | None = _col(INTEGER)
    segment: Segment = _col(TEXT)


class CustomerOrder(Contract):
    """`/customer_orders`: one row per order."""

    order_id: str = _col(TEXT)
    customer_unique_id: str = _col(TEXT)
    status: OrderStatus = _col(TEXT)
    purchased_at: dt.datetime = _col(TIMESTAMPTZ)
    approved_at: dt.datetime | None = _col(TIMESTAMPTZ)
    delivered_at: dt.datetime | None = _col(TIMESTAMPTZ)
    estimated_delivery_at: dt.datetime | None = _col(TIMESTAMPTZ)
    is_late: bool = _col(BOOLEAN)
    delivery_days: int | None = _col(INTEGER)
    items_count: int = _col(BIGINT)
    items_value: Decimal = _col(NUMERIC)
    freight_value: Decimal = _col(NUMERIC)
    payment_value: Decimal = _col(NUMERIC)
    payment_types: list[str] | None = _col("text[]")
    max_installments: int | None = _col(INTEGER)
    review_score: Decimal | None = _col(NUMERIC)


class DailySales(Contract):
    """`/daily_sales`: one row per local purchase date."""

    date: dt.date = _col(DATE)
    orders: int = _col(BIGINT)
    valid_orders: int = _col(BIGINT)
    revenue: Decimal = _col(NUMERIC)
    customers: int = _col(BIGINT)
    new_customers: int = _col(BIGINT)
    avg_ticket: Decimal | None = _col(NUMERIC)


class CustomerSegment(Contract):
    """`/customer_segments`: customers and revenue per RFM segment."""

    segment: Segment = _col(TEXT)
    customers: int = _col(BIGINT)
    revenue: Decimal = _col(NUMERIC)
    share_of_revenue: Decimal | None = _col(NUMERIC)


class SalesByState(Contract):
    """`/sales_by_state`: sales per state of the order's customer record."""

    state: str | None = _col(TEXT)
    customers: int = _col(BIGINT)
    orders: int = _col(BIGINT)
    revenue: Decimal = _col(NUMERIC)
    avg_review_score: Decimal | None = _col(NUMERIC)
    late_delivery_rate: Decimal | None = _col(NUMERIC)


class Employee(Contract):
    """`/employees`: the employee registry."""

    employee_id: str = _col(TEXT)
    name: str = _col(TEXT)
    department: str | None = _col(TEXT)
    manager_id: str | None = _col(TEXT)
    schedule_code: str | None = _col(TEXT)
    timezone: str = _col(TEXT)
    hired_at: dt.date | None = _col(DATE)
    job_title: str | None = _col(TEXT)
    cpf: str | None = _col(TEXT)
    pis: str | None = _col(TEXT)


class Punch(Contract):
    """`/punches`: every punch with its status (unattributed ones are HR's)."""

    punch_id: int = _col(BIGINT)
    employee_id: str | None = _col(TEXT)
    punched_at: dt.datetime = _col(TIMESTAMPTZ)
    source: str = _col(TEXT)
    rep_number: str | None = _col(TEXT)
    nsr: int | None = _col(BIGINT)
    status: PunchStatus = _col(TEXT)
    reason: str | None = _col(TEXT)
    jornada_number: int | None = _col(INTEGER)
    crc_status: str = _col(TEXT)


class TimesheetDay(Contract):
    """`/timesheet_daily`: one row per jornada and per absence (minutes with 2 decimals)."""

    employee_id: str = _col(TEXT)
    work_date: dt.date = _col(DATE)
    jornada_of_day: int = _col(BIGINT)
    jornada_number: int | None = _col(INTEGER)
    punch_count: int = _col(BIGINT)
    first_punch_id: int | None = _col(BIGINT)
    first_punch_at: dt.datetime | None = _col(TIMESTAMPTZ)
    last_punch_at: dt.datetime | None = _col(TIMESTAMPTZ)
    worked_minutes: Decimal = _col(NUMERIC)
    night_minutes: Decimal = _col(NUMERIC)
    legal_worked_minutes: Decimal = _col(NUMERIC)
    expected_minutes: Decimal | None = _col(NUMERIC)
    balance_minutes: Decimal | None = _col(NUMERIC)
    overtime_50_minutes: Decimal | None = _col(NUMERIC)
    overtime_100_minutes: Decimal | None = _col(NUMERIC)
    deficit_minutes: Decimal | None = _col(NUMERIC)
    break_minutes: Decimal = _col(NUMERIC)
    is_incomplete: bool = _col(BOOLEAN)
    needs_review: bool = _col(BOOLEAN)
    review_reason: ReviewReason | None = _col(TEXT)
    is_confirmed: bool = _col(BOOLEAN)
    is_absent: bool = _col(BOOLEAN)
    absence_category: AbsenceCategory | None = _col(TEXT)
    absence_reason: str | None = _col(TEXT)
    has_break_violation: bool = _col(BOOLEAN)
    suppressed_break_minutes: Decimal = _col(NUMERIC)
    has_rest_violation: bool = _col(BOOLEAN)
    rest_shortfall_minutes: Decimal = _col(NUMERIC)
    has_overtime_over_limit: bool = _col(BOOLEAN)
    is_holiday: bool = _col(BOOLEAN)


class TimesheetMonth(Contract):
    """`/timesheet_monthly`: monthly totals and the hour bank."""

    employee_id: str = _col(TEXT)
    month: dt.date = _col(DATE)
    jornadas_count: int = _col(BIGINT)
    incomplete_days: int = _col(BIGINT)
    review_days: int = _col(BIGINT)
    absences_count: int = _col(BIGINT)
    justified_absences: int = _col(BIGINT)
    worked_minutes: Decimal = _col(NUMERIC)
    night_minutes: Decimal = _col(NUMERIC)
    legal_worked_minutes: Decimal = _col(NUMERIC)
    expected_minutes: Decimal | None = _col(NUMERIC)
    overtime_50_minutes: Decimal = _col(NUMERIC)
    overtime_100_minutes: Decimal = _col(NUMERIC)
    deficit_minutes: Decimal = _col(NUMERIC)
    balance_minutes: Decimal = _col(NUMERIC)
    break_violations: int = _col(BIGINT)
    rest_violations: int = _col(BIGINT)
    overtime_over_limit_days: int = _col(BIGINT)
    hour_bank_balance_minutes: Decimal = _col(NUMERIC)


class PunchAnomaly(Contract):
    """`/punch_anomalies`: what HR should review."""

    anomaly_id: str = _col(TEXT)
    kind: AnomalyKind = _col(TEXT)
    employee_id: str | None = _col(TEXT)
    work_date: dt.date | None = _col(DATE)
    occurred_at: dt.datetime | None = _col(TIMESTAMPTZ)
    punch_id: int | None = _col(BIGINT)
    detail: str = _col(TEXT)


class TreatedPunch(Contract):
    """`/treated_punches`: every punch as the AEJ and the Espelho de Ponto record it."""

    punch_id: int | None = _col(BIGINT)
    employee_id: str = _col(TEXT)
    jornada_number: int | None = _col(INTEGER)
    work_date: dt.date | None = _col(DATE)
    punched_at: dt.datetime = _col(TIMESTAMPTZ)
    local_date_time: str = _col(TEXT)
    marker: Literal["E", "S", "D"] = _col(TEXT)
    pair_number: int = _col(INTEGER)
    marker_order: int = _col(BIGINT)
    source_code: Literal["O", "I", "P", "T"] = _col(TEXT)
    rep_number: str | None = _col(TEXT)
    rep_type: Literal["rep_c", "rep_a", "rep_p"] | None = _col(TEXT)
    nsr: int | None = _col(BIGINT)
    reason: str | None = _col(TEXT)
    aej_reason: str = _col(TEXT)
    timetable_code: str = _col(TEXT)


class WorkTimetable(Contract):
    """`/work_timetables`: the contractual timetable of each schedule and working weekday."""

    schedule_code: str = _col(TEXT)
    weekday: int = _col("smallint")
    timetable_code: str = _col(TEXT)
    weekday_names: str = _col(TEXT)
    weekdays: list[int] = _col("smallint[]")
    duration_minutes: int = _col(INTEGER)
    boundaries: list[str] = _col("text[]")


class Employer(Contract):
    """`/employer`: the employer and the time-keeping program the legal documents name."""

    employer_id: str = _col(TEXT)
    employer_id_type: Literal["1", "2"] = _col(TEXT)
    employer_name: str = _col(TEXT)
    caepf: str | None = _col(TEXT)
    cno: str | None = _col(TEXT)
    time_zone: str = _col(TEXT)
    developer_id: str = _col(TEXT)
    developer_id_type: Literal["1", "2"] = _col(TEXT)
    developer_name: str = _col(TEXT)
    developer_email: str = _col(TEXT)
    program_name: str = _col(TEXT)
    program_version: str = _col(TEXT)
    aej_employer_name: str = _col(TEXT)
    aej_developer_name: str = _col(TEXT)
    aej_developer_email: str = _col(TEXT)


class DataStatus(Contract):
    """`/data_status`: freshness and health of each resource (readable without a token)."""

    domain: str = _col(TEXT)
    resource: str = _col(TEXT)
    last_published_at: dt.datetime = _col(TIMESTAMPTZ)
    last_attempt_at: dt.datetime = _col(TIMESTAMPTZ)
    last_attempt_outcome: Outcome = _col(TEXT)
    failing_checks: list[str] = _col("text[]")
    warning_checks: list[str] = _col("text[]")
    row_count: int = _col(BIGINT)


# resource name (path under the API root) -> (model, primary key)
RESOURCES: dict[str, tuple[type[Contract], str]] = {
    "customers": (Customer, "customer_unique_id"),
    "customer_orders": (CustomerOrder, "order_id"),
    "daily_sales": (DailySales, "date"),
    "customer_segments": (CustomerSegment, "segment"),
    "sales_by_state": (SalesByState, "state"),
    "employees": (Employee, "employee_id"),
    "punches": (Punch, "punch_id"),
    "timesheet_daily": (TimesheetDay, "employee_id"),
    "timesheet_monthly": (TimesheetMonth, "employee_id"),
    "punch_anomalies": (PunchAnomaly, "anomaly_id"),
    "treated_punches": (TreatedPunch, "punch_id"),
    "work_timetables": (WorkTimetable, "timetable_code"),
    "employer": (Employer, "employer_id"),
    "data_status": (DataStatus, "resource"),
}


def pg_types(model: type[Contract]) -> dict[str, str]:
    """Column → PostgreSQL type as PostgREST's OpenAPI document names it."""
    result = {}
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        assert isinstance(extra, dict)
        result[name] = str(extra["pg_type"])
    return result


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every resource, for frontends that validate responses."""
    return {name: model.model_json_schema() for name, (model, _key) in RESOURCES.items()}
