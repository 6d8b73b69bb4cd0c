"""Crashes heal themselves: a refresh killed with kill -9 does not hold later runs, a second refresh
beside a running one is refused in one line, and the platform starts again after everything (the
database included) was killed, even when PostgreSQL's crash recovery outlasts pgserver's 10 s wait."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from orchestration.runtime.processes import wait_until
from tests.conftest import DATA
from tests.e2e.cli import BI_DASH, ROOT, Cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    cli = Cli(home=tmp_path_factory.mktemp("recovery") / "home")
    for args in (
        ("migrate",),
        ("ingest", "olist", str(DATA / "olist_small")),
        ("ingest", "employees", str(DATA / "ponto" / "employees.csv")),
        ("ingest", "schedules", str(DATA / "ponto" / "schedules.csv")),
        ("refresh",),
    ):
        result = cli.run(*args)
        assert result.returncode == 0, result.stderr[-2000:]
    yield cli
    cli.run("down")


def _query(cli: Cli, query: str) -> list[tuple]:
    with psycopg.connect(host=str(cli.home / "pg"), dbname="bi_dash", user="postgres") as conn:
        return conn.execute(query).fetchall()


def _building(cli: Cli) -> bool:
    """The refresh is inside its dbt build (the shadow schemas hold its first models)."""
    try:
        rows = _query(cli, "select count(*) from pg_tables where schemaname = 'staging__next'")
        views = _query(cli, "select count(*) from pg_views where schemaname = 'staging__next'")
    except psycopg.Error:
        return False
    return rows[0][0] + views[0][0] > 0


def test_a_second_refresh_is_refused_and_a_killed_one_heals_so_the_next_runs_at_once(
    cli: Cli, tmp_path: Path
) -> None:
    with (tmp_path / "refresh.err").open("w") as err:
        first = subprocess.Popen(
            [BI_DASH, "refresh", "--force"],
            cwd=ROOT,
            env=cli.env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # its own process group: kill -9 takes dbt with it
        )
    try:
        assert wait_until(lambda: _building(cli) or first.poll() is not None, timeout=900, interval=0.5)
        assert first.poll() is None, (tmp_path / "refresh.err").read_text()[-2000:]
        # frozen where it is (dbt with it): it cannot finish its build before the kill below, however
        # long the second command takes to start on a loaded machine; its run and lock stay held
        os.killpg(first.pid, signal.SIGSTOP)
        # a second refresh meanwhile: refused in one line, nothing started
        second = cli.run("refresh", "--force")
        assert second.returncode == 1
        assert "a refresh is already running (Dagster run" in second.stderr
        assert "Traceback" not in second.stderr
        # its preparation steps, then the one error (wrapped at the terminal's width)
        assert len([line for line in second.stderr.strip().splitlines() if not line.startswith("✓")]) <= 3
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    run_id = _query(cli, "select run_id from audit.refresh_attempts order by started_at desc limit 1")[0][0]
    status = cli.run("status")
    assert "stuck: its process is gone" in status.stdout, status.stdout
    # the next refresh heals the dead run (Dagster and the audit trail) and runs at once
    third = cli.run("refresh", "--force")
    assert third.returncode == 0, third.stderr[-2000:]
    assert run_id in third.stderr and "marked failed" in third.stderr
    outcome = _query(cli, f"select outcome, message from audit.refresh_attempts where run_id = '{run_id}'")
    assert outcome[0][0] == "failed" and "process" in outcome[0][1]
    assert _query(cli, "select count(*) from pg_namespace where nspname like '%\\_\\_next'")[0][0] == 0


def _postmaster_pid(cli: Cli) -> int:
    return int((cli.home / "pg" / "postmaster.pid").read_text().splitlines()[0])


def test_after_kill_9_of_everything_up_starts_again_even_when_recovery_is_slow(cli: Cli) -> None:
    up = cli.run("up", "--detach", "--no-demo")
    assert up.returncode == 0, up.stderr[-2000:]
    # the machine "crashes": every process of the platform dies at once
    pids = [_postmaster_pid(cli)]
    for pid_file in (cli.home / "run").glob("*.pid"):
        pids.append(int(pid_file.read_text().strip()))
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert wait_until(lambda: not os.path.exists(f"/proc/{pids[0]}"), timeout=60, interval=0.2)
    # a slow crash recovery, for real: PostgreSQL first asks the archive for each WAL segment and the
    # archive takes 8 s to answer each time (pgserver itself waits only 10 s for the server to start)
    pgdata = cli.home / "pg"
    owner = pgdata.stat()
    auto_conf = pgdata / "postgresql.auto.conf"
    saved = auto_conf.read_text()
    auto_conf.write_text(saved + "restore_command = 'sleep 8; exit 1'\n")
    (pgdata / "recovery.signal").write_text("")
    os.chown(pgdata / "recovery.signal", owner.st_uid, owner.st_gid)
    try:
        again = cli.run("up", "--detach", "--no-demo")
        assert again.returncode == 0, again.stderr[-3000:]
        assert "recovering after an unclean stop" in again.stderr
        assert cli.run("status").returncode == 0
    finally:
        auto_conf.write_text(saved)
