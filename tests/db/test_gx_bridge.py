"""The GX Core 1.x bridge against a real migrated database: pass/fail per expectation, summaries, docs."""

import datetime as dt
import os
import re
from pathlib import Path

import psycopg
import psycopg.sql
import pytest

from orchestration.defs.platform.checks import EXPECTATIONS
from orchestration.quality import data_docs_offline, gx_bridge
from orchestration.quality.suites import SuiteContext, derived_expectations
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.publish_gate]


def _expectation(label: str):  # type: ignore[no-untyped-def]
    return next(item for item in EXPECTATIONS if item.label == label)


def test_suites_report_each_expectation_with_its_gx_summary(
    fresh_db: ConnectionInfo, settings: Settings, tmp_path: Path
) -> None:
    with fresh_db.connect(autocommit=True) as conn:
        conn.execute(
            "insert into raw.olist_customers (customer_id, customer_unique_id, customer_state)"
            " values ('c1', 'u1', 'SP')"
        )
        conn.execute(
            "insert into raw.olist_orders (order_id, customer_id, order_status, order_purchase_timestamp,"
            " loaded_at) values ('o1', 'c1', 'created', now(), %s), ('o2', 'ghost', 'created', now(), %s)",
            (dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        )
        # raw.employees holds personal identifiers (CPF, PIS): a person in a zone PostgreSQL does not
        # know fails a check there, and the result must not carry the person's values
        conn.execute(
            "insert into raw.employees (employee_id, name, cpf, timezone)"
            " values ('11111111111', 'Ana', '11111111111', 'Mars/Olympus_Mons')"
        )
    transformer = role_connection(fresh_db, settings, "transformer")
    (freshness,) = derived_expectations({}, {"olist_orders": ("customer_360", 48.0)})
    checks = [
        _expectation("raw/olist_orders:customer_exists"),
        _expectation("raw/olist_orders:status_allowed"),
        _expectation("raw/employees:timezone_known"),
        freshness,
    ]

    url = transformer.url("postgresql+psycopg")
    results = gx_bridge.run_suites("gx_test", checks, SuiteContext("api"), url, tmp_path, tmp_path / "site")

    outcome = {item.expectation.label: item for item in results}
    assert {label: item.passed for label, item in outcome.items()} == {
        "raw/olist_orders:customer_exists": False,  # o2 names a customer nobody loaded
        "raw/olist_orders:status_allowed": True,
        "raw/employees:timezone_known": False,
        "raw/olist_orders:freshness": False,  # newest row loaded in 2020, warn_after 48 h
    }
    assert outcome["raw/olist_orders:customer_exists"].summary["observed_value"] == 1
    # a table of personal identifiers: counts, never the values themselves
    assert "partial_unexpected_list" not in outcome["raw/employees:timezone_known"].summary
    assert "11111111111" not in str(outcome["raw/employees:timezone_known"].summary)
    # the group's checkpoints are named after the group (the Dagster step), not after a table it checks
    checkpoints = sorted(path.stem for path in (tmp_path / "gx" / "checkpoints").glob("*.json"))
    assert checkpoints == ["gx_test", "gx_test_identifiers"]
    assert (tmp_path / "site" / "index.html").exists()  # GX Data Docs, copied where the docs site serves them
    # the password reaches GX in memory only: neither the environment nor any file of its project (the
    # validation history, owner-only) holds it
    assert gx_bridge.URL_VARIABLE not in os.environ
    assert (tmp_path / "gx").stat().st_mode & 0o077 == 0
    written = [path for path in (tmp_path / "gx").rglob("*") if path.is_file()]
    assert any(path.suffix == ".json" and "validations" in path.parts for path in written)
    assert transformer.password and not [
        path for path in written if transformer.password.encode() in path.read_bytes()
    ]
    # and they render offline: no page loads anything from the network, what they load is there
    site = tmp_path / "site"
    assert data_docs_offline.remote_loads(site) == []
    index = (site / "index.html").read_text()
    for local in re.findall(r'(?:src|href)="(static/[^"]+)"', index):
        assert (site / local).is_file(), local
    assert "static/vendor/jquery/dist/jquery.min.js" in index
    assert (site / "static/vendor/@fortawesome/fontawesome-free/webfonts").is_dir()


def test_an_expectation_gx_cannot_evaluate_counts_as_failed(
    fresh_db: ConnectionInfo, settings: Settings, tmp_path: Path
) -> None:
    from orchestration.quality.suites import Expectation, unexpected_rows

    transformer = role_connection(fresh_db, settings, "transformer")
    broken = Expectation(
        asset="raw/olist_orders",
        name="broken",
        domain="customer_360",
        severity="error",
        description="A query that cannot run.",
        build=unexpected_rows("select no_such_column from {batch}", "nothing"),
    )

    url = transformer.url("postgresql+psycopg")
    (result,) = gx_bridge.run_suites("broken_test", [broken], SuiteContext("api"), url, tmp_path, None)

    assert result.passed is False
    assert "no_such_column" in result.summary["exception"]


def test_a_table_gx_cannot_read_is_named_in_its_checks_failure(
    fresh_db: ConnectionInfo, settings: Settings, tmp_path: Path
) -> None:
    from orchestration.quality.suites import Expectation, unexpected_rows

    missing = Expectation(
        asset="raw/no_such_table",
        name="on_a_missing_table",
        domain="customer_360",
        severity="error",
        description="A table dbt did not build.",
        build=unexpected_rows("select * from {batch}", "nothing"),
    )
    url = role_connection(fresh_db, settings, "transformer").url("postgresql+psycopg")
    (result,) = gx_bridge.run_suites("group_name", [missing], SuiteContext("api"), url, tmp_path, None)

    assert result.passed is False
    assert result.summary["exception"].startswith("raw.no_such_table cannot be read")


def test_raw_checks_read_the_rows_loaded_since_a_snapshot_and_freshness_the_whole_table(
    fresh_db: ConnectionInfo, settings: Settings, tmp_path: Path
) -> None:
    """A refresh of new loads only checks what they added (the published build passed the same checks):
    an old order of nobody is not reported again, a new one is; freshness is of the whole table."""
    from orchestration.change_detection import committed_since

    old, recent = dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime.now(dt.UTC)
    insert = (
        "insert into raw.olist_orders (order_id, customer_id, order_status, order_purchase_timestamp,"
        " loaded_at) values (%s, %s, %s, now(), %s)"
    )
    with fresh_db.connect(autocommit=True) as conn:
        conn.execute(
            "insert into raw.olist_customers (customer_id, customer_unique_id, customer_state)"
            " values ('c1', 'u1', 'SP')"
        )
        conn.execute(insert, ("o-old-orphan", "ghost-1", "created", recent))
        conn.execute(insert, ("o-old", "c1", "created", recent))
        (snapshot,) = conn.execute("select pg_current_snapshot()::text").fetchone() or ("",)
        conn.execute(insert, ("o-new-orphan", "ghost-2", "created", old))
        conn.execute(insert, ("o-new", "c1", "delivered", old))
        since = committed_since(psycopg.sql.Literal(snapshot)).as_string(conn)
    (freshness,) = derived_expectations({}, {"olist_orders": ("customer_360", 48.0)})
    checks = [
        _expectation("raw/olist_orders:customer_exists"),
        _expectation("raw/olist_orders:status_allowed"),
        freshness,
    ]
    url = role_connection(fresh_db, settings, "transformer").url("postgresql+psycopg")
    context = SuiteContext("api", raw_rows={"olist_orders": since})

    results = gx_bridge.run_suites("gx_new_rows", checks, context, url, tmp_path, None)

    outcome = {item.expectation.name: item for item in results}
    assert outcome["customer_exists"].passed is False
    assert outcome["customer_exists"].summary["observed_value"] == 1  # ghost-2 only (the whole table has 2)
    assert outcome["status_allowed"].summary["element_count"] == 2  # the two new orders
    # the newest row of the table is recent (the new rows are dated 2020): fresh
    assert outcome["freshness"].passed is True
