"""customer_360 is incremental end to end and an incremental refresh publishes exactly what a rebuild
from scratch gives, on a delta that moves everything a delta can move: an order changing person (its
old person left with none), a new first order (a person's "new customer" day moves), an order whose
purchase moves to another day, a cancellation (RFM scores shift for others), a customer record moving
state, a new person without a state on a new latest day (as_of moves, so every recency does).

It also pins that the refresh recomputed only the orders the delta touched."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.e2e.cli import Cli

pytestmark = pytest.mark.e2e
MARTS = ("fct_orders", "dim_customers", "fct_daily_sales", "fct_sales_by_state", "fct_customer_segments")
STAMP = "%Y-%m-%d %H:%M:%S"


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    cli = Cli(home=tmp_path / "home")
    yield cli
    cli.run("down")


def _ok(cli: Cli, *args: str) -> None:
    result = cli.run(*args)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _shift(stamp: str, days: int) -> str:
    return (dt.datetime.strptime(stamp, STAMP) + dt.timedelta(days=days)).strftime(STAMP)


def _delta(full: Path, out: Path) -> set[str]:
    """Write the delta's files; return the order ids whose summary it changes."""
    customers = {row["customer_id"]: row for row in _read(full / "olist_customers_dataset.csv")}
    orders = _read(full / "olist_orders_dataset.csv")
    person = {order["order_id"]: customers[order["customer_id"]]["customer_unique_id"] for order in orders}
    per_person = Counter(person.values())
    delivered = [o for o in orders if o["order_status"] == "delivered"]
    single = [o for o in delivered if per_person[person[o["order_id"]]] == 1]
    moved, target, redated, canceled, restated = single[0], single[1], single[2], single[3], single[4]

    changed_orders = [
        {**moved, "customer_id": target["customer_id"]},  # its person is left with no order
        {**redated, "order_purchase_timestamp": _shift(redated["order_purchase_timestamp"], 3)},
        {**canceled, "order_status": "canceled"},
    ]
    first = min(o["order_purchase_timestamp"] for o in orders)
    last = max(o["order_purchase_timestamp"] for o in orders)
    new_orders = [
        # the target person's new first order, before anything else in the data
        {**target, "order_id": "delta-first", "order_purchase_timestamp": _shift(first, -1)},
        # a new person on a new latest day
        {**target, "order_id": "delta-new", "customer_id": "delta-c-new"}
        | {"order_purchase_timestamp": _shift(last, 2)},
    ]
    for order in new_orders:
        for column in ("order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date"):
            order[column] = ""
    _write(out / "olist_orders_dataset.csv", changed_orders + new_orders)
    restated_record = customers[restated["customer_id"]]
    new_state = "AC" if restated_record["customer_state"] != "AC" else "RR"
    _write(
        out / "olist_customers_dataset.csv",
        [
            {**restated_record, "customer_state": new_state},
            # the layout does not require a state: the new person has none
            {**restated_record, "customer_id": "delta-c-new", "customer_unique_id": "delta-u-new"}
            | {"customer_state": ""},
        ],
    )
    payment = {"payment_sequential": "1", "payment_type": "voucher", "payment_installments": "1"}
    _write(
        out / "olist_order_payments_dataset.csv",
        [
            {"order_id": "delta-first", **payment, "payment_value": "123.45"},
            {"order_id": "delta-new", **payment, "payment_value": "67.89"},
        ],
    )
    restated_orders = {o["order_id"] for o in orders if o["customer_id"] == restated_record["customer_id"]}
    return {o["order_id"] for o in changed_orders + new_orders} | restated_orders


def _published(conn: psycopg.Connection) -> dict[str, list[tuple]]:
    return {name: sorted(conn.execute(f"select * from marts.{name}").fetchall(), key=repr) for name in MARTS}


def test_a_refresh_recomputes_what_changed_and_equals_a_rebuild(cli: Cli, tmp_path: Path) -> None:
    full, delta = tmp_path / "olist", tmp_path / "delta"
    delta.mkdir()
    _ok(cli, "generate", "olist", "--customers", "300", "--seed", "7", "--out", str(full))
    _ok(cli, "migrate")
    _ok(cli, "ingest", "olist", str(full))
    _ok(cli, "refresh")
    touched = _delta(full, delta)
    _ok(cli, "ingest", "olist", str(delta))
    _ok(cli, "refresh")
    with psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash", user="postgres") as conn:
        rewritten = {
            row[0]
            for row in conn.execute(
                "select order_id from intermediate.int_orders_summarized"
                " where summarized_at = (select max(summarized_at) from intermediate.int_orders_summarized)"
            )
        }
        incremental = _published(conn)
    assert rewritten == touched
    # each CLI load is a materialization of the raw assets it wrote (what the inbox sensor's runs record)
    with psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash_dagster", user="postgres") as conn:
        loads = [
            json.loads(row[0])["dagster_event"]["event_specific_data"]["materialization"]["metadata_entries"]
            for row in conn.execute(
                "select event from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'"
                " and asset_key = %s order by id",
                (json.dumps(["raw", "olist_orders"]),),
            )
        ]
    assert len(loads) == 2
    delta_load = {entry["label"]: entry["entry_data"] for entry in loads[1]}
    assert (delta_load["loaded"]["value"], delta_load["updated"]["value"]) == (2, 3)
    assert {"delta-first", "delta-new"} <= {row[0] for row in incremental["fct_orders"]}
    _ok(cli, "refresh", "--full-refresh")
    with psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash", user="postgres") as conn:
        rebuilt = _published(conn)
    for name in MARTS:
        assert incremental[name] == rebuilt[name], name
