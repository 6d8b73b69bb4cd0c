"""A small typed client over the `postgrest` package: rows come back as the contract models.

- It asks only for the columns the caller's role may read, so an analyst reads `employees` without
  CPF/PIS (those fields are None) instead of getting 403 for ``select=*``: the API's OpenAPI document
  (read once with the caller's token) names the resource's columns; when the database refuses some of
  them (column privileges, which the document does not show), each column is asked once with
  ``limit=0`` and the readable ones are kept for this client.
- ``list()`` without a limit pages through the whole result (the server caps each answer at
  db-max-rows): nothing is cut off silently.
- ``get()`` takes the resource's whole key and refuses an answer of more than one row.
- Every failure is one exception type, :class:`ApiError` (HTTP status, PostgREST code, message).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypedDict, TypeVar, Unpack

import httpx
from postgrest import APIError, SyncPostgrestClient

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
PAGE_SIZE = 1000  # the platform's default db-max-rows; any page size works, a smaller one costs requests


class ApiError(Exception):
    """What the API (or the way to it) refused: ``status`` (HTTP, 0 when unreachable), ``code``
    (PostgREST's or PostgreSQL's), ``message``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(f"{status} {code or ''} {message}".replace("  ", " ").strip())
        self.status, self.code, self.message = status, code, message


def _failure(error: Exception) -> ApiError:
    if isinstance(error, APIError):
        status = {"PGRST301": 401, "42501": 403}.get(str(error.code), 400)
        if str(error.code).startswith("PT") and str(error.code)[2:].isdigit():
            status = int(str(error.code)[2:])
        return ApiError(status, error.message or str(error), error.code)
    if isinstance(error, httpx.HTTPError):
        return ApiError(0, f"the API did not answer: {error}")
    return ApiError(0, str(error))


class Query(TypedDict, total=False):
    """What :meth:`Resource.list` and :meth:`Resource.iterate` take, every part optional: equality
    ``filters``, inclusive ranges (``between={"work_date": (first, last)}``), one ``order`` column
    (``descending`` or not; the key follows it so pages are stable), ``limit`` and ``offset``."""

    filters: dict[str, Any] | None
    between: dict[str, tuple[Any, Any]] | None
    order: str | None
    descending: bool
    limit: int | None
    offset: int


class Resource(Generic[T]):
    def __init__(self, client: BiDashClient, name: str, model: type[T], key: tuple[str, ...]) -> None:
        self._client, self._name, self._model, self._key = client, name, model, key

    def _columns(self) -> list[str]:
        readable = self._client.readable_columns(self._name)
        return [field for field in self._model.model_fields if field in readable]

    def _model_of(self, row: dict[str, Any]) -> T:
        """The row as its model; the columns this token may not read are None."""
        hidden = set(self._model.model_fields) - set(self._columns())
        return self._model.model_validate({**dict.fromkeys(hidden), **row})

    def _select(self) -> Any:
        return self._client.postgrest.from_(self._name).select(",".join(self._columns()) or "*")

    def _execute(self, build: Any) -> list[dict[str, Any]]:
        """Run the query ``build()`` makes; narrowed once to the readable columns when refused."""
        try:
            return list(build().execute().data)
        except APIError as error:
            if str(error.code) != "42501" or self._name in self._client.probed:
                raise _failure(error) from None
        except httpx.HTTPError as error:
            raise _failure(error) from None
        self._client.probe_columns(self._name, self._columns())
        try:
            return list(build().execute().data)
        except (APIError, httpx.HTTPError) as error:
            raise _failure(error) from None

    def get(self, *key_values: Any) -> T | None:
        """The row with this key (every column of the key, in order), or None."""
        if len(key_values) != len(self._key):
            raise TypeError(f"{self._name}.get() takes its key: {', '.join(self._key)}")

        def build() -> Any:
            query = self._select()
            for column, value in zip(self._key, key_values, strict=True):
                query = query.eq(column, value)
            return query.limit(2)

        rows = self._execute(build)
        if len(rows) > 1:
            raise ApiError(
                409, f"{self._name}: more than one row for {dict(zip(self._key, key_values, strict=True))}"
            )
        return self._model_of(rows[0]) if rows else None

    def list(self, **criteria: Unpack[Query]) -> Sequence[T]:
        """Rows matching; without ``limit``, all of them (fetched page by page)."""
        return list(self.iterate(**criteria))

    def iterate(self, **criteria: Unpack[Query]) -> Iterator[T]:
        """Like :meth:`list`, one page in memory at a time."""
        unknown = criteria.keys() - Query.__optional_keys__
        if unknown:  # the type checker says so too; this is for callers without one
            raise TypeError(f"{self._name}: unknown query argument(s) {', '.join(sorted(unknown))}")
        filters, between = criteria.get("filters") or {}, criteria.get("between") or {}
        order, descending = criteria.get("order"), criteria.get("descending", False)
        limit, offset = criteria.get("limit"), criteria.get("offset", 0)
        ordering = [order] if order else []
        # pages need a stable order: the key after the caller's order
        ordering += [column for column in self._key if column not in ordering]
        remaining = limit
        while remaining is None or remaining > 0:
            size = self._client.page_size if remaining is None else min(remaining, self._client.page_size)

            def build(start: int = offset, size: int = size) -> Any:
                query = self._select()
                for column, value in filters.items():
                    query = query.eq(column, value)
                for column, (low, high) in between.items():
                    query = query.gte(column, low).lte(column, high)
                for column in ordering:
                    query = query.order(column, desc=descending and column == order)
                return query.range(start, start + size - 1)

            rows = self._execute(build)
            yield from (self._model_of(row) for row in rows)
            if not rows:
                return
            offset += len(rows)
            if remaining is not None:
                remaining -= len(rows)


class BiDashClient:
    """``BiDashClient("http://127.0.0.1:3000", token).customers.get("u1")`` → :class:`Customer`."""

    def __init__(
        self, base_url: str, token: str | None = None, timeout: float = 30.0, page_size: int = PAGE_SIZE
    ) -> None:
        self.base_url, self.page_size = base_url.rstrip("/"), page_size
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._timeout = timeout
        self._readable: dict[str, set[str]] | None = None
        self.probed: set[str] = set()
        self.postgrest = SyncPostgrestClient(base_url, schema="api", headers=self._headers, timeout=timeout)
        self.customers = Resource(self, "customers", Customer, ("customer_unique_id",))
        self.customer_orders = Resource(self, "customer_orders", CustomerOrder, ("order_id",))
        self.daily_sales = Resource(self, "daily_sales", DailySales, ("date",))
        self.customer_segments = Resource(self, "customer_segments", CustomerSegment, ("segment",))
        self.sales_by_state = Resource(self, "sales_by_state", SalesByState, ("state",))
        self.employees = Resource(self, "employees", Employee, ("employee_id",))
        self.punches = Resource(self, "punches", Punch, ("punch_id",))
        self.timesheet_daily = Resource(
            self, "timesheet_daily", TimesheetDay, ("employee_id", "work_date", "jornada_of_day")
        )
        self.timesheet_monthly = Resource(self, "timesheet_monthly", TimesheetMonth, ("employee_id", "month"))
        self.punch_anomalies = Resource(self, "punch_anomalies", PunchAnomaly, ("anomaly_id",))
        self.data_status = Resource(self, "data_status", DataStatus, ("resource",))

    def readable_columns(self, resource: str) -> set[str]:
        """The columns of ``resource`` this token may read (the API's OpenAPI document, read once)."""
        if self._readable is None:
            try:
                answer = httpx.get(self.base_url + "/", headers=self._headers, timeout=self._timeout)
            except httpx.HTTPError as error:
                raise _failure(error) from None
            if answer.status_code != 200:
                raise ApiError(answer.status_code, answer.text[:200])
            definitions = answer.json().get("definitions", {})
            self._readable = {
                name: set(definition.get("properties", {})) for name, definition in definitions.items()
            }
        if resource not in self._readable:
            raise ApiError(403, f"this token may not read /{resource}")
        return self._readable[resource]

    def probe_columns(self, resource: str, columns: Sequence[str]) -> None:
        """Keep the columns of ``resource`` the database lets this token select (``limit=0`` each)."""
        allowed = set()
        for column in columns:
            try:
                self.postgrest.from_(resource).select(column).limit(0).execute()
                allowed.add(column)
            except APIError as error:
                if str(error.code) != "42501":
                    raise _failure(error) from None
            except httpx.HTTPError as error:
                raise _failure(error) from None
        self.readable_columns(resource)
        assert self._readable is not None
        self._readable[resource] = allowed
        self.probed.add(resource)

    def close(self) -> None:
        self.postgrest.session.close()

    def __enter__(self) -> BiDashClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
