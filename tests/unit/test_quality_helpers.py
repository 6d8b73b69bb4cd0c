"""Pure helpers of the publish gate: dbt freshness → hours, dbt results → audit outcomes, suites."""

import pytest

from orchestration.defs.platform.checks import EXPECTATIONS
from orchestration.quality.suites import MIN_ROW_SHARE, derived_expectations, freshness_hours


@pytest.mark.parametrize(
    ("freshness", "hours"),
    [
        ({"warn_after": {"count": 2, "period": "day"}}, 48.0),
        ({"warn_after": {"count": 90, "period": "minute"}}, 1.5),
        ({"warn_after": {"count": None, "period": None}, "error_after": {"count": 1, "period": "day"}}, None),
        (None, None),
    ],
)
def test_freshness_hours_reads_dbt_warn_after(freshness: dict | None, hours: float | None) -> None:
    assert freshness_hours(freshness) == hours


def test_every_expectation_names_a_layer_table_and_a_known_severity() -> None:
    from pathlib import Path

    from migrations.models import Base

    # the tables that exist: raw ones from the Alembic models, api ones from the dbt models
    tables = {f"{table.schema}/{table.name}" for table in Base.metadata.tables.values()}
    api_models = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "api"
    tables |= {f"api/{path.stem}" for path in api_models.rglob("*.sql")}
    labels = [item.label for item in EXPECTATIONS]
    assert len(labels) == len(set(labels))
    for item in EXPECTATIONS:
        assert item.asset in tables, item.label  # a misspelled table would check nothing
        assert item.layer in ("raw", "api"), item.label
        assert item.severity in ("error", "warn"), item.label
        assert item.domain in ("customer_360", "controle_ponto"), item.label


def test_row_count_expectation_asks_for_half_the_published_rows() -> None:
    from types import SimpleNamespace

    from orchestration.quality.suites import SuiteContext

    (count,) = derived_expectations({"customers": "customer_360"}, {})
    built: dict = {}
    fake_gxe = SimpleNamespace(ExpectTableRowCountToBeBetween=lambda **kwargs: built.update(kwargs))
    count.build(fake_gxe, SuiteContext(api_schema="api__next", published_rows={"customers": 1001}))
    assert MIN_ROW_SHARE == 0.5 and built == {"min_value": 500, "max_value": None}
    assert (count.label, count.severity) == ("api/customers:row_count_vs_published", "error")


def test_dbt_results_become_audit_outcomes_with_severity() -> None:
    from orchestration.defs.platform.assets import dbt_outcomes

    manifest = {
        "nodes": {
            "model.bi_dash.customers": {
                "resource_type": "model", "name": "customers", "fqn": ["bi_dash", "api", "customer_360", "customers"],  # noqa: E501
                "config": {},
            },
            "test.bi_dash.unique_customers_id": {
                "resource_type": "test", "name": "unique_customers_id", "attached_node": "model.bi_dash.customers",  # noqa: E501
                "fqn": ["bi_dash", "api", "customer_360", "unique_customers_id"], "config": {"severity": "ERROR"},  # noqa: E501
            },
            "test.bi_dash.late": {
                "resource_type": "test", "name": "late", "attached_node": "model.bi_dash.customers",
                "fqn": ["bi_dash", "customer_360", "late"], "config": {"severity": "warn"},
            },
            "test.bi_dash.singular": {  # a singular test: no attached node, its parent says what it tests
                "resource_type": "test", "name": "singular", "depends_on": {"nodes": ["model.bi_dash.customers"]},  # noqa: E501
                "fqn": ["bi_dash", "customer_360", "singular"], "config": {"severity": "warn"},
            },
        },
        "sources": {},
    }  # fmt: skip
    results = {
        "results": [
            {"unique_id": "model.bi_dash.customers", "status": "success"},
            {"unique_id": "test.bi_dash.unique_customers_id", "status": "fail", "message": "Got 2 results"},
            {"unique_id": "test.bi_dash.late", "status": "warn"},
            {"unique_id": "test.bi_dash.singular", "status": "pass"},
        ]
    }
    outcomes = {item.label: item for item in dbt_outcomes(results, manifest)}
    assert set(outcomes) == {
        "api/customers:unique_customers_id",
        "api/customers:late",
        "api/customers:singular",
    }
    assert (outcomes["api/customers:singular"].domain, outcomes["api/customers:singular"].passed) == (
        "customer_360",
        True,
    )
    failing = outcomes["api/customers:unique_customers_id"]
    assert (failing.passed, failing.severity, failing.domain) == (False, "error", "customer_360")
    assert (outcomes["api/customers:late"].passed, outcomes["api/customers:late"].severity) == (False, "warn")
    crashed = dbt_outcomes(
        {"results": [{"unique_id": "model.bi_dash.customers", "status": "error"}]}, manifest
    )
    assert [(item.label, item.passed) for item in crashed] == [("api/customers:dbt_build", False)]


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("08:00-12:00,13:00-17:00", "08:00-12:00,13:00-17:00"),
        ("08:00-12:00, 13:00-17:00", "08:00-12:00,13:00-17:00"),
        ("22:00-02:00,03:00-06:00", "22:00-02:00,03:00-06:00"),
        ("", ""),
        ("8h-noon", None),
        ("08:00-24:00", None),
        ("08:00-12:00,", None),
        ("08:00-08:00", None),
        ("08:00-12:00,13:00-13:00", None),
        ("13:00-13:00,08:00-12:00", None),
    ],
)
def test_loader_and_raw_suite_agree_on_schedule_intervals(cell: str, stored: str | None) -> None:
    """One grammar: what the loader stores passes the raw suite; what it rejects, the suite flags."""
    import re

    from orchestration.ingest.intervals import EMPTY_INTERVAL, STORED, BadIntervals, parse_intervals

    def suite_flags(value: str) -> bool:  # the raw suite's query: not stored form, or an empty interval
        return not re.search(STORED, value) or bool(re.search(EMPTY_INTERVAL, value))

    if stored is None:
        with pytest.raises(BadIntervals):
            parse_intervals(cell)
        assert suite_flags(cell.replace(" ", ""))
    else:
        assert parse_intervals(cell) == stored
        assert not suite_flags(stored)
