"""controle_ponto at scale: AFD ingest rate and the refresh after one new day vs the full build, with
the seconds of each dbt model (real CLI, embedded PostgreSQL).

    .venv/bin/python bench/bench_controle_ponto.py --employees 2000 --days 365 [--shape real]

``--shape real`` writes what real exports hold (forgotten punches, bursts of presses, people without a
schedule, vacations) instead of the demo's tidy clocks: the engine must stay linear in the punches and
jornadas whatever their shape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _cli
from bench._cli import (
    copy_rows_seconds,
    fresh_home,
    ingest_figures,
    model_seconds,
    refresh_breakdown,
    run,
    tear_down,
)


def main() -> None:
    from orchestration.generate.afd import SHAPES, generate_afd
    from orchestration.generate.ponto import make_employees
    from orchestration.ingest.afd_loader import PUNCH_COLUMNS, RECORD_COLUMNS

    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tidy")
    parser.add_argument("--keep", action="store_true")
    # customer_360 data beside (Olist customers): the one-new-day refresh leaves that domain out, and a
    # second new day is refreshed with --force (every domain, as every refresh did before #14 item 1)
    parser.add_argument("--with-olist", type=int, default=0, metavar="CUSTOMERS")
    args = parser.parse_args()
    home, env = fresh_home("bench-ponto-")
    figures: dict[str, float | int | str] = {
        "employees": args.employees,
        "days": args.days,
        "shape": args.shape,
    }
    models: dict[str, dict[str, float]] = {}
    steps: dict[str, dict[str, float]] = {}
    start = dt.date(2025, 1, 1)
    try:
        data = home / "ponto"
        figures["generate_seconds"] = round(
            run(
                env,
                "generate",
                "ponto",
                "--employees",
                str(args.employees),
                "--days",
                str(args.days),
                "--seed",
                "1",
                "--shape",
                args.shape,
                "--out",
                str(data),
            ),
            1,
        )
        afd_files = sorted(str(p) for p in (data / "afd").glob("*.txt"))
        punches = sum(sum(1 for line in open(p, "rb") if line[9:10] == b"3") for p in afd_files)
        run(env, "migrate")
        run(env, "ingest", "employees", str(data / "employees.csv"))
        run(env, "ingest", "schedules", str(data / "schedules.csv"))
        ingest = run(env, "ingest", "afd", *afd_files)
        peak = _cli.last_peak_rss_mb
        reload = run(env, "ingest", "afd", *afd_files)  # every file already loaded: the fixed cost
        # the yardstick: COPY of the rows this load wrote (punches and the other records) into
        # raw-shaped tables; the NSR run each record belongs to is the one column the load adds
        copy = copy_rows_seconds(
            home,
            {
                "afd_punches": (*PUNCH_COLUMNS, "nsr_run_started_at"),
                "afd_records": (*RECORD_COLUMNS, "nsr_run_started_at"),
            },
        )
        figures.update(
            punches=punches,
            ingest_peak_rss_mb=peak,
            **ingest_figures(punches, ingest, reload, copy, "punches"),
        )
        if args.with_olist:
            run(
                env,
                "generate",
                "olist",
                "--customers",
                str(args.with_olist),
                "--seed",
                "7",
                "--out",
                str(home / "olist"),
            )
            run(env, "ingest", "olist", str(home / "olist"))
            figures["olist_customers"] = args.with_olist
        full = refresh_breakdown(env)
        figures["full_refresh_seconds"] = full["total"]
        models["full"] = model_seconds(home)
        # the first refresh after the first publish copies the incremental tables into the shadow
        # (as does the refresh after a failed one); from then on each build starts from the kept ones
        first_incremental = refresh_breakdown(env, "--force")  # nothing changed: it would be skipped
        figures["first_incremental_refresh_seconds"] = first_incremental["total"]
        steps.update(full=full, first_incremental=first_incremental)

        def ingest_next_day(after: dt.date, folder: str) -> dt.date:
            """One more working day for everyone (not a weekend day, not a holiday)."""
            day = after + dt.timedelta(days=1)
            while day.isoweekday() in (6, 7) or (day.month, day.day) in ((1, 1), (12, 25)):
                day += dt.timedelta(days=1)
            generate_afd(
                home / folder, make_employees(args.employees, 1), day, 1, seed=99, shape=SHAPES[args.shape]
            )
            run(env, "ingest", "afd", *sorted(str(p) for p in (home / folder).glob("*.txt")))
            return day

        next_day = ingest_next_day(start + dt.timedelta(days=args.days - 1), "next-day")
        one_day = refresh_breakdown(env)
        models["one_new_day"] = model_seconds(home)
        noop = refresh_breakdown(env)
        figures["refresh_after_one_new_day_seconds"] = one_day["total"]
        figures["noop_refresh_seconds"] = noop["total"]
        steps.update(one_new_day=one_day, noop=noop)
        figures["one_day_vs_full_ratio"] = round(
            figures["refresh_after_one_new_day_seconds"] / figures["full_refresh_seconds"], 2
        )
        if args.with_olist:
            ingest_next_day(next_day, "day-after")
            every_domain = refresh_breakdown(env, "--force")
            steps["one_new_day_every_domain"] = every_domain
            figures["refresh_after_one_new_day_every_domain_seconds"] = every_domain["total"]
            figures["one_domain_vs_every_domain_ratio"] = round(one_day["total"] / every_domain["total"], 2)
    finally:
        tear_down(env, home, args.keep)
    print(json.dumps({**figures, "refresh_steps": steps, "model_seconds": models}, indent=2))


if __name__ == "__main__":
    main()
