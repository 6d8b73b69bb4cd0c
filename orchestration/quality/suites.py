"""Expectations as code: what a Great Expectations check is, and the builders checks are written with.

The checks themselves live with their domain, in ``orchestration/defs/<domain>/checks.py``, written
with keyword arguments through :func:`expectations_of`. Each :class:`Expectation` is one Dagster
asset check (``<asset>:<name>``) with a severity: ``error`` blocks the publish of its domain,
``warn`` only reports. The domains' checks are on the raw inputs (the raw suites, against ``raw``,
before the dbt build); what an api resource must hold is a dbt test of its model, so no check runs in
two engines. GX itself is imported only when the suites run (``build`` receives the
``great_expectations.expectations`` module).

Which rows a raw check reads: when a refresh builds only because of new loads, the rows committed
since the published build (which passed the same checks); otherwise, and for a check marked
``whole_table``, every row (``change_detection.rows_to_check``). A ``mostly`` threshold is then a share
of the new rows, and a reference check looks the new rows up in the whole referenced table.

Besides this list, every run adds (see :func:`derived_expectations`):
- ``row_count_vs_published`` (error) on each api resource: at least half the rows of the build the
  API serves now (a collapsed build, e.g. from a truncated input, is not published);
- ``freshness`` (warn) on each raw source table whose dbt source declares ``freshness.warn_after``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ERROR, WARN = "error", "warn"
# a build with fewer rows than this share of the published one is withheld
MIN_ROW_SHARE = 0.5


@dataclass(frozen=True)
class SuiteContext:
    """What an expectation may depend on in this run."""

    api_schema: str  # api__next during a refresh
    published_rows: Mapping[str, int] = field(default_factory=dict)
    min_row_share: float = MIN_ROW_SHARE
    # raw table -> the SQL condition selecting the rows its checks read (change_detection.rows_to_check:
    # those committed since the published build); a table not named here is read whole
    raw_rows: Mapping[str, str] = field(default_factory=dict)


Builder = Callable[[Any, SuiteContext], Any]  # (gxe module, context) -> gxe.Expectation


@dataclass(frozen=True, kw_only=True)
class Expectation:
    asset: str  # Dagster asset key path: raw/<table> or api/<view>
    name: str
    domain: str
    severity: str  # error | warn
    description: str
    build: Builder
    # a property of the whole table (e.g. freshness), never of the rows loaded since the published build
    whole_table: bool = False

    @property
    def layer(self) -> str:
        return self.asset.split("/")[0]

    @property
    def table(self) -> str:
        return self.asset.split("/")[1]

    @property
    def label(self) -> str:
        return f"{self.asset}:{self.name}"


def expectations_of(domain: str) -> Callable[..., Expectation]:
    """``check = expectations_of("customer_360")``, then ``check(asset=…, name=…, severity=…, …)``."""
    return functools.partial(Expectation, domain=domain)


def unexpected_rows(query: str, description: str) -> Builder:
    """Rows the query returns are violations; ``{batch}`` is the checked table.

    A query with a join must alias ``{batch}`` itself (GX then substitutes the bare table or
    subquery); a query without a join must not (GX adds ``as subselect``).
    """

    def build(gxe: Any, _: SuiteContext) -> Any:
        return gxe.UnexpectedRowsExpectation(unexpected_rows_query=query, description=description)

    return build


def found_in(column: str, reference: str, key: str, *, shown: str, description: str) -> Builder:
    """Where ``column`` is set, it is a ``key`` of ``reference`` (a table, or a subquery in parentheses);
    the rows where it is not are the violations, each shown by ``shown`` and ``column``."""
    return unexpected_rows(
        f"select checked.{shown}, checked.{column} from {{batch}} as checked"
        f" left join {reference} as referenced on referenced.{key} = checked.{column}"
        f" where checked.{column} is not null and referenced.{key} is null",
        description,
    )


def not_null(column: str) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToNotBeNull(column=column)


def between(column: str, low: float | None, high: float | None, mostly: float = 1.0) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, mostly=mostly
    )


def in_set(column: str, values: Sequence[str], mostly: float = 1.0) -> Builder:
    return lambda gxe, _: gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=list(values), mostly=mostly
    )


def _row_count(resource: str) -> Builder:
    def build(gxe: Any, context: SuiteContext) -> Any:
        published = context.published_rows.get(resource, 0)
        return gxe.ExpectTableRowCountToBeBetween(
            min_value=int(published * context.min_row_share), max_value=None
        )

    return build


def _freshness(hours: float) -> Builder:
    return unexpected_rows(
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
            asset=f"api/{view}",
            name="row_count_vs_published",
            domain=domain,
            severity=ERROR,
            description=f"At least {MIN_ROW_SHARE:.0%} of the rows the API serves now"
            " (refresh --allow-shrink: any).",
            build=_row_count(view),
        )
        for view, domain in sorted(api_resources.items())
    )
    freshness = tuple(
        Expectation(
            asset=f"raw/{table}",
            name="freshness",
            domain=domain,
            severity=WARN,
            description=f"Loaded within the last {hours:g} hours (dbt source freshness warn_after).",
            build=_freshness(hours),
            whole_table=True,
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
