"""customer_360 at scale: ingest rate and full vs incremental refresh (real CLI, embedded PostgreSQL).

.venv/bin/python bench/bench_customer_360.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BI_DASH = str(Path(sys.executable).parent / "bi-dash")


def run(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([BI_DASH, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bi-dash {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def count_rows(folder: Path) -> int:
    import csv

    total = 0
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            total += sum(1 for _ in csv.reader(handle)) - 1
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-c360-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BI_DASH_", "DAGSTER_", "DBT_"))}
    env.pop("DATABASE_URL", None)
    env["BI_DASH_HOME"] = str(home)
    figures: dict[str, float | int | str] = {"customers": args.customers}
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
        rows = count_rows(full)
        run(env, "migrate")
        ingest = run(env, "ingest", "olist", str(full))
        figures.update(
            rows=rows, ingest_seconds=round(ingest, 1), ingest_rows_per_second=round(rows / ingest)
        )
        figures["full_refresh_seconds"] = round(run(env, "refresh"), 1)
        figures["noop_refresh_seconds"] = round(run(env, "refresh"), 1)
        run(env, "ingest", "olist", str(delta))
        figures["incremental_refresh_after_1pct_seconds"] = round(run(env, "refresh"), 1)
        figures["incremental_vs_full_ratio"] = round(
            float(figures["incremental_refresh_after_1pct_seconds"]) / float(figures["full_refresh_seconds"]),
            2,
        )
    finally:
        run(env, "down")
        if not args.keep:
            subprocess.run(["rm", "-rf", str(home)], check=False)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
