"""Shared by the benchmark scripts: run the real CLI in a throw-away home and time it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from orchestration.defs.platform.steps import API_CHECKS_STEP, RAW_CHECKS_STEP

ROOT = Path(__file__).resolve().parents[1]
BI_DASH = str(Path(sys.executable).parent / "bi-dash")


def short_sql(sql: str) -> str:
    """A request's SQL without its select list (a role without every column's grant names them all)."""
    return "select … from" + sql.split(" from", 1)[1] if " from" in sql else sql


def fresh_home(prefix: str) -> tuple[Path, dict[str, str]]:
    """A new BI_DASH_HOME and an environment without any inherited platform variable."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BI_DASH_", "DAGSTER_", "DBT_"))}
    env.pop("DATABASE_URL", None)
    env["BI_DASH_HOME"] = str(home)
    # the CLI runs this checkout's code, even through a virtualenv installed from another one (a
    # worktree beside main, for a side-by-side run: the editable install would pick main's)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return home, env


def tear_down(env: dict[str, str], home: Path, keep: bool) -> None:
    """Stop the platform of a bench home and delete it (unless ``keep``)."""
    subprocess.run([BI_DASH, "down"], cwd=ROOT, env=env, capture_output=True, check=False)
    if not keep:
        shutil.rmtree(home, ignore_errors=True)


def run(env: dict[str, str], *args: str) -> float:
    """Run `bi-dash ARGS`; seconds it took (exits with the CLI's error output when it fails)."""
    return run_captured(env, *args)[0]


# peak resident memory of the last command's largest process (the CLI or what it ran: dbt, the
# Dagster run), in MiB; the PostgreSQL server is not the command's child and is not counted
last_peak_rss_mb = 0.0


def run_captured(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Like :func:`run`, also returning what the CLI wrote to stderr (its log)."""
    global last_peak_rss_mb
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([BI_DASH, *args], cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    last_peak_rss_mb = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    if process.returncode != 0:
        sys.exit(f"bi-dash {' '.join(args)} failed:\n{stderr[-3000:]}")
    return elapsed, stderr


STEP = re.compile(r"[✓✗] ([a-z_]+) \(([0-9.]+)s\)")
FIGURE = {
    "shadow_prepare": re.compile(r"Shadow schemas \S+ prepared in ([0-9.]+)s"),
    "publish_swap": re.compile(r"api resources in ([0-9.]+)s \(one transaction\)"),
    "docs": re.compile(r"dbt docs of the published build generated in ([0-9.]+)s"),
}

DBT_RUN = re.compile(r"Finished running .* in (\d+) hours (\d+) minutes and ([0-9.]+) seconds")


def model_seconds(home: Path, top: int = 12, kind: str = "model") -> dict[str, float]:
    """Seconds of each dbt node of ``kind`` ('model', 'test', 'unit_test') of the latest dbt build in
    ``home``, slowest first."""
    import json

    # the refresh's dbt build (not `dbt docs generate`, which writes its own under target/docs)
    results = sorted((home / "dbt" / "target").glob("shadow_build/run_results.json"))
    if not results:
        return {}
    timings = {
        item["unique_id"].split(".")[2 if kind == "test" else -1]: round(float(item["execution_time"]), 2)
        for item in json.loads(results[-1].read_text())["results"]
        if item["unique_id"].startswith(kind + ".")
    }
    return dict(sorted(timings.items(), key=lambda kv: -kv[1])[:top])


def refresh_breakdown(env: dict[str, str], *args: str) -> dict[str, float]:
    """`bi-dash refresh ARGS` timed as a whole and per step, side by side in the same run.

    ``gate_seconds`` is what write-audit-publish adds: both GX check steps, preparing the shadow
    schemas (copying incremental state) and the publishing transaction (docs are listed apart).
    """
    refresh_log = Path(env["BI_DASH_HOME"]) / "logs" / "refresh.log"
    offset = refresh_log.stat().st_size if refresh_log.exists() else 0
    total, terminal = run_captured(env, "refresh", *args)
    figures: dict[str, float] = {"total": round(total, 1)}
    # the terminal shows each step as it ends; Dagster's own lines (the figures below) are in the log
    figures.update({name: float(seconds) for name, seconds in STEP.findall(terminal)})
    log = refresh_log.read_text()[offset:] if refresh_log.exists() else ""
    for name, pattern in FIGURE.items():
        match = pattern.search(log)
        figures[name] = float(match.group(1)) if match else 0.0
    # dbt's own run inside the dbt step (what it says when its build ends); the rest of the step is
    # dbt's start-up and parse, and dagster-dbt's handling of its events
    finished = DBT_RUN.search(log)
    hours, minutes, seconds = finished.groups() if finished else ("0", "0", "0")
    figures["dbt_run"] = round(int(hours) * 3600 + int(minutes) * 60 + float(seconds), 1)
    gate = sum(figures.get(name, 0.0) for name in (RAW_CHECKS_STEP, API_CHECKS_STEP))
    gate += figures["shadow_prepare"] + figures["publish_swap"]
    figures["gate_seconds"] = round(gate, 1)
    figures["gate_share_of_refresh"] = round(gate / total, 2)
    figures["skipped"] = float("Nothing new since" in terminal)  # nothing changed: no build at all
    figures["peak_rss_mb"] = last_peak_rss_mb
    return figures


def _raw_shaped_copy(conn: Any, table: str, file_id: int | None) -> Any:
    """A table shaped like raw.TABLE (its types, defaults, indexes, constraints and its foreign key to
    the file registry, ``file_id`` as the default file), in the caller's transaction; its identifier."""
    from psycopg import sql

    copy = sql.Identifier("public", f"copy_{table}")
    conn.execute(
        sql.SQL("create table {} (like {} including all)").format(copy, sql.Identifier("raw", table))
    )
    conn.execute(
        sql.SQL(
            "alter table {} alter column file_id set default {},"
            " add foreign key (file_id) references raw.ingested_files"
        ).format(copy, sql.Literal(file_id))
    )
    return copy


def _connect(home: Path) -> Any:
    import psycopg

    from orchestration.runtime.database import start_database
    from orchestration.settings import get_settings

    start_database(get_settings(home=home))
    return psycopg.connect(host=str(home / "pg"), dbname="bi_dash", user="postgres")


def copy_seconds(home: Path, files: dict[Path, str]) -> float:
    """Seconds PostgreSQL's own COPY takes to load the same CSV files into the same database: each file
    (path -> its raw table) into a table shaped like that raw table (:func:`_raw_shaped_copy`), streamed
    from this process as the CLI's load streams it, in one transaction rolled back. The yardstick of the
    ingest rate (#14: ingest at least half as fast as COPY): what the load adds is reading, checking,
    quarantining and upserting."""
    from psycopg import sql

    from orchestration.ingest.files import chunks

    with _connect(home) as conn:
        file_id = conn.execute("select min(file_id) from raw.ingested_files").fetchone()
        started = time.perf_counter()
        for path, table in files.items():
            copy = _raw_shaped_copy(conn, table, file_id[0] if file_id else None)
            with path.open("rb") as handle:
                header = handle.readline().decode("utf-8-sig").strip().split(",")
            statement = sql.SQL("copy {} ({}) from stdin with (format csv, header true)").format(
                copy, sql.SQL(", ").join(map(sql.Identifier, header))
            )
            with conn.cursor().copy(statement) as stream:
                for chunk in chunks(path):
                    stream.write(chunk)
        elapsed = time.perf_counter() - started
        conn.rollback()
    return elapsed


def copy_rows_seconds(home: Path, tables: dict[str, tuple[str, ...]]) -> float:
    """The same yardstick for files COPY cannot read (AFD's fixed-width records): the rows a load wrote
    to each raw table (table -> the columns the load writes) are first dumped to a CSV file, untimed,
    then COPYed from it, timed, into a raw-shaped table (:func:`_raw_shaped_copy`), rolled back. What
    the load adds is reading and checking each record (layout, CRC, NSR runs, the REP-P chain),
    quarantining and settling overlaps."""
    import tempfile

    from psycopg import sql

    from orchestration.ingest.files import chunks

    with _connect(home) as conn, tempfile.TemporaryDirectory() as folder:
        dumps: dict[str, Path] = {}
        for table, columns in tables.items():
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            dumps[table] = Path(folder) / f"{table}.csv"
            with (
                dumps[table].open("wb") as out,
                conn.cursor().copy(
                    sql.SQL("copy (select {} from {}) to stdout with (format csv)").format(
                        names, sql.Identifier("raw", table)
                    )
                ) as stream,
            ):
                for data in stream:
                    out.write(data)
        started = time.perf_counter()
        for table, columns in tables.items():
            copy = _raw_shaped_copy(conn, table, None)
            statement = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
                copy, sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with conn.cursor().copy(statement) as stream:
                for chunk in chunks(dumps[table]):
                    stream.write(chunk)
        elapsed = time.perf_counter() - started
        conn.rollback()
    return elapsed


def ingest_figures(
    rows: int, ingest: float, reload: float, copy: float, unit: str = "rows"
) -> dict[str, float]:
    """An ingest against its COPY yardstick, as a whole and above its fixed cost.

    ``reload`` is the same command run again on the same files: each is hashed and found loaded,
    nothing is written, so it is the command's fixed cost (start-up, the database's readiness, the
    migrations check, recording the load in Dagster) plus reading the files once; what the ingest
    takes above it is what its rows cost."""
    per_row = max(ingest - reload, 1e-3)
    return {
        "ingest_seconds": round(ingest, 1),
        f"ingest_{unit}_per_second": round(rows / ingest),
        "reload_seconds": round(reload, 1),
        "copy_seconds": round(copy, 1),
        f"copy_{unit}_per_second": round(rows / copy),
        "ingest_vs_copy_ratio": round(copy / ingest, 2),
        "ingest_above_reload_vs_copy_ratio": round(copy / per_row, 2),
    }
