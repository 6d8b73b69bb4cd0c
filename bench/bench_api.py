"""The API side by side (issue #14): the product, a bare PostgREST, the previous design, and pgbench.

One platform is built from generated data (S scale by default; ``--customers 1000000`` for L), then
each endpoint is loaded with wrk (16 connections) against:

- **product**: the API as users reach it: HAProxy → PostgREST, JWT, ``auth.check_request``, RLS,
  ``security_invoker`` views over the marts;
- **bare**: PostgREST 12 straight on plain indexed copies of the same rows (no JWT, no RLS, no views);
- **old design**: FastAPI + SQLAlchemy ORM over the mart tables, 2 uvicorn workers (``bench/old_design.py``);
- **pgbench**: the product's SQL run by pgbench as the role PostgREST switches to, with the same claims.

It prints each plan of the product's SQL as each role that may read the resource (an index must serve
the filter and the order), writes ``bench/results/<out>.md`` and ``<out>.json`` (``--out``, by default
``api``; ``report.py`` names them by scale: ``api-S``, ``api-L``), and prints the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from api_contracts import queries
from bench._cli import ROOT, fresh_home, run, short_sql, tear_down

RESULTS = ROOT / "bench" / "results"
SYSTEMS = ("product", "bare", "old", "pgbench")


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str  # the role of the product's request (and of pgbench's)
    path: str  # path and query, the same on the product's API and on the bare PostgREST
    old: str  # the previous design's route
    sql: str  # what PostgREST runs for it (the core select; the plans are read from it)
    claims: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_http(url: str, deadline: float = 120) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"{url} did not answer within {deadline:.0f} s")


def _build(env: dict[str, str], home: Path, customers: int, employees: int) -> None:
    data = home / "input"
    run(env, "generate", "olist", "--customers", str(customers), "--out", str(data / "olist"))
    run(env, "generate", "ponto", "--employees", str(employees), "--days", "31", "--out", str(data / "ponto"))
    run(env, "ingest", "olist", str(data / "olist"))
    run(env, "ingest", "employees", str(data / "ponto" / "employees.csv"))
    run(env, "ingest", "schedules", str(data / "ponto" / "schedules.csv"))
    run(env, "ingest", "afd", *sorted(str(path) for path in (data / "ponto" / "afd").glob("*.txt")))
    run(env, "up", "--detach", "--no-demo")


BARE = """
drop schema if exists bare cascade;
create schema bare;
create table bare.customers as select * from api.customers;
alter table bare.customers add primary key (customer_unique_id);
create index on bare.customers (state, total_spent);
create table bare.customer_orders as select * from api.customer_orders;
alter table bare.customer_orders add primary key (order_id);
create index on bare.customer_orders (customer_unique_id, purchased_at);
create table bare.daily_sales as select * from api.daily_sales;
alter table bare.daily_sales add primary key (date);
create table bare.timesheet_daily as select * from api.timesheet_daily;
create index on bare.timesheet_daily (employee_id, work_date);
do $$ begin create role bare_anon nologin; exception when duplicate_object then null; end $$;
grant usage on schema bare to bare_anon;
grant select on all tables in schema bare to bare_anon;
grant bare_anon to authenticator;
analyze bare.customers, bare.customer_orders, bare.daily_sales, bare.timesheet_daily;
"""


def _endpoints(conn: psycopg.Connection, values: dict[str, str]) -> list[Endpoint]:
    """The five endpoints of the issue, with parameters taken from the data (``_sample_values``)."""
    customer, state, employee = values["customer"], values["state"], values["employee"]
    month, end = values["first_day"], values["last_day"]
    last = conn.execute("select max(date) from api.daily_sales").fetchone()[0]  # type: ignore[index]
    first = last - dt.timedelta(days=89)
    analyst = {"role": "analyst"}
    return [
        Endpoint(
            "customer by id",
            "analyst",
            f"/customers?customer_unique_id=eq.{customer}",
            f"/customers/{customer}",
            f"select * from api.customers where customer_unique_id = '{customer}'",
            analyst,
        ),
        Endpoint(
            f"50 customers of {state} by spend",
            "analyst",
            f"/customers?state=eq.{state}&order=total_spent.desc&limit=50",
            f"/customers?state={state}&limit=50",
            f"select * from api.customers where state = '{state}' order by total_spent desc limit 50",
            analyst,
        ),
        Endpoint(
            "one customer's orders",
            "analyst",
            f"/customer_orders?customer_unique_id=eq.{customer}&order=purchased_at",
            f"/customers/{customer}/orders",
            f"select * from api.customer_orders where customer_unique_id = '{customer}'"
            " order by purchased_at",
            analyst,
        ),
        Endpoint(
            "90 days of daily sales",
            "analyst",
            f"/daily_sales?date=gte.{first}&date=lte.{last}&order=date",
            f"/daily_sales?start={first}&end={last}",
            f"select * from api.daily_sales where date >= '{first}' and date <= '{last}' order by date",
            analyst,
        ),
        Endpoint(
            "an employee's month (timesheet_daily)",
            "employee",
            f"/timesheet_daily?employee_id=eq.{employee}&work_date=gte.{month}&work_date=lte.{end}&order=work_date",
            f"/employees/{employee}/timesheet?start={month}&end={end}",
            f"select * from api.timesheet_daily where employee_id = '{employee}'"
            f" and work_date between '{month}' and '{end}' order by work_date",
            {"role": "employee", "employee_id": employee},
        ),
    ]


def _wrk(url: str, seconds: int, connections: int, token: str | None = None) -> dict[str, float]:
    header = ["-H", f"Authorization: Bearer {token}"] if token else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([0-9.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(rps, 1),
        "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 2) if p99 else float("nan"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _pgbench(home: Path, endpoint: Endpoint, seconds: int, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".sql")[1])
    claims = json.dumps(endpoint.claims).replace("'", "''")
    script.write_text(
        "begin;\n"
        f"set local role {endpoint.role};\n"
        f"select set_config('request.jwt.claims', '{claims}', true);\n"
        f"{endpoint.sql};\n"
        "commit;\n"
    )
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-h",
            str(home / "pg"),
            "-U",
            "postgres",
            f"-c{connections}",
            "-j2",
            f"-T{seconds}",
            "-r",
            "-f",
            str(script),
            "bi_dash",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    return {"rps": round(tps, 1), "avg_ms": float(latency.group(1)) if latency else float("nan")}


def _plan(
    conn: psycopg.Connection, sql: str, role: str, claims: dict[str, str], analyze: bool = False
) -> dict[str, object]:
    """The plan of ``sql`` as ``role`` with ``claims``: its scans, whether one reads a whole table and
    whether it sorts; with ``analyze``, its execution time (ms)."""
    with conn.transaction(force_rollback=True):
        conn.execute(f"set local role {role}")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        options = "analyze, format json" if analyze else "format json"
        explained = conn.execute(f"explain ({options}) {sql}").fetchone()[0][0]  # type: ignore[index]
    scans: list[str] = []
    nodes: list[str] = []

    def walk(node: dict) -> None:  # type: ignore[type-arg]
        nodes.append(node["Node Type"])
        if "Scan" in node["Node Type"]:
            where = node.get("Relation Name") or f"index {node.get('Index Name', '?')}"
            scans.append(f"{node['Node Type']} on {where}")
        for child in node.get("Plans", []):
            walk(child)

    walk(explained["Plan"])
    return {
        "scans": scans,
        "seq_scan": any(scan.startswith("Seq Scan") for scan in scans),
        "sort": "Sort" in nodes,
        **({"ms": round(explained["Execution Time"], 2)} if analyze else {}),
    }


def _sample_values(conn: psycopg.Connection) -> dict[str, str]:
    """Values for the declared requests' placeholders (api_contracts/queries.py), read from the data:
    the busiest customer, employee and manager, a month the employee worked, the commonest kind."""
    customer, state, segment = conn.execute(
        "select customer_unique_id, state, segment from api.customers"
        " order by orders_count desc, customer_unique_id limit 1"
    ).fetchone()  # type: ignore[misc]
    employee, month = conn.execute(
        "select employee_id, date_trunc('month', min(work_date))::date from api.timesheet_daily"
        " group by employee_id order by count(*) desc, employee_id limit 1"
    ).fetchone()  # type: ignore[misc]
    manager = conn.execute(
        "select manager_id from api.employees where manager_id is not null"
        " group by manager_id order by count(*) desc, manager_id limit 1"
    ).fetchone()
    kind = conn.execute(
        "select kind from api.punch_anomalies group by kind order by count(*) desc, kind limit 1"
    ).fetchone()
    last_day = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {
        "customer": customer,
        "state": state,
        "segment": segment,
        "employee": employee,
        "manager": manager[0] if manager else employee,
        "month": month.isoformat(),
        "first_day": month.isoformat(),
        "last_day": last_day.isoformat(),
        "kind": kind[0] if kind else queries.SAMPLE["kind"],
        "domain": queries.SAMPLE["domain"],
    }


def _declared_plans(conn: psycopg.Connection, values: dict[str, str]) -> list[dict[str, object]]:
    """Every filter and order of every declared request, planned as each role that reads its resource,
    with values from the data: whether an index serves it (no sequential scan: the planner may still
    sort the few rows an index found, as it does for one employee's month), and its execution time as
    EXPLAIN ANALYZE measures it."""
    planned: list[dict[str, object]] = []
    for request in queries.REQUESTS:
        if request.bounded:
            continue
        for role, claims in queries.readers(request.resource, values["employee"], values["manager"]):
            columns = conn.execute(queries.READABLE_COLUMNS, {"resource": request.resource, "role": role})
            for sql in request.statements(values, columns=columns.fetchone()[0]):  # type: ignore[index]
                plan = _plan(conn, sql, role, claims, analyze=True)
                planned.append(
                    {"resource": request.resource, "request": request.name, "sql": sql, "role": role, **plan}
                )
    return planned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=8, help="wrk/pgbench duration per endpoint and system")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the home (and leave nothing running)")
    parser.add_argument("--out", default="api", help="results/<out>.md and .json (report.py: api-<scale>)")
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: sudo apt-get install {tool} (Debian's package)")

    home, env = fresh_home("bi-dash-bench-api-")
    for name in ("API_PORT", "API_ADMIN_PORT", "DAGSTER_PORT", "DOCS_PORT"):
        env[f"BI_DASH_{name}"] = str(_free_port())
    started = time.perf_counter()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        print(f"building {args.customers} customers, {args.employees} employees in {home} …", file=sys.stderr)
        _build(env, home, args.customers, args.employees)
        build_seconds = time.perf_counter() - started
        api = f"http://127.0.0.1:{env['BI_DASH_API_PORT']}"

        from orchestration.runtime.database import role_connection, start_database
        from orchestration.settings import get_settings

        os.environ.pop("DATABASE_URL", None)
        settings = get_settings(home=home)
        admin = start_database(settings)
        with psycopg.connect(
            host=str(home / "pg"), dbname="bi_dash", user="postgres", autocommit=True
        ) as conn:
            conn.execute(BARE)
            values = _sample_values(conn)
            endpoints = _endpoints(conn, values)
            plans = {
                endpoint.name: _plan(conn, endpoint.sql, endpoint.role, endpoint.claims)
                for endpoint in endpoints
            }
            declared = _declared_plans(conn, values)

        # bare PostgREST: same binary, same pool size, the plain copies, no JWT
        bare_port, old_port = _free_port(), _free_port()
        bare_conf = home / "postgrest-bare.conf"
        bare_conf.write_text(
            f'db-schemas = "bare"\ndb-anon-role = "bare_anon"\ndb-pool = 10\ndb-max-rows = 1000\n'
            f'server-host = "127.0.0.1"\nserver-port = {bare_port}\nlog-level = "warn"\n'
        )
        authenticator = role_connection(admin, settings, "authenticator").url()
        postgrest = ROOT / ".bi-dash" / "bin" / "postgrest"
        log = open(home / "logs" / "bench-api.log", "ab")  # closed when the processes end
        processes.append(
            subprocess.Popen(
                [str(postgrest), str(bare_conf)],
                env={**env, "PGRST_DB_URI": authenticator},
                stdout=log,
                stderr=log,
            )
        )
        old_url = f"postgresql+psycopg://postgres@/bi_dash?host={home / 'pg'}"
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.old_design:app",
                    "--workers",
                    "2",
                    "--port",
                    str(old_port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**env, "OLD_DESIGN_DATABASE_URL": old_url},
                stdout=log,
                stderr=log,
            )
        )
        bare, old = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{old_port}"
        _wait_http(bare + "/")
        _wait_http(old + "/docs")

        figures: dict[str, dict[str, dict[str, float]]] = {}
        for endpoint in endpoints:
            token = subprocess.run(
                [
                    str(Path(sys.executable).parent / "bi-dash"),
                    "token",
                    "--role",
                    endpoint.role,
                    *(
                        ["--employee-id", endpoint.claims["employee_id"]]
                        if "employee_id" in endpoint.claims
                        else []
                    ),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            for label, url, auth in (
                ("product", api + endpoint.path, token),
                ("bare", bare + endpoint.path, None),
                ("old", old + endpoint.old, None),
            ):
                response = httpx.get(
                    url, headers={"Authorization": f"Bearer {auth}"} if auth else {}, timeout=60
                )
                if response.status_code != 200 or not response.json():
                    sys.exit(f"{label} {url}: {response.status_code} {response.text[:300]}")
            print(f"  {endpoint.name} …", file=sys.stderr)
            figures[endpoint.name] = {
                "product": _wrk(api + endpoint.path, args.seconds, args.connections, token),
                "bare": _wrk(bare + endpoint.path, args.seconds, args.connections),
                "old": _wrk(old + endpoint.old, args.seconds, args.connections),
                "pgbench": _pgbench(home, endpoint, args.seconds, args.connections),
            }
        result = {
            "customers": args.customers,
            "employees": args.employees,
            "connections": args.connections,
            "seconds_per_run": args.seconds,
            "build_seconds": round(build_seconds, 1),
            "endpoints": {
                name: {
                    **values,
                    "product_vs_bare": round(values["product"]["rps"] / values["bare"]["rps"], 2),
                    "product_vs_old": round(values["product"]["rps"] / values["old"]["rps"], 2),
                    "product_vs_pgbench": round(values["product"]["rps"] / values["pgbench"]["rps"], 2),
                    "plan": plans[name],
                }
                for name, values in figures.items()
            },
            "requests": declared,
        }
        _write(result, args.out)
        print(json.dumps(result, indent=2))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        tear_down(env, home, args.keep)


def _write(result: dict, out: str) -> None:  # type: ignore[type-arg]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{out}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# The API side by side ({result['customers']:,} customers, {result['employees']} employees;"
        f" wrk {result['connections']} connections, {result['seconds_per_run']} s per run)",
        "",
        "| endpoint | product req/s (p99 ms) | bare PostgREST | old design | pgbench (same SQL) |"
        " product/bare | product/old | plan of the product's SQL as its role |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, item in result["endpoints"].items():
        plan = "; ".join(item["plan"]["scans"])
        lines.append(
            f"| {name} | {item['product']['rps']:,.0f} ({item['product']['p99_ms']}) |"
            f" {item['bare']['rps']:,.0f} ({item['bare']['p99_ms']}) |"
            f" {item['old']['rps']:,.0f} ({item['old']['p99_ms']}) | {item['pgbench']['rps']:,.0f} |"
            f" {item['product_vs_bare']} | {item['product_vs_old']} | {plan} |"
        )
    requests = result["requests"]
    lines += [
        "",
        f"Every declared request (api_contracts/queries.py), planned as each role that reads it:"
        f" {sum(not item['seq_scan'] for item in requests)} of {len(requests)} served by an index"
        " (no sequential scan; the planner may sort the few rows an index found).",
        "",
        "| resource | request | role | SQL | plan | ms (EXPLAIN ANALYZE) | by an index |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| `{item['resource']}` | {item['request']} | {item['role']} |"
            f" `{short_sql(item['sql'])}` |"
            f" {'; '.join(item['scans'])}{'; Sort' if item['sort'] else ''} | {item['ms']} |"
            f" {'**no**' if item['seq_scan'] else 'yes'} |"
            for item in requests
        ),
    ]
    (RESULTS / f"{out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
