"""Write-audit-publish as a user meets it: `bi-dash up`, then refreshes whose checks pass or fail.

The module brings the platform up once (demo data of both domains) and runs its refreshes in order:
a blocking failure, its fix, a warning-only refresh. Expected values are what the test inserted.
"""

import re
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.e2e.cli import Cli

pytestmark = [pytest.mark.e2e, pytest.mark.publish_gate]

NEW_CUSTOMER = ("gate-customer", "gate-person")
ORPHAN_ORDER = "gate-orphan-order"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    cli = Cli(home=tmp_path_factory.mktemp("gate-home"))
    up = cli.run("up", "--detach")
    assert up.returncode == 0, up.stdout + up.stderr[-3000:]
    yield cli
    cli.run("down")


def _admin(cli: Cli) -> psycopg.Connection:
    return psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash", user="postgres", autocommit=True)


def _count(cli: Cli, resource: str, headers: dict[str, str]) -> int:
    response = httpx.get(
        f"{cli.api_url}/{resource}",
        params={"limit": 1},
        headers={"Prefer": "count=exact", **headers},
        timeout=60,
    )
    assert response.status_code in (200, 206), response.text
    return int(response.headers["Content-Range"].split("/")[1])


def _status(cli: Cli) -> dict[str, dict]:
    """api.data_status as anon sees it (no token): resource -> row."""
    response = httpx.get(f"{cli.api_url}/data_status", timeout=60)
    assert response.status_code == 200, response.text
    return {row["resource"]: row for row in response.json()}


def _run_id(stderr: str) -> str:
    match = re.search(r"Dagster run\s+([0-9a-f-]{36})", stderr)  # the console may wrap the line
    assert match, stderr[-2000:]
    return match.group(1)


def _raw_checks_read(cli: Cli, run_id: str) -> str:
    """What a run's raw-input checks read, as the refresh log says."""
    log = (cli.home / "logs" / "refresh.log").read_text().splitlines()
    lines = [line for line in log if run_id in line and "raw_input_checks - Validating" in line]
    assert len(lines) == 1, lines
    return lines[0]


def _dagster_run_status(cli: Cli, run_id: str) -> str:
    query = {"query": '{ runOrError(runId: "' + run_id + '") { ... on Run { status } } }'}
    url = f"http://127.0.0.1:{cli.ports['DAGSTER_PORT']}/graphql"
    return httpx.post(url, json=query, timeout=30).json()["data"]["runOrError"]["status"]


def _insert_customer_with_order(
    conn: psycopg.Connection, customer: tuple[str, str], order_id: str, state: str
) -> None:
    conn.execute(
        "insert into raw.olist_customers (customer_id, customer_unique_id, customer_state)"
        " values (%s, %s, %s)",
        (*customer, state),
    )
    conn.execute(
        "insert into raw.olist_orders (order_id, customer_id, order_status, order_purchase_timestamp)"
        " values (%s, %s, 'created', now())",
        (order_id, customer[0]),
    )


def test_a_blocking_failure_keeps_the_last_good_build_and_is_named_everywhere(cli: Cli) -> None:
    analyst = cli.token("analyst")
    customers_before = _count(cli, "customers", analyst)
    published_before = _status(cli)
    assert {row["last_attempt_outcome"] for row in published_before.values()} == {"published"}
    with _admin(cli) as conn:
        # a new customer with an order (would add a row to /customers) and an order of nobody (breaks a key)
        _insert_customer_with_order(conn, NEW_CUSTOMER, "gate-order-1", "SP")
        conn.execute(
            "insert into raw.olist_orders (order_id, customer_id, order_status, order_purchase_timestamp)"
            " values (%s, 'nobody', 'created', now())",
            (ORPHAN_ORDER,),
        )

    try:
        _blocked_then_served(cli, analyst, customers_before, published_before)
    finally:
        with _admin(cli) as conn:
            conn.execute("delete from raw.olist_orders where order_id = %s", (ORPHAN_ORDER,))
    fixed = cli.run("refresh")

    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert _count(cli, "customers", analyst) == customers_before + 1
    customers = _status(cli)["customers"]
    assert customers["last_attempt_outcome"] == "published" and customers["failing_checks"] == []
    assert customers["last_published_at"] > published_before["customers"]["last_published_at"]
    assert customers["row_count"] == customers_before + 1


def _blocked_then_served(
    cli: Cli, analyst: dict[str, str], customers_before: int, published_before: dict[str, dict]
) -> None:
    blocked = cli.run("refresh")

    # customer_360's own check failed: that domain is held back, the others are published beside it
    assert blocked.returncode == 1, blocked.stderr[-2000:]
    assert "refresh partly published: customer_360 not published" in " ".join(blocked.stderr.split())
    assert "raw/olist_orders:customer_exists" in blocked.stderr
    assert "Traceback" not in blocked.stderr
    assert _dagster_run_status(cli, _run_id(blocked.stderr)) == "FAILURE"
    # new loads after a publish: the raw checks read those rows, and that was enough to hold it back
    assert "on the rows of the raw tables loaded since the published build" in _raw_checks_read(
        cli, _run_id(blocked.stderr)
    )
    # the API still serves the previous build of customer_360: the new customer is not there
    assert _count(cli, "customers", analyst) == customers_before
    status = _status(cli)
    customers = status["customers"]
    assert customers["last_attempt_outcome"] == "blocked"
    assert "raw/olist_orders:customer_exists" in customers["failing_checks"]
    assert customers["last_published_at"] == published_before["customers"]["last_published_at"]
    assert customers["last_attempt_at"] > published_before["customers"]["last_attempt_at"]
    # controle_ponto was published by the same refresh, and a check of customer_360 is not reported
    # against it
    timesheets = status["timesheet_daily"]
    assert timesheets["last_attempt_outcome"] == "published" and timesheets["failing_checks"] == []
    assert timesheets["last_published_at"] > published_before["timesheet_daily"]["last_published_at"]
    status_line = " ".join(cli.run("status").stdout.split())
    assert "partial" in status_line and "raw/olist_orders:customer_exists" in status_line
    # a restart with the bad data still in raw: `up` serves the last good build, refreshes, warns
    assert cli.run("down").returncode == 0
    again = cli.run("up", "--detach")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Serving the build published at" in again.stderr
    assert _count(cli, "customers", analyst) == customers_before


def test_a_failing_warn_check_is_reported_but_does_not_block(cli: Cli) -> None:
    analyst = cli.token("analyst")
    customers_before = _count(cli, "customers", analyst)
    with _admin(cli) as conn:
        # 'XX' is no Brazilian state: raw/olist_customers:state_is_brazilian has severity warn
        _insert_customer_with_order(conn, ("gate-customer-xx", "gate-person-xx"), "gate-order-xx", "XX")

    result = cli.run("refresh")

    assert result.returncode == 0, result.stderr[-2000:]
    assert "raw/olist_customers:state_is_brazilian" in result.stderr  # named as a warning
    assert _count(cli, "customers", analyst) == customers_before + 1
    customers = _status(cli)["customers"]
    assert customers["last_attempt_outcome"] == "published"
    assert customers["failing_checks"] == []
    assert "raw/olist_customers:state_is_brazilian" in customers["warning_checks"]


def test_a_collapsed_build_is_not_published_unless_asked(cli: Cli) -> None:
    """Row-count anomaly: a full refresh after the orders vanished would serve no orders at all."""
    analyst = cli.token("analyst")
    orders_before = _count(cli, "customer_orders", analyst)
    with _admin(cli) as conn, conn.transaction():
        saved = conn.execute("select count(*) from raw.olist_orders").fetchone()[0]  # type: ignore[index]
        conn.execute("create table public.saved_orders as select * from raw.olist_orders")
        conn.execute("create table public.saved_items as select * from raw.olist_order_items")
        conn.execute("create table public.saved_payments as select * from raw.olist_order_payments")
        conn.execute("create table public.saved_reviews as select * from raw.olist_order_reviews")
        conn.execute(
            "truncate raw.olist_order_items, raw.olist_order_payments, raw.olist_order_reviews,"
            " raw.olist_orders"
        )
    try:
        result = cli.run("refresh", "--full-refresh")
        assert result.returncode == 1, result.stderr[-2000:]
        # rows deleted by hand leave no trace the new-rows rule sees: a forced build checks every row
        assert "on every row of the raw tables: a full refresh (--full-refresh)" in _raw_checks_read(
            cli, _run_id(result.stderr)
        )
        assert "api/customer_orders:row_count_vs_published" in result.stderr
        assert _count(cli, "customer_orders", analyst) == orders_before
        # a deliberate purge: published on request, and the next refresh does not bring it back
        purged = cli.run("refresh", "--full-refresh", "--allow-shrink")
        assert purged.returncode == 0, purged.stderr[-2000:]
        assert _count(cli, "customer_orders", analyst) == 0
        assert cli.run("refresh").returncode == 0
        assert _count(cli, "customer_orders", analyst) == 0
    finally:
        with _admin(cli) as conn, conn.transaction():
            for table, saved_table in (
                ("olist_orders", "saved_orders"),
                ("olist_order_items", "saved_items"),
                ("olist_order_payments", "saved_payments"),
                ("olist_order_reviews", "saved_reviews"),
            ):
                conn.execute(f"insert into raw.{table} select * from public.{saved_table}")
                conn.execute(f"drop table public.{saved_table}")
            restored = conn.execute("select count(*) from raw.olist_orders").fetchone()[0]  # type: ignore[index]
    assert restored == saved
    assert cli.run("refresh", "--full-refresh").returncode == 0
    assert _count(cli, "customer_orders", analyst) == orders_before


def test_docs_site_has_every_api_model_with_columns_and_lineage_to_raw(cli: Cli) -> None:
    docs = f"http://127.0.0.1:{cli.ports['DOCS_PORT']}"
    manifest = httpx.get(docs + "/dbt/manifest.json", timeout=60).json()
    catalog = httpx.get(docs + "/dbt/catalog.json", timeout=60).json()
    api_models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "api"
    }
    assert {node["name"] for node in api_models.values()} >= {
        "customers", "customer_orders", "daily_sales", "customer_segments", "sales_by_state",
        "employees", "punches", "timesheet_daily", "timesheet_monthly", "punch_anomalies", "data_status",
    }  # fmt: skip
    sources = manifest["sources"]
    for unique_id, node in api_models.items():
        assert node["description"], unique_id
        documented = {name: column["description"] for name, column in node["columns"].items()}
        in_database = set(catalog["nodes"][unique_id]["columns"])  # the published view's real columns
        assert set(documented) == in_database, unique_id
        assert all(documented.values()), unique_id
        # lineage: walking up the parent map reaches a source in schema raw (or audit, for data_status)
        seen, frontier = set(), [unique_id]
        while frontier:
            for parent in manifest["parent_map"].get(frontier.pop(), []):
                if parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        reached = {sources[item]["schema"] for item in seen if item in sources}
        assert reached & {"raw", "audit"}, unique_id
    exposures = {item["name"]: item for item in manifest["exposures"].values()}
    assert {"customer_360_dashboard", "controle_ponto_dashboard"} <= set(exposures)
    landing = httpx.get(docs + "/", timeout=60).text
    assert 'href="dbt/index.html"' in landing and 'href="gx/index.html"' in landing
    assert f":{cli.ports['DAGSTER_PORT']}" in landing
    gx_site = httpx.get(docs + "/gx/index.html", timeout=60)
    assert gx_site.status_code == 200 and "raw.olist_orders" in gx_site.text
