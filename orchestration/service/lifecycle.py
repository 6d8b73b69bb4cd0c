"""Start and stop the platform: database, migrations, demo data, the first build, the services.

One `up` per home (a lock in ``run/``); a running platform is left alone; ports are checked before
anything starts; a failed `up` stops what it started; warm starts serve the published build at once.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.docs_site import write_landing_page
from orchestration.errors import PlatformError
from orchestration.generate.dataset import generate_ponto
from orchestration.generate.olist import generate_olist
from orchestration.ingest import afd_loader, olist
from orchestration.ingest.afd_loader import ingest_afd_file
from orchestration.ingest.holidays_sync import sync_national_holidays
from orchestration.ingest.olist import ingest_olist_dir
from orchestration.ingest.ponto_csv import EMPLOYEES, SCHEDULES, ingest_csv
from orchestration.ingest.summary import LoadSummary
from orchestration.publish import last_published_at
from orchestration.runtime import processes, services
from orchestration.runtime.database import (
    ConnectionInfo,
    database_running,
    ensure_database,
    role_connection,
    start_database,
    stop_database,
)
from orchestration.runtime.environment import apply_platform_env, install_dagster_instance
from orchestration.runtime.processes import Service
from orchestration.service import progress
from orchestration.service.materializations import record_loads
from orchestration.service.refresh import refresh
from orchestration.settings import Settings
from orchestration.users import add_demo_users

# the platform's processes, in the order they stop (the reverse of the order they start)
SERVICE_NAMES = (
    "dagster-daemon",
    "dagster-webserver",
    "docs",
    "api-proxy",
    "postgrest-analytics",
    "postgrest",
)

# what `up` may find taken: setting, command-line option, what listens there
PORTS = (
    ("api_port", "--api-port", "the REST API"),
    ("api_admin_port", "--api-admin-port", "the API health endpoint"),
    ("dagster_port", "--dagster-port", "the Dagster UI"),
    ("docs_port", "--docs-port", "the docs site"),
)
PORT_FIELDS = tuple(field for field, _, _ in PORTS)

DEMO_CUSTOMERS, DEMO_EMPLOYEES, DEMO_DAYS, DEMO_SEED = 2000, 40, 31, 42


# --- the ports a platform was started with: later commands find it there --------------------------
def _ports_file(settings: Settings) -> Path:
    return settings.run_dir / "ports.json"


def saved_ports(settings: Settings) -> dict[str, int]:
    try:
        saved = json.loads(_ports_file(settings).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return {key: int(saved[key]) for key in PORT_FIELDS if key in saved}


def _save_ports(settings: Settings) -> None:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    _ports_file(settings).write_text(json.dumps({key: getattr(settings, key) for key in PORT_FIELDS}))


# --- the database --------------------------------------------------------------------------------
def prepare(settings: Settings) -> ConnectionInfo:
    """Database up, migrated, and the environment for dbt/Dagster exported."""
    # deferred: Alembic and SQLAlchemy take ~0.3 s to import, and the CLI imports this module to start
    from orchestration.runtime import migrate

    settings.ensure_dirs()
    with progress.step("Starting PostgreSQL" + (" (embedded)" if settings.uses_embedded_database else "")):
        admin = start_database(settings)
        ensure_database(admin, settings.dagster_database_name)
    with progress.step("Migrating (alembic upgrade head)"):
        migrate.upgrade(admin, settings)
        sync_national_holidays(admin)
    apply_platform_env(settings, admin)
    install_dagster_instance(settings)
    return admin


def _is_empty(admin: ConnectionInfo) -> bool:
    with admin.connect() as conn:
        row = conn.execute("select not exists (select from raw.ingested_files)").fetchone()
    return bool(row and row[0])


# --- demo data -----------------------------------------------------------------------------------
def load_demo(settings: Settings, admin: ConnectionInfo) -> None:
    demo = settings.home / "demo"
    with progress.step(f"Loading demo data (synthetic, seed {DEMO_SEED})"):
        generate_olist(demo / "olist", customers=DEMO_CUSTOMERS, seed=DEMO_SEED)
        generate_ponto(demo / "ponto", employees=DEMO_EMPLOYEES, days=DEMO_DAYS, seed=DEMO_SEED)
        loaded = olist.materializations(demo / "olist", ingest_olist_dir(admin, demo / "olist"))
        for spec, path in (
            (EMPLOYEES, demo / "ponto" / "employees.csv"),
            (SCHEDULES, demo / "ponto" / "schedules.csv"),
        ):
            loaded[spec.table] = ingest_csv(admin, spec, path).metadata()
        punches = LoadSummary()
        for path in sorted((demo / "ponto" / "afd").glob("*.txt")):
            punches.add(ingest_afd_file(admin, path))
        loaded["afd_punches"] = afd_loader.materialization(punches)
        record_loads(loaded)
    _add_demo_users(settings, admin)


def _demo_users_file(settings: Settings) -> Path:
    return settings.home / "demo-users.txt"


def _add_demo_users(settings: Settings, admin: ConnectionInfo) -> None:
    """One user per role with a random password, kept in the home (0600) for `up` to print."""

    lines = [
        "\t".join((username, password, role, employee_id or ""))
        for username, password, role, employee_id in add_demo_users(admin)
    ]
    path = _demo_users_file(settings)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")


def demo_users(settings: Settings) -> list[tuple[str, ...]]:
    """(username, password, role, employee) of the demo users, when this home has the demo's."""
    path = _demo_users_file(settings)
    if not path.exists():
        return []
    return [tuple(line.split("\t")) for line in path.read_text().splitlines() if line.strip()]


# --- start ---------------------------------------------------------------------------------------
def urls(settings: Settings) -> dict[str, str]:
    return {
        "REST API (PostgREST)": services.api_url(settings) + "/",
        "API health": f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
        "Docs (dbt docs, GX Data Docs, API reference)": services.docs_url(settings) + "/",
        "customer_360 dashboard": services.docs_url(settings) + "/customer-360/",
        "controle_ponto dashboard": services.docs_url(settings) + "/ponto/",
        "Dagster UI": services.dagster_url(settings) + "/",
    }


@dataclass(frozen=True)
class UpOutcome:
    """What `up` did: started the platform, or found it running (``already_running`` names what runs)."""

    already_running: tuple[str, ...] = ()


def up(settings: Settings, demo: bool = True) -> UpOutcome:
    """Start everything and return once it serves (a platform already running is left untouched)."""
    settings.ensure_dirs()
    with _up_lock(settings) as locked:
        running = running_services(settings)
        if running or not locked:
            if not running:
                raise PlatformError(
                    f"another `bi-dash up` is starting from {settings.home}: wait for it (`bi-dash status`)"
                )
            return UpOutcome(already_running=tuple(running))
        check_ports_free(settings)
        database_was_running = database_running(settings)
        try:
            _bring_up(settings, demo)
        except BaseException as error:
            # a failed `up` stops what it started (the database too, when this `up` started it)
            if isinstance(error, KeyboardInterrupt):
                progress.warn("interrupted while starting: stopping what was started")
            _stop_started(settings, stop_database_too=not database_was_running)
            raise
    return UpOutcome()


def check_ports_free(settings: Settings) -> None:
    """Before anything starts: a port another program holds is named with the setting that changes it."""
    for field_name, option, what in PORTS:
        port = getattr(settings, field_name)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((settings.bind_host, port))
            except OSError:
                raise PlatformError(
                    f"port {port} ({what}) on {settings.bind_host} is in use by another program: free it, or"
                    f" choose another with `bi-dash up {option} N` or BI_DASH_{field_name.upper()}=N"
                ) from None


def running_services(settings: Settings) -> list[str]:
    """Platform services of this home whose processes are alive."""

    return [
        name for name in SERVICE_NAMES if processes.read_pid(settings.run_dir / f"{name}.pid") is not None
    ]


@contextmanager
def _up_lock(settings: Settings) -> Iterator[bool]:
    """One `up` at a time per home: True when this process holds the lock (released when it ends)."""

    with open(settings.run_dir / "up.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _services(settings: Settings, admin: ConnectionInfo) -> list[Any]:
    return [
        *services.api_services(settings, admin),
        services.docs_service(settings),
        services.dagster_webserver_service(settings),
        services.dagster_daemon_service(settings),
    ]


def _bring_up(settings: Settings, demo: bool) -> ConnectionInfo:
    # deferred: the pipeline loads Dagster (~1 s); the CLI imports this module to start
    from orchestration.pipeline import prepare_dbt

    admin = prepare(settings)
    _save_ports(settings)
    if demo and _is_empty(admin):
        load_demo(settings, admin)
    with role_connection(admin, settings, "transformer").connect() as conn:
        published = last_published_at(conn)
    if published is None:
        refresh(settings)  # nothing to serve yet: the first build comes first
    else:
        with progress.step("Preparing the dbt project (parsed only when it changed)"):
            prepare_dbt(settings)  # the definitions the Dagster UI loads
    started = _start_services(settings, admin)
    if published is not None:
        # a checked build is in the database: it is served at once, then brought up to date (in the
        # foreground, so that a blocked refresh is seen; a no-op in seconds when nothing changed)
        progress.done(f"Serving the build published at {published}; bringing the data up to date")
        try:
            refresh(settings)
        except PlatformError as error:
            # write-audit-publish: the last good build is still there to serve
            progress.warn(f"{error}")
            progress.warn(f"Serving the build published at {published}.")
        except BaseException:
            for service in reversed(started):
                processes.stop(service, settings)
            raise
    return admin


def _start_services(settings: Settings, admin: ConnectionInfo) -> list[Any]:
    write_landing_page(settings, services.api_url(settings), services.dagster_url(settings))
    started: list[processes.Service] = []
    try:
        for service in _services(settings, admin):
            with progress.step(f"Starting {service.name}"):
                processes.start(service, settings, timeout=120)
            started.append(service)
    except BaseException:
        for service in reversed(started):
            processes.stop(service, settings)
        raise
    return started


def serve_until_stopped(settings: Settings) -> None:
    """Watch the services until SIGINT/SIGTERM (or one of them dies), then stop everything."""

    stop_event = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_event.set())
    watched = _services(settings, start_database(settings))
    crashed: list[str] = []
    while not stop_event.wait(2.0):
        crashed = [s.name for s in watched if processes.read_pid(s.pid_file(settings)) is None]
        if crashed:
            progress.warn(f"{', '.join(crashed)} stopped; logs in {settings.log_dir}")
            break
    down(settings)
    if crashed:
        raise PlatformError(f"{', '.join(crashed)} stopped unexpectedly; the platform was shut down")


# --- stop ----------------------------------------------------------------------------------------
def _stop_started(settings: Settings, stop_database_too: bool) -> None:
    for name in SERVICE_NAMES:
        processes.stop(Service(name=name, command=[], health=lambda: False), settings)
    if stop_database_too:
        stop_database(settings)


def down(settings: Settings) -> None:
    """Stop every component `up` started (an external database is left running)."""

    for name in SERVICE_NAMES:
        service = Service(name=name, command=[], health=lambda: False)
        with progress.step(f"Stopping {name}"):
            processes.stop(service, settings)
    with progress.step(
        "Stopping PostgreSQL" if settings.uses_embedded_database else "Leaving the external database"
    ):
        stop_database(settings)


def check_resettable(settings: Settings) -> None:
    """Refuse, before asking anyone, what `reset` must not delete."""
    if not settings.uses_embedded_database:
        raise PlatformError("reset deletes the embedded database only: DATABASE_URL is set, drop it yourself")
    markers = ("secrets.env", "pg", "run")
    if settings.home.exists() and not any((settings.home / marker).exists() for marker in markers):
        raise PlatformError(f"{settings.home} does not look like a bi-dash home: not deleting it")


def reset(settings: Settings) -> UpOutcome:
    """Stop, delete the home (database, secrets, logs, docs), start again with the demo data."""
    check_resettable(settings)
    down(settings)
    with progress.step(f"Deleting {settings.home}"):
        shutil.rmtree(settings.home, ignore_errors=True)
    return up(settings, demo=True)
