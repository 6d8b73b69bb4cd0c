"""A small typed client over the `postgrest` package: rows come back as the contract models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from postgrest import SyncPostgrestClient

from api_contracts.models import (
    Contract,
    Customer,
    CustomerOrder,
    CustomerSegment,
    DailySales,
    DataStatus,
    Employee,
    Punch,
    PunchAnomaly,
    SalesByState,
    TimesheetDay,
    TimesheetMonth,
)

T = TypeVar("T", bound=Contract)


class Resource(Generic[T]):
    def __init__(self, client: SyncPostgrestClient, name: str, model: type[T], key: str) -> None:
        self._client, self._name, self._model, self._key = client, name, model, key

    def get(self, key_value: str) -> T | None:
        rows = self._client.from_(self._name).select("*").eq(self._key, key_value).execute().data
        return self._model.model_validate(rows[0]) if rows else None

    def list(
        self,
        *,
        filters: dict[str, Any] | None = None,
        between: dict[str, tuple[Any, Any]] | None = None,
        order: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Sequence[T]:
        query = self._client.from_(self._name).select("*")
        for column, value in (filters or {}).items():
            query = query.eq(column, value)
        for column, (low, high) in (between or {}).items():
            query = query.gte(column, low).lte(column, high)
        if order:
            query = query.order(order, desc=descending)
        if limit is not None:
            query = query.range(offset, offset + limit - 1)
        return [self._model.model_validate(row) for row in query.execute().data]


class BiDashClient:
    """``BiDashClient("http://127.0.0.1:3000").customers.get("u1")`` → :class:`Customer`."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = SyncPostgrestClient(base_url, schema="api", headers=headers, timeout=timeout)
        self.customers: Resource[Customer] = Resource(
            self._client, "customers", Customer, "customer_unique_id"
        )
        self.customer_orders: Resource[CustomerOrder] = Resource(
            self._client, "customer_orders", CustomerOrder, "order_id"
        )
        self.daily_sales: Resource[DailySales] = Resource(self._client, "daily_sales", DailySales, "date")
        self.customer_segments: Resource[CustomerSegment] = Resource(
            self._client, "customer_segments", CustomerSegment, "segment"
        )
        self.sales_by_state: Resource[SalesByState] = Resource(
            self._client, "sales_by_state", SalesByState, "state"
        )
        self.employees: Resource[Employee] = Resource(self._client, "employees", Employee, "employee_id")
        self.punches: Resource[Punch] = Resource(self._client, "punches", Punch, "punch_id")
        self.timesheet_daily: Resource[TimesheetDay] = Resource(
            self._client, "timesheet_daily", TimesheetDay, "employee_id"
        )
        self.timesheet_monthly: Resource[TimesheetMonth] = Resource(
            self._client, "timesheet_monthly", TimesheetMonth, "employee_id"
        )
        self.punch_anomalies: Resource[PunchAnomaly] = Resource(
            self._client, "punch_anomalies", PunchAnomaly, "anomaly_id"
        )
        self.data_status: Resource[DataStatus] = Resource(self._client, "data_status", DataStatus, "resource")

    def close(self) -> None:
        self._client.session.close()

    def __enter__(self) -> BiDashClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
