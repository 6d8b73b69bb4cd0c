"""customer_360 at scale: ingest rate and full vs incremental refresh (real CLI, embedded PostgreSQL).

.venv/bin/python bench/bench_customer_360.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _cli
from bench._cli import (
    copy_seconds,
    fresh_home,
    ingest_figures,
    model_seconds,
    refresh_breakdown,
    run,
    tear_down,
)
from orchestration.ingest.olist import OLIST_FILES


def count_rows(folder: Path) -> int:
    import csv

    total = 0
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


# the date-time columns of an order's life, file by file (the delta's files are shifted together)
ORDER_TIMES = {
    "olist_orders_dataset.csv": (
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ),
    "olist_order_items_dataset.csv": ("shipping_limit_date",),
    "olist_order_reviews_dataset.csv": ("review_creation_date", "review_answer_timestamp"),
}
STAMP = "%Y-%m-%d %H:%M:%S"


def as_next_day(full: Path, delta: Path) -> None:
    """Rewrite a generated extract as a real day's one: every order of it is bought on the day after the
    latest purchase of ``full`` (at its own time of day), and the rest of its life moves with it by whole
    days. A generated extract spreads its orders over the whole history; a day's extract holds the newest
    purchases, so it moves as_of (every recency) and touches one or two days of sales."""
    import csv
    import datetime as dt

    def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    # streamed: the whole history in memory would be this process's peak (~1 GiB at 1,000,000
    # customers), and the CLI processes it starts would report it as theirs (a child's peak RSS counts
    # what it was forked from)
    with (full / "olist_orders_dataset.csv").open(encoding="utf-8", newline="") as handle:
        latest = max(row["order_purchase_timestamp"] for row in csv.DictReader(handle))
    latest_day = dt.datetime.strptime(latest, STAMP).date()
    _, orders = read(delta / "olist_orders_dataset.csv")
    next_day = latest_day + dt.timedelta(days=1)
    shift = {
        row["order_id"]: next_day - dt.datetime.strptime(row["order_purchase_timestamp"], STAMP).date()
        for row in orders
    }
    for name, columns in ORDER_TIMES.items():
        header, rows = read(delta / name)
        for row in rows:
            for column in columns:
                if row[column]:
                    moved = dt.datetime.strptime(row[column], STAMP) + shift[row["order_id"]]
                    row[column] = moved.strftime(STAMP)
        with (delta / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    args = parser.parse_args()
    home, env = fresh_home("bench-c360-")
    figures: dict[str, float | int | str] = {"customers": args.customers}
    steps: dict[str, dict[str, float]] = {}
    models: dict[str, dict[str, float]] = {}
    try:
        full, delta = home / "olist", home / "olist-delta"
        figures["generate_seconds"] = round(
            run(
                env,
                "generate",
                "olist",
                "--customers",
                str(args.customers),
                "--seed",
                "1",
                "--out",
                str(full),
            ),
            1,
        )
        delta_customers = max(1, args.customers // 100)
        run(env, "generate", "olist", "--customers", str(delta_customers), "--seed", "2", "--out", str(delta))
        second = home / "olist-delta-2"
        run(
            env, "generate", "olist", "--customers", str(delta_customers), "--seed", "3", "--out", str(second)
        )
        # both extracts are a real day's: the steady-state refresh starts from the build kept aside, two
        # publishes back, so it also catches up the first extract (a generated one touched every day)
        as_next_day(full, delta)
        as_next_day(full, second)
        rows = count_rows(full)
        run(env, "migrate")
        ingest = run(env, "ingest", "olist", str(full))
        peak = _cli.last_peak_rss_mb
        reload = run(env, "ingest", "olist", str(full))  # every file already loaded: the fixed cost
        copy = copy_seconds(
            home,
            {full / name: spec.table for name, spec in OLIST_FILES.items()},
        )
        figures.update(rows=rows, ingest_peak_rss_mb=peak, **ingest_figures(rows, ingest, reload, copy))
        full = refresh_breakdown(env)
        models["full"] = model_seconds(home)
        models["full_tests"] = model_seconds(home, kind="test")
        noop = refresh_breakdown(env)
        # the first refresh after a publish copies the incremental state into the shadow (README: Publishing);
        # the next one starts from the build kept aside: the steady state of a refresh every few minutes
        run(env, "ingest", "olist", str(delta))
        first_delta = refresh_breakdown(env)
        run(env, "ingest", "olist", str(second))
        delta_refresh = refresh_breakdown(env)
        models["after_1pct"] = model_seconds(home)
        models["after_1pct_tests"] = model_seconds(home, kind="test")
        steps.update(full=full, noop=noop, after_1pct_first=first_delta, after_1pct=delta_refresh)
        figures["full_refresh_seconds"] = full["total"]
        figures["noop_refresh_seconds"] = noop["total"]
        figures["incremental_refresh_after_1pct_seconds"] = delta_refresh["total"]
        figures["incremental_vs_full_ratio"] = round(
            float(figures["incremental_refresh_after_1pct_seconds"]) / float(figures["full_refresh_seconds"]),
            2,
        )
    finally:
        tear_down(env, home, args.keep)
    print(json.dumps({**figures, "refresh_steps": steps, "model_seconds": models}, indent=2))


if __name__ == "__main__":
    main()
