"""The dbt project as a whole: every declared unit test runs (none silently skipped) and passes, and an
incremental refresh gives exactly what a full rebuild gives."""

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest
import yaml

from orchestration.defs.platform.dbt import run_dbt
from orchestration.ingest import afd_writer as build
from tests.conftest import DATA, Platform
from tests.e2e.cli import Cli

pytestmark = pytest.mark.dbt
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _declared_unit_tests() -> set[str]:
    names = set()
    for path in DBT_PROJECT.rglob("*.yml"):
        document = yaml.safe_load(path.read_text()) or {}
        names.update(test["name"] for test in document.get("unit_tests", []))
    return names


def test_every_declared_unit_test_runs_and_passes(platform: Platform) -> None:
    declared = _declared_unit_tests()
    assert len(declared) >= 10
    run_dbt(platform.settings, ["test", "--select", "test_type:unit"])
    results = json.loads((platform.settings.dbt_target_dir / "run_results.json").read_text())["results"]
    ran = {
        result["unique_id"].split(".")[-1]: result["status"]
        for result in results
        if result["unique_id"].startswith("unit_test.")
    }
    assert set(ran) == declared
    assert set(ran.values()) == {"pass"}


DAILY = (
    "employee_id, jornada_number, work_date, punch_count, worked_minutes, night_minutes, balance_minutes, "
    "overtime_50_minutes, deficit_minutes, is_incomplete, has_break_violation, has_rest_violation, "
    "rest_shortfall_minutes"
)
# every column of the treated record (the AEJ's and the Espelho de Ponto's source)
TREATED = (
    "punch_id, employee_id, jornada_number, work_date, punched_at, local_date_time, marker, pair_number,"
    " marker_order, source_code, rep_number, rep_type, nsr, reason, aej_reason, timetable_code"
)

PUNCHES = "punch_id, employee_id, punched_at, status, reason, jornada_number"
STRANGER_PIS = "20000000005"  # a valid PIS no employee of tests/data/ponto has


def _rows(conn: psycopg.Connection, query: str) -> list[tuple]:
    return sorted(conn.execute(query).fetchall(), key=repr)


def test_incremental_refresh_equals_a_full_rebuild(tmp_path: Path) -> None:
    cli = Cli(home=tmp_path / "home")
    try:
        assert cli.run("migrate").returncode == 0
        for args in (
            ("ingest", "employees", str(DATA / "ponto" / "employees.csv")),
            ("ingest", "schedules", str(DATA / "ponto" / "schedules.csv")),
            ("ingest", "afd", *map(str, sorted((DATA / "afd").glob("*.txt")))),
            ("refresh",),
        ):
            result = cli.run(*args)
            assert result.returncode == 0, result.stderr
        url = f"postgresql://postgres@/bi_dash?host={cli.home / 'pg'}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "insert into raw.punch_adjustments (employee_id, action, punched_at, reason) "
                "values ('E1', 'include', '2024-03-07 20:00+00', 'forgot to punch out')"
            )
            conn.execute(
                "insert into raw.punch_adjustments (employee_id, action, punch_id, reason) "
                "select 'M1', 'disregard', punch_id, 'pressed by mistake' from marts.fct_punches "
                "where employee_id = 'M1' and punched_at = '2024-03-04 20:30+00'"
            )
            # every punch of E2: E2's jornadas go, its punches stay as set aside (D)
            e2_punches = conn.execute(
                "insert into raw.punch_adjustments (employee_id, action, punch_id, reason) "
                "select 'E2', 'disregard', punch_id, 'not E2''s clock' from marts.fct_punches "
                "where employee_id = 'E2'"
            ).rowcount
        # and a clock's day of a PIS nobody has yet: unattributed until the registry row below arrives
        stranger = tmp_path / "AFD_stranger.txt"
        lines = [build.header_1510(0, "00004003300000002", dt.date(2024, 3, 5), dt.date(2024, 3, 5))]
        lines += [build.punch_1510(n, dt.datetime(2024, 3, 5, h), STRANGER_PIS) for n, h in ((1, 9), (2, 18))]
        stranger.write_text("".join(line + "\r\n" for line in lines), encoding="latin-1")
        assert cli.run("ingest", "afd", str(stranger)).returncode == 0
        # publishes the corrections; the build before them is kept aside as the next build's start
        assert cli.run("refresh").returncode == 0
        day = tmp_path / "AFD_next_day.txt"
        lines = [build.header_1510(0, "00004003300000001", dt.date(2024, 3, 11), dt.date(2024, 3, 11))]
        lines += [
            build.punch_1510(30 + i, dt.datetime(2024, 3, 11, h, m), "10987654321")
            for i, (h, m) in enumerate([(8, 0), (12, 0), (13, 0), (17, 0)])
        ]
        day.write_text("".join(line + "\r\n" for line in lines), encoding="latin-1")
        assert cli.run("ingest", "afd", str(day)).returncode == 0
        # built on the state before the corrections: catches up the corrections and the new day
        caught_up = cli.run("refresh")
        assert caught_up.returncode == 0, caught_up.stderr[-2000:]
        # the dbt step's log line (Dagster's output goes to the refresh log; this run's is the last one)
        log = (cli.home / "logs" / "refresh.log").read_text()
        kept = log.rsplit("incremental state kept from the previous build: ", 1)[1].split(";")[0]
        assert "intermediate.int_punches_classified" in kept and "intermediate.int_jornadas" in kept
        with psycopg.connect(url) as conn:
            e3_day = conn.execute(
                "select is_incomplete, worked_minutes, balance_minutes from marts.fct_timesheet_daily "
                "where employee_id = 'E1' and work_date = '2024-03-07'"
            ).fetchone()
            # the new day rewrote the treated record from the jornada before it: none of it twice
            repeated = conn.execute(
                "select count(*) from (select punch_id from marts.fct_treated_punches"
                " where punch_id is not null group by punch_id having count(*) > 1) as twice"
            ).fetchone()
        assert e3_day == (False, 480, 0)  # E3 completed by HR's inclusion of 17:00
        assert repeated == (0,)
        # the registry changes, on a state that holds the stranger's punches unattributed: E9 takes them,
        # and E1's 1510 wall-clock times are re-read in the zone E1 now has
        registry = tmp_path / "employees.csv"
        registry.write_text(
            (DATA / "ponto" / "employees.csv")
            .read_text(encoding="utf-8")
            .replace("STD_44,,2020-01-15", "STD_44,America/Manaus,2020-01-15")
            + f"E9,Rita Nova,,{STRANGER_PIS},Operações,M1,STD_44,America/Sao_Paulo,2024-03-01,\n",
            encoding="utf-8",
        )
        assert cli.run("ingest", "employees", str(registry)).returncode == 0
        assert cli.run("refresh").returncode == 0
        with psycopg.connect(url) as conn:
            incremental = _rows(conn, f"select {DAILY} from marts.fct_timesheet_daily")
            punches = _rows(conn, f"select {PUNCHES} from marts.fct_punches")
            treated = _rows(conn, f"select {TREATED} from marts.fct_treated_punches")
            statuses = dict(
                conn.execute("select status, count(*) from marts.fct_punches group by 1").fetchall()
            )
            e2_jornadas = conn.execute(
                "select count(*) from marts.fct_timesheet_daily where employee_id = 'E2' and not is_absent"
            ).fetchone()
        assert statuses["included"] == 1 and statuses["disregarded"] == 1 + e2_punches > 1
        assert "unattributed" not in statuses and e2_jornadas == (0,)
        assert sum(employee == "E9" for _, employee, *_ in punches) == 2
        assert cli.run("refresh", "--full-refresh").returncode == 0
        with psycopg.connect(url) as conn:
            assert _rows(conn, f"select {DAILY} from marts.fct_timesheet_daily") == incremental
            assert _rows(conn, f"select {PUNCHES} from marts.fct_punches") == punches
            assert _rows(conn, f"select {TREATED} from marts.fct_treated_punches") == treated
    finally:
        cli.run("down")


def test_every_model_source_and_column_of_the_published_docs_is_documented(platform: Platform) -> None:
    """The dbt docs the publish generated: every model and raw source, and every column the database
    really has (the catalog), carry a description."""
    site = platform.settings.docs_dir / "dbt"
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    missing = []
    for kind, nodes in (("nodes", manifest["nodes"]), ("sources", manifest["sources"])):
        for unique_id, node in nodes.items():
            if node["resource_type"] not in ("model", "source"):
                continue
            if not node["description"].strip():
                missing.append(unique_id)
            for column in catalog[kind].get(unique_id, {}).get("columns", {}):
                if not node["columns"].get(column, {}).get("description", "").strip():
                    missing.append(f"{unique_id}.{column}")
    assert catalog["nodes"], "the publish generated no catalog"
    assert missing == []
