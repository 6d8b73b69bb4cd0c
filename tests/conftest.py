"""Shared fixtures: one embedded PostgreSQL per session, migrated once; expensive state built once.

- ``server``: the session's embedded PostgreSQL (pgserver) in a temporary BI_DASH_HOME.
- ``fresh_db``: a database of its own for a test that writes, cloned from a migrated template.
- ``platform``: the fixed test dataset of both domains loaded, one refresh (real Dagster + dbt build),
  and one real PostgREST process; read-only API tests share it.
"""

from __future__ import annotations

import fcntl
import os
import socket
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from psycopg import sql

from orchestration.runtime import migrate, processes
from orchestration.runtime.database import ConnectionInfo, ensure_database, start_database, stop_database
from orchestration.settings import Settings, get_settings

DATA = Path(__file__).parent / "data"
TEMPLATE_DB = "bi_dash_template"

# The suite configures the platform itself: what the caller exported for their own platform (ports,
# DATABASE_URL, a home, dbt or Dagster settings) must not leak into it. BI_DASH_TEST_* is the suite's own.
for _name in list(os.environ):
    if _name.startswith(("BI_DASH_", "DAGSTER_", "DBT_")) and not _name.startswith("BI_DASH_TEST_"):
        del os.environ[_name]
os.environ.pop("DATABASE_URL", None)


@pytest.fixture(scope="module")
def external_server_to_ourselves() -> Iterator[None]:
    """The PostgreSQL at 127.0.0.1:5432 is one cluster for every test process (pytest-xdist workers
    included): its roles are cluster-wide and each platform migrated there creates or alters them, so
    the modules that use it take turns (an exclusive lock on a file, released with the module)."""
    with open(Path(tempfile.gettempdir()) / "bi-dash-tests-external-server.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("bi-dash-home")
    os.environ.pop("DATABASE_URL", None)
    os.environ["BI_DASH_HOME"] = str(home)
    return get_settings(
        home=home,
        api_port=free_port(),
        api_admin_port=free_port(),
        dagster_port=free_port(),
        docs_port=free_port(),
    )


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[ConnectionInfo]:
    settings.ensure_dirs()
    admin = start_database(settings)
    yield admin
    stop_database(settings)


@pytest.fixture(scope="session")
def template_db(server: ConnectionInfo, settings: Settings) -> ConnectionInfo:
    ensure_database(server, TEMPLATE_DB)
    template = server.on_database(TEMPLATE_DB)
    migrate.upgrade(template, settings)
    return template


@pytest.fixture
def fresh_db(server: ConnectionInfo, template_db: ConnectionInfo) -> Iterator[ConnectionInfo]:
    """A migrated database of the test's own (CREATE DATABASE … TEMPLATE takes well under a second)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with server.on_database("postgres").connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE_DB)
            )
        )
    yield server.on_database(name)
    with server.on_database("postgres").connect(autocommit=True) as conn:
        conn.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@dataclass(frozen=True)
class Platform:
    settings: Settings
    admin: ConnectionInfo
    api_url: str
    admin_url: str
    run_id: str


@contextmanager
def failing_inserts(admin: ConnectionInfo, table: str, message: str, each: str = "row") -> Iterator[None]:
    """The database fails (``message``) on every insert into raw.<table> meanwhile: a crash mid-load.
    ``each``: row or statement (the trigger's granularity)."""
    trigger = sql.Identifier(f"fail_{table}")
    with admin.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "create function raw.{trigger}() returns trigger language plpgsql as"
                " $$ begin raise exception {message}; end $$;"
                " create trigger {trigger} before insert on raw.{table}"
                " for each {each} execute function raw.{trigger}()"
            ).format(
                trigger=trigger,
                message=sql.Literal(message),
                table=sql.Identifier(table),
                each=sql.SQL("statement" if each == "statement" else "row"),
            )
        )
    try:
        yield
    finally:
        with admin.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("drop function raw.{} cascade").format(trigger))


def load_test_dataset(admin: ConnectionInfo) -> None:
    from orchestration.ingest.afd_loader import ingest_afd_file
    from orchestration.ingest.olist import ingest_olist_dir
    from orchestration.ingest.ponto_csv import EMPLOYEES, SCHEDULES, ingest_csv

    ingest_olist_dir(admin, DATA / "olist_small")
    # the worked examples (tidy) and real-shaped exports of other clock makers (tests/data/ponto_real)
    for folder, afd in ((DATA / "ponto", DATA / "afd"), (DATA / "ponto_real", DATA / "ponto_real" / "afd")):
        ingest_csv(admin, EMPLOYEES, folder / "employees.csv")
        ingest_csv(admin, SCHEDULES, folder / "schedules.csv")
        for path in sorted(afd.glob("*.txt")):
            ingest_afd_file(admin, path)


@pytest.fixture(scope="session")
def platform(server: ConnectionInfo, settings: Settings) -> Iterator[Platform]:
    """The test dataset built and published through the service layer, as `bi-dash refresh` does it."""
    from orchestration.runtime.services import api_services
    from orchestration.service import lifecycle
    from orchestration.service.refresh import refresh

    lifecycle.prepare(settings)
    load_test_dataset(server)
    outcome = refresh(settings)
    assert outcome.run_id, "nothing was built"
    started = []
    for service in api_services(settings, server):  # both PostgREST pools and the proxy in front
        processes.start(service, settings, timeout=120)
        started.append(service)
    try:
        yield Platform(
            settings=settings,
            admin=server,
            api_url=f"http://127.0.0.1:{settings.api_port}",
            admin_url=f"http://127.0.0.1:{settings.api_admin_port}",
            run_id=outcome.run_id,
        )
    finally:
        for service in reversed(started):
            processes.stop(service, settings)


def token_for(settings: Settings, role: str, employee_id: str | None = None, ttl: str = "1h") -> str:
    from orchestration.service.accounts import token

    return token(settings, role, employee_id, ttl)


ApiAs = Callable[..., httpx.Client]


@pytest.fixture
def api_as(platform: Platform) -> Iterator[ApiAs]:
    """``api_as("hr")``, ``api_as("employee", "E1")``, ``api_as(None)`` (no token): real HTTP clients."""
    clients: list[httpx.Client] = []

    def make(role: str | None, employee_id: str | None = None) -> httpx.Client:
        headers = (
            {"Authorization": f"Bearer {token_for(platform.settings, role, employee_id)}"} if role else {}
        )
        client = httpx.Client(base_url=platform.api_url, timeout=60, headers=headers)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(api_as: ApiAs) -> httpx.Client:
    """An analyst: every customer_360 resource."""
    return api_as("analyst")


@pytest.fixture
def hr_api(api_as: ApiAs) -> httpx.Client:
    """HR: every controle_ponto resource."""
    return api_as("hr")
