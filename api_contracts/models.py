"""One model per resource of the `api` schema. Column names and types are pinned against PostgREST's
OpenAPI document by tests/api/test_contracts.py, so the database and these models cannot drift."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Customer(Contract):
    """`/customers`: one row per person (customer_unique_id)."""

    customer_unique_id: str = Field(json_schema_extra={"pg_type": "text"})
    zip_code_prefix: str | None = Field(json_schema_extra={"pg_type": "text"})
    city: str | None = Field(json_schema_extra={"pg_type": "text"})
    state: str | None = Field(json_schema_extra={"pg_type": "text"})
    orders_count: int = Field(json_schema_extra={"pg_type": "bigint"})
    valid_orders_count: int = Field(json_schema_extra={"pg_type": "bigint"})
    canceled_orders_count: int = Field(json_schema_extra={"pg_type": "bigint"})
    first_order_at: dt.datetime | None = Field(json_schema_extra={"pg_type": "timestamp with time zone"})
    last_order_at: dt.datetime | None = Field(json_schema_extra={"pg_type": "timestamp with time zone"})


class Employee(Contract):
    """`/employees`: the employee registry."""

    employee_id: str = Field(json_schema_extra={"pg_type": "text"})
    name: str = Field(json_schema_extra={"pg_type": "text"})
    department: str | None = Field(json_schema_extra={"pg_type": "text"})
    manager_id: str | None = Field(json_schema_extra={"pg_type": "text"})
    schedule_code: str | None = Field(json_schema_extra={"pg_type": "text"})
    timezone: str = Field(json_schema_extra={"pg_type": "text"})
    hired_at: dt.date | None = Field(json_schema_extra={"pg_type": "date"})
    cpf: str | None = Field(json_schema_extra={"pg_type": "text"})
    pis: str | None = Field(json_schema_extra={"pg_type": "text"})


# resource name (path under the API root) -> (model, primary key)
RESOURCES: dict[str, tuple[type[Contract], str]] = {
    "customers": (Customer, "customer_unique_id"),
    "employees": (Employee, "employee_id"),
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
