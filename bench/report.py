"""Every figure of #14 in one run: the four benches at two sizes each, a table of the targets and plots.

.venv/bin/python -m bench.report              # S scale (minutes): what `make bench` runs
.venv/bin/python -m bench.report --scale L    # L scale (hours): `make bench SCALE=L`

Writes bench/results/<scale>.json (every bench's own output), <scale>.md (the targets table), and
<scale>-refresh.png (cost vs size, full and incremental refresh, per domain); the table also replaces
the section between the <scale> markers of bench/README.md. Each bench runs on its own, one after
the other, so the figures of one table are taken side by side on the same machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._cli import short_sql
from orchestration.defs.platform.steps import API_CHECKS_STEP, DBT_STEP, PUBLISH_STEP, RAW_CHECKS_STEP

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"


@dataclass(frozen=True)
class Scale:
    customers: tuple[int, ...]  # bench_customer_360 --customers, smallest first
    ponto: tuple[tuple[int, int], ...]  # bench_controle_ponto --employees --days, smallest first
    api: tuple[str, ...]  # bench_api's arguments
    dashboards_repeat: int


SCALES = {
    "S": Scale(
        customers=(5_000, 20_000),
        ponto=((50, 30), (200, 60)),
        api=("--customers", "20000", "--employees", "200", "--seconds", "8", "--out", "api-S"),
        dashboards_repeat=3,
    ),
    "L": Scale(
        customers=(200_000, 1_000_000),
        ponto=((500, 180), (2_000, 365)),
        api=("--customers", "1000000", "--employees", "2000", "--seconds", "15", "--out", "api-L"),
        dashboards_repeat=5,
    ),
}


class Runner:
    """Runs the bench scripts one after the other, keeping each one's JSON in ``partial`` as it ends.

    An L run takes hours: with ``resume``, a bench whose result an interrupted run of the same scale
    kept is not run again (its figures are then from that earlier run: the run's table says so)."""

    def __init__(self, partial: Path, resume: bool) -> None:
        self.partial = partial
        self.done: dict[str, Any] = json.loads(partial.read_text()) if resume and partial.exists() else {}
        self.reused: list[str] = []

    def bench(self, module: str, *args: str) -> dict[str, Any]:
        """Run one bench script; its JSON (the last thing it prints)."""
        label = " ".join((module, *args))
        if label in self.done:
            print(f"==> {label}: kept from the interrupted run ({self.partial.name})", file=sys.stderr)
            self.reused.append(label)
            return dict(self.done[label])
        print(f"==> {label}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{module}", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{label} failed:\n{done.stderr[-3000:]}")
        print(f"    done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        out = done.stdout
        result: dict[str, Any] = json.loads(out[out.index("{") :])
        self.done[label] = result
        self.partial.parent.mkdir(parents=True, exist_ok=True)
        self.partial.write_text(json.dumps(self.done, indent=2) + "\n")
        return result


def run(scale: Scale, runner: Runner) -> dict[str, Any]:
    results = {
        "customer_360": [runner.bench("bench_customer_360", "--customers", str(n)) for n in scale.customers],
        "controle_ponto": [
            runner.bench("bench_controle_ponto", "--employees", str(e), "--days", str(d))
            for e, d in scale.ponto
        ],
        "api": runner.bench("bench_api", *scale.api),
        "dashboards": runner.bench("bench_dashboards", "--repeat", str(scale.dashboards_repeat)),
    }
    if runner.reused:
        results["resumed"] = runner.reused
    return results


def _met(value: float, target: float, higher_is_better: bool) -> str:
    return "yes" if (value >= target if higher_is_better else value <= target) else "**no**"


# what would close each gap, as far as the measurements of bench/README.md tell (the table's last column
# puts it beside the cause this run measured)
TO_CLOSE = {
    "refresh": "dbt data tests on the rows the build changed (their `where`; the GX raw checks already read"
    " only new rows), GX imported once per refresh (about 4 s of the first check step), and one long-lived"
    " dbt per refresh (no start-up and parse per build)",
    # what the L run measured of each domain's slowest models (bench/README.md, "L scale")
    "after_1pct": "`dim_customers` ranks everyone for the RFM scores on each build (by design: a new person"
    " moves the ntile boundaries), two sorts of every person",
    "one_new_day": "the marts still rebuilt whole: `fct_timesheet_daily` (its absences depend on every day"
    " somebody punched and on today's date), `fct_punch_anomalies` and `fct_timesheet_monthly`"
    " (`fct_treated_punches` reads and forgets only its window since a2c398f: 0.93 to 0.45 s at"
    " 1,000 × 180)",
    "olist": "the upsert into raw alone costs what COPY does (the same indexes and foreign key), and the"
    " rows are written twice before it (the staged text, the checked rows): the checks evaluated in the"
    " upsert's own select would save the second write. 0.54 at 1,000,000 customers (bench/README.md)",
    "afd": "a set-based reader: COPY the lines, split the fixed-width fields in SQL; only the CRC and"
    " the REP-P chain in Python",
    "api": "the token's claims checked where it is already read (HAProxy), the pre-request check kept"
    " only as defence in depth",
    "old": "none on this machine: the product's gap to bare PostgREST (above) is what is left",
}


def _refresh_cause(run: dict[str, Any], key: str) -> str:
    """Where an incremental refresh's seconds went, from its own steps and slowest models."""
    steps = run["refresh_steps"][key]
    named = (RAW_CHECKS_STEP, DBT_STEP, API_CHECKS_STEP, PUBLISH_STEP)
    outside = steps["total"] - sum(steps.get(name, 0.0) for name in named)
    slowest = ", ".join(
        f"`{name}` {seconds}" for name, seconds in list(run["model_seconds"][key].items())[:2]
    )
    return (
        f"of {steps['total']} s: GX raw checks {steps.get(RAW_CHECKS_STEP, 0)}, dbt step"
        f" {steps.get(DBT_STEP, 0)} (dbt's own run {steps.get('dbt_run', 0)}; slowest {slowest}),"
        f" GX api checks {steps.get(API_CHECKS_STEP, 0)}, publish"
        f" {steps.get(PUBLISH_STEP, 0)}, outside the steps (the CLI, Dagster's run)"
        f" {outside:.1f}"
        f". To close: {TO_CLOSE[key]}; {TO_CLOSE['refresh']}"
    )


def _ingest_cause(run: dict[str, Any], source: str) -> str:
    return (
        f"a reload of the same files (nothing written: the fixed cost) takes {run['reload_seconds']} of"
        f" its {run['ingest_seconds']} s; above that the load is {run['ingest_above_reload_vs_copy_ratio']}"
        f" of COPY. To close: {TO_CLOSE[source]}"
    )


def _api_causes(api: dict[str, Any]) -> tuple[str, str]:
    """The product's cost per request above bare PostgREST's, and bare PostgREST against the old design."""
    connections = api["connections"]
    added = [
        1000 * connections * (1 / values["product"]["rps"] - 1 / values["bare"]["rps"])
        for values in api["endpoints"].values()
    ]
    bare_vs_old = [values["bare"]["rps"] / values["old"]["rps"] for values in api["endpoints"].values()]
    return (
        f"each request takes {min(added):.1f}-{max(added):.1f} ms more than bare PostgREST's, whatever its"
        f" rows (per request: the JWT's claims check, the role switch, RLS). To close: {TO_CLOSE['api']}",
        f"bare PostgREST itself is {min(bare_vs_old):.1f}-{max(bare_vs_old):.1f}× the previous design on"
        f" these endpoints (wrk, the servers and PostgreSQL share the machine's cores)."
        f" To close: {TO_CLOSE['old']}",
    )


def table(results: dict[str, Any], scale_name: str) -> str:
    """The targets of #14 against what this run measured."""
    c360, ponto, api = results["customer_360"], results["controle_ponto"], results["api"]
    full_rss = {
        domain: [run["refresh_steps"]["full"]["peak_rss_mb"] for run in (runs[0], runs[-1])]
        for domain, runs in (("customer_360", c360), ("controle_ponto", ponto))
    }
    small_c, large_c, small_p, large_p = c360[0], c360[-1], ponto[0], ponto[-1]
    endpoints = api["endpoints"]
    by_bare = min(endpoints.items(), key=lambda item: item[1]["product_vs_bare"])
    by_old = min(endpoints.items(), key=lambda item: item[1]["product_vs_old"])
    p99 = ", ".join(f"{name} {values['product']['p99_ms']:.0f}" for name, values in endpoints.items())
    indexed = [name for name, values in endpoints.items() if not values["plan"]["seq_scan"]]
    api_vs_bare, api_vs_old = _api_causes(api)
    rows = [
        (
            "refresh with nothing new (smallest size)",
            f"customer_360 {small_c['noop_refresh_seconds']} s,"
            f" controle_ponto {small_p['noop_refresh_seconds']} s",
            "≤ 10 s",
            _met(max(small_c["noop_refresh_seconds"], small_p["noop_refresh_seconds"]), 10, False),
            "",
        ),
        (
            f"1 % extract (a real day's) vs full build ({large_c['customers']:,} customers; steady state)",
            f"{large_c['incremental_vs_full_ratio']}"
            f" ({large_c['incremental_refresh_after_1pct_seconds']} of {large_c['full_refresh_seconds']} s)",
            "≤ 0.10",
            _met(large_c["incremental_vs_full_ratio"], 0.10, False),
            _refresh_cause(large_c, "after_1pct"),
        ),
        (
            f"one new day vs full build ({large_p['employees']:,} × {large_p['days']} days)",
            f"{large_p['one_day_vs_full_ratio']}"
            f" ({large_p['refresh_after_one_new_day_seconds']} of {large_p['full_refresh_seconds']} s)",
            "≤ 0.10",
            _met(large_p["one_day_vs_full_ratio"], 0.10, False),
            _refresh_cause(large_p, "one_new_day"),
        ),
        (
            f"Olist ingest vs COPY into raw-shaped tables ({large_c['rows']:,} rows)",
            f"{large_c['ingest_vs_copy_ratio']} ({large_c['ingest_rows_per_second']:,} rows/s,"
            f" COPY {large_c['copy_rows_per_second']:,})",
            "≥ 0.50",
            _met(large_c["ingest_vs_copy_ratio"], 0.50, True),
            _ingest_cause(large_c, "olist"),
        ),
        (
            f"AFD ingest vs COPY of the rows it wrote, raw-shaped tables ({large_p['punches']:,} punches)",
            f"{large_p['ingest_vs_copy_ratio']} ({large_p['ingest_punches_per_second']:,} punches/s,"
            f" COPY {large_p['copy_punches_per_second']:,})",
            "≥ 0.50",
            _met(large_p["ingest_vs_copy_ratio"], 0.50, True),
            _ingest_cause(large_p, "afd"),
        ),
        (
            "peak memory, ingest (smallest → largest size)",
            f"customer_360 {small_c['ingest_peak_rss_mb']} → {large_c['ingest_peak_rss_mb']} MiB,"
            f" controle_ponto {small_p['ingest_peak_rss_mb']} → {large_p['ingest_peak_rss_mb']} MiB",
            "flat in the input size",
            _met(
                max(
                    large["ingest_peak_rss_mb"] / small["ingest_peak_rss_mb"]
                    for small, large in ((small_c, large_c), (small_p, large_p))
                ),
                1.5,
                False,
            ),
            "",
        ),
        (
            "peak memory, full refresh (smallest → largest size)",
            ", ".join(f"{domain} {rss[0]} → {rss[1]} MiB" for domain, rss in full_rss.items()),
            "flat in the input size",
            _met(max(rss[1] / rss[0] for rss in full_rss.values()), 1.5, False),
            "",
        ),
        (
            f"API vs bare PostgREST ({api['customers']:,} customers; lowest endpoint)",
            f"{by_bare[1]['product_vs_bare']} ({by_bare[0]}); p99 ms: {p99}",
            "≥ 0.80 on every endpoint",
            _met(by_bare[1]["product_vs_bare"], 0.80, True),
            api_vs_bare,
        ),
        (
            "API vs the previous design (lowest endpoint)",
            f"{by_old[1]['product_vs_old']}× ({by_old[0]})",
            "≥ 8×",
            _met(by_old[1]["product_vs_old"], 8, True),
            api_vs_old,
        ),
        _declared_requests_row(api, endpoints, indexed, scale_name),
    ]
    lines = [
        f"Scale {scale_name}, one run of `python -m bench.report --scale {scale_name}`"
        f" ({time.strftime('%Y-%m-%d')}; plots: `results/{scale_name}-refresh.png`).",
        *(
            [f"Resumed (`--resume`): kept from the interrupted run: {', '.join(results['resumed'])}."]
            if results.get("resumed")
            else []
        ),
        "",
        "| figure | measured | target | met | not met: the measured cause, what would close it |",
        "|---|---|---|---|---|",
        *(
            f"| {figure} | {measured} | {target} | {met} | {cause if met != 'yes' else ''} |"
            for figure, measured, target, met, cause in rows
        ),
    ]
    return "\n".join(lines) + "\n"


def _declared_requests_row(
    api: dict[str, Any], endpoints: dict[str, Any], indexed: list[str], scale_name: str
) -> tuple[str, str, str, str, str]:
    """Every declared request of every api resource (api_contracts/queries.py) as each role that reads
    it: how many an index serves at this scale (runs before the declaration: the benched endpoints).
    The target is the L scale's: at S a table of a few hundred rows is rightly read whole."""
    requests = api.get("requests")
    if requests is None:
        measured, met = (
            f"{len(indexed)} of {len(endpoints)} benched endpoints",
            len(indexed) == len(endpoints),
        )
        return (
            "the benched endpoints served by an index, as their role",
            measured,
            "all",
            _met(met, 1, True),
            "",
        )
    served = [item for item in requests if not item["seq_scan"]]  # a sort of the rows an index found is fine
    slowest = max(requests, key=lambda item: item["ms"])
    missed = "; ".join(
        f"{item['resource']} as {item['role']}: `{short_sql(item['sql'])}` ({', '.join(item['scans'])};"
        f" {item['ms']} ms)"
        for item in requests
        if item["seq_scan"]
    )
    at_l = scale_name == "L"
    scope = (
        ""
        if at_l
        else "the target is L's (`make bench SCALE=L`): at this scale the planner rightly reads tables of"
        " a few hundred rows whole; "
    )
    missed_as = "not served" if at_l else "read whole here"
    return (
        "every api resource's documented filters and orders (api_contracts/queries.py), served by an index"
        " as each role",
        f"{len(served)} of {len(requests)} (plans in `results/api-{scale_name}.md`;"
        f" slowest {slowest['ms']} ms: `{short_sql(slowest['sql'])}` as {slowest['role']})",
        "all, at L scale",
        _met(len(served), len(requests), True) if at_l else "at L only",
        scope + (f"{missed_as}: {missed}" if missed else ""),
    )


def plot(results: dict[str, Any], path: Path) -> None:
    """Seconds vs size of the full build, the incremental refresh and the refresh with nothing new."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    domains = (
        (left, "customer_360", "raw rows", "rows", "incremental_refresh_after_1pct_seconds", "1 % extract"),
        (right, "controle_ponto", "punches", "punches", "refresh_after_one_new_day_seconds", "one new day"),
    )
    for axes, domain, label, size_key, incremental_key, incremental_label in domains:
        runs = results[domain]
        sizes = [run[size_key] for run in runs]
        for key, name, marker in (
            ("full_refresh_seconds", "full build", "o"),
            (incremental_key, incremental_label, "s"),
            ("noop_refresh_seconds", "nothing new", "^"),
        ):
            axes.plot(sizes, [run[key] for run in runs], marker=marker, label=name)
        axes.set_title(domain)
        axes.set_xlabel(label)
        axes.set_ylabel("seconds")
        axes.set_xscale("log")
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def replace_section(text: str, scale_name: str, body: str) -> str:
    """The README's section between the scale's markers, replaced (appended when there is none)."""
    begin, end = f"<!-- bench:{scale_name} -->", f"<!-- /bench:{scale_name} -->"
    section = f"{begin}\n{body}{end}"
    if begin in text and end in text:
        return text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    return text.rstrip("\n") + f"\n\n## Latest run, scale {scale_name}\n\n{section}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument(
        "--from-json", type=Path, help="write the table and plots from an earlier run's results/<scale>.json"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="after an interrupted run: keep the benches it finished (results/<scale>.partial.json)",
    )
    args = parser.parse_args()
    partial = RESULTS / f"{args.scale}.partial.json"
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        results = run(SCALES[args.scale], Runner(partial, args.resume))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.scale}.json").write_text(json.dumps(results, indent=2) + "\n")
    body = table(results, args.scale)
    (RESULTS / f"{args.scale}.md").write_text(f"# bench, scale {args.scale}\n\n{body}")
    plot(results, RESULTS / f"{args.scale}-refresh.png")
    README.write_text(replace_section(README.read_text(), args.scale, body))
    partial.unlink(missing_ok=True)
    print(body)


if __name__ == "__main__":
    main()
