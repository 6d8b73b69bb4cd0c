"""The `bi-dash` command line: bring the platform up and down, migrate, refresh, ingest, generate."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from orchestration import logs
from orchestration.errors import PlatformError
from orchestration.ingest.summary import LoadSummary
from orchestration.runtime.database import (
    ConnectionInfo,
    database_running,
    role_connection,
    started_by_this_process,
)
from orchestration.settings import Settings, get_settings

app = typer.Typer(
    name="bi-dash",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    help="bi-dash data platform: PostgreSQL + dbt + Dagster + PostgREST, one command away.",
)
ingest_app = typer.Typer(no_args_is_help=True, help="Load input files into the raw schema.")
generate_app = typer.Typer(no_args_is_help=True, help="Write deterministic synthetic input files.")
export_app = typer.Typer(
    no_args_is_help=True, help="Write the documents the law requires (AEJ, Espelho de Ponto)."
)
app.add_typer(ingest_app, name="ingest")
app.add_typer(generate_app, name="generate")
users_app = typer.Typer(
    no_args_is_help=True, help="Dashboard users: who signs in (POST /rpc/login), as which API role."
)
app.add_typer(export_app, name="export")
app.add_typer(users_app, name="users")

# wide enough when piped to a file or CI log, so tables do not truncate file names
console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
_state: dict[str, Any] = {"debug": False, "log_format": None}
F = TypeVar("F", bound=Callable[..., Any])
log = logs.get_logger("cli")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        import dagster
        import great_expectations

        console.print(
            f"bi-dash {version('bi-dash')} (dbt-core {version('dbt-core')}, dagster {dagster.__version__},"
            f" great-expectations {great_expectations.__version__})"
        )
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    log_format: Annotated[
        str | None, typer.Option("--log-format", help="plain or json (default: BI_DASH_LOG_FORMAT or plain).")
    ] = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the versions and exit."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    _state["log_format"] = log_format


PORT_FIELDS = ("api_port", "api_admin_port", "dagster_port", "docs_port")


def _settings(**overrides: Any) -> Settings:
    """Settings from options > environment > the ports the running platform was started with > defaults."""
    overrides = {key: value for key, value in overrides.items() if value is not None}
    if _state["log_format"]:
        overrides["log_format"] = _state["log_format"]
        os.environ["BI_DASH_LOG_FORMAT"] = _state["log_format"]  # the Dagster definitions follow it
    try:
        settings = get_settings(**overrides)
        saved = _saved_ports(settings)
        remembered = {
            key: value
            for key, value in saved.items()
            if key not in overrides and f"BI_DASH_{key.upper()}" not in os.environ
        }
        if remembered:
            settings = get_settings(**overrides, **remembered)
    except ValueError as exc:
        raise PlatformError(f"invalid settings: {_settings_error(exc)}") from exc
    logs.configure(settings.log_format, "DEBUG" if _state["debug"] else settings.log_level)
    _state["json_logs"] = settings.log_format == "json"
    return settings


def _settings_error(exc: ValueError) -> str:
    """One line per bad setting: which variable, what is wrong (not pydantic's four-line report)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    parts = []
    for error in exc.errors():
        field = ".".join(str(item) for item in error["loc"]) or "settings"
        variable = field if field.isupper() else f"BI_DASH_{field.upper()}"
        parts.append(f"{variable}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def _ports_file(settings: Settings) -> Path:
    return settings.run_dir / "ports.json"


def _saved_ports(settings: Settings) -> dict[str, int]:
    try:
        saved = json.loads(_ports_file(settings).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return {key: int(saved[key]) for key in PORT_FIELDS if key in saved}


def _save_ports(settings: Settings) -> None:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    _ports_file(settings).write_text(json.dumps({key: getattr(settings, key) for key in PORT_FIELDS}))


def guarded(func: F) -> F:
    """One clear line (and where the log is) instead of a traceback, unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
            if func.__name__ not in ("up", "down", "reset") and started_by_this_process():
                err.print(
                    "[dim]The embedded PostgreSQL was started for this command and is left running for the"
                    " next ones (starting it takes seconds); `bi-dash down` stops it.[/]"
                )
            return result
        except (typer.Exit, typer.Abort):
            raise
        except PlatformError as exc:
            if _state["debug"]:
                raise
            err.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - last line of defence for the CLI user
            if _state["debug"]:
                raise
            err.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def step(title: str) -> Iterator[None]:
    started = time.monotonic()
    with err.status(f"{title}…"):
        yield
    err.print(f"[green]✓[/] {title} [dim]({time.monotonic() - started:.1f}s)[/]")
    # the check mark above is the plain log; JSON mode adds a machine-readable line
    log.log(
        20 if _state.get("json_logs") else 10,
        title,
        extra={"step": title, "seconds": round(time.monotonic() - started, 2)},
    )


def _prepare(settings: Settings) -> ConnectionInfo:
    """Database up, migrated, and the environment for dbt/Dagster exported."""
    from orchestration.ingest.holidays_sync import sync_national_holidays
    from orchestration.runtime import migrate
    from orchestration.runtime.database import ensure_database, start_database
    from orchestration.runtime.environment import apply_platform_env, install_dagster_instance

    settings.ensure_dirs()
    with step("Starting PostgreSQL" + (" (embedded)" if settings.uses_embedded_database else "")):
        admin = start_database(settings)
        ensure_database(admin, settings.dagster_database_name)
    with step("Migrating (alembic upgrade head)"):
        migrate.upgrade(admin, settings)
        sync_national_holidays(admin)
    apply_platform_env(settings, admin)
    install_dagster_instance(settings)
    return admin


def _refresh(
    settings: Settings, full_refresh: bool = False, allow_shrink: bool = False, force: bool = False
) -> None:
    from orchestration.change_detection import reason_to_build
    from orchestration.pipeline import heal_dead_runs, output_to_log, prepare_dbt, refresh_or_raise
    from orchestration.runtime.database import start_database

    if not (full_refresh or allow_shrink or force):
        with role_connection(start_database(settings), settings, "transformer").connect() as conn:
            reason = reason_to_build(conn, settings)
            published = conn.execute("select max(published_at)::text from audit.published_resources")
            published_at = published.fetchone()[0]  # type: ignore[index]
        if reason is None:
            err.print(
                f"[green]✓[/] Nothing new since the build published at {published_at}: the API serves it"
                " [dim](--force builds anyway)[/]"
            )
            return
        err.print(f"[dim]Refreshing: {reason}[/]")
    with step("Preparing the dbt project (parsed only when it changed)"):
        prepare_dbt(settings)
    started = time.monotonic()
    log = settings.log_dir / "refresh.log"
    err.print(f"[bold]Running the refresh job[/] [dim](Dagster and dbt log to {log})[/]")

    def on_step(name: str, succeeded: bool, seconds: float) -> None:
        mark = "[green]✓[/]" if succeeded else "[red]✗[/]"
        err.print(f"  {mark} {name} [dim]({seconds:.1f}s)[/]")

    # runs whose process died hold nothing: said here, before the run's own output goes to the log
    for healed in heal_dead_runs(settings):
        err.print(f"[yellow]![/] run {healed.run_id} of {healed.job_name} marked failed: {healed.reason}")
    with output_to_log(log) as terminal:
        err.file = terminal
        try:
            outcome = refresh_or_raise(settings, full_refresh, allow_shrink, on_step)
        finally:
            err.file = None  # type: ignore[assignment]  # back to sys.stderr
    err.print(
        f"[green]✓[/] Refresh checked and published, run {outcome.run_id}"
        f" [dim]({time.monotonic() - started:.1f}s)[/]"
    )
    if outcome.warning_checks:
        err.print(f"[yellow]warning checks failed (not blocking):[/] {', '.join(outcome.warning_checks)}")


def _print_summary(summary: LoadSummary) -> None:
    fields = [
        "lines",
        "loaded",
        "updated",
        "unchanged",
        "duplicates",
        "other_records",
        "linked",
        "quarantined",
    ]
    for optional in ("other_records", "linked"):
        if not any(getattr(item, optional) for item in summary.files):
            fields.remove(optional)
    table = Table(title="Load summary")
    table.add_column("file")
    for name in fields:
        table.add_column(name.replace("_", " "), justify="right")
    table.add_column("reasons")
    for item in summary.files:
        if item.already_loaded:
            table.add_row(Path(item.file_name).name, *["-"] * len(fields), "already loaded (same content)")
            continue
        table.add_row(
            Path(item.file_name).name, *(str(getattr(item, name)) for name in fields), item.first_reasons()
        )
    console.print(table)
    for item in summary.files:  # the table above is the plain log; JSON mode adds one line per file
        log.log(
            20 if _state.get("json_logs") else 10,
            "loaded file",
            extra={
                "file": item.file_name,
                "loaded": item.loaded,
                "updated": item.updated,
                "duplicates": item.duplicates,
                "quarantined": item.quarantined,
                "already_loaded": item.already_loaded,
            },
        )


def _finish_ingest(summary: LoadSummary) -> None:
    _print_summary(summary)
    if not summary.readable:
        raise PlatformError("nothing could be read from the input (see the reasons above)")


# --- platform lifecycle --------------------------------------------------------------------------
def _services(settings: Settings, admin: ConnectionInfo) -> list[Any]:
    from orchestration.runtime import services

    return [
        *services.api_services(settings, admin),
        services.docs_service(settings),
        services.dagster_webserver_service(settings),
        services.dagster_daemon_service(settings),
    ]


def _is_empty(admin: ConnectionInfo) -> bool:
    with admin.connect() as conn:
        row = conn.execute("select not exists (select from raw.ingested_files)").fetchone()
    return bool(row and row[0])


def load_demo(settings: Settings, admin: ConnectionInfo) -> None:
    from orchestration.generate.olist import generate_olist
    from orchestration.generate.ponto import generate_ponto
    from orchestration.ingest.afd_loader import ingest_afd_file
    from orchestration.ingest.olist import ingest_olist_dir
    from orchestration.ingest.ponto_csv import EMPLOYEES, SCHEDULES, ingest_csv

    demo = settings.home / "demo"
    with step("Loading demo data (synthetic, seed 42)"):
        generate_olist(demo / "olist", customers=2000, seed=42)
        generate_ponto(demo / "ponto", employees=40, days=31, seed=42)
        ingest_olist_dir(admin, demo / "olist")
        ingest_csv(admin, EMPLOYEES, demo / "ponto" / "employees.csv")
        ingest_csv(admin, SCHEDULES, demo / "ponto" / "schedules.csv")
        for path in sorted((demo / "ponto" / "afd").glob("*.txt")):
            ingest_afd_file(admin, path)
    _add_demo_users(settings, admin)


def _demo_users_file(settings: Settings) -> Path:
    return settings.home / "demo-users.txt"


def _add_demo_users(settings: Settings, admin: ConnectionInfo) -> None:
    """One user per role with a random password, kept in the home (0600) for `up` to print."""
    from orchestration.users import add_demo_users

    lines = [
        "\t".join((username, password, role, employee_id or ""))
        for username, password, role, employee_id in add_demo_users(admin)
    ]
    path = _demo_users_file(settings)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n")


def _print_demo_users(settings: Settings) -> None:
    path = _demo_users_file(settings)
    if not path.exists():
        return
    table = Table(title="Demo users", caption="demo data only; `bi-dash users` manages users")
    for column in ("username", "password", "role", "employee"):
        table.add_column(column)
    for line in path.read_text().splitlines():
        if line.strip():
            table.add_row(*line.split("\t"))
    console.print(table)


def _urls(settings: Settings) -> dict[str, str]:
    from orchestration.runtime import services

    return {
        "REST API (PostgREST)": services.api_url(settings) + "/",
        "API health": f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
        "Docs (dbt docs, GX Data Docs, API reference)": services.docs_url(settings) + "/",
        "customer_360 dashboard": services.docs_url(settings) + "/customer-360/",
        "controle_ponto dashboard": services.docs_url(settings) + "/ponto/",
        "Dagster UI": services.dagster_url(settings) + "/",
    }


@app.command()
@guarded
def up(
    detach: Annotated[bool, typer.Option("--detach", "-d", help="Return once everything is ready.")] = False,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load demo data into an empty database.")
    ] = True,
    api_port: Annotated[int | None, typer.Option(help="PostgREST port (default 3000).")] = None,
    api_admin_port: Annotated[int | None, typer.Option(help="PostgREST admin port (default 3002).")] = None,
    dagster_port: Annotated[int | None, typer.Option(help="Dagster UI port (default 3001).")] = None,
    docs_port: Annotated[int | None, typer.Option(help="Docs site port (default 8080).")] = None,
) -> None:
    """Start everything: database, migrations, demo data, refresh, docs, PostgREST, Dagster."""
    settings = _settings(
        api_port=api_port, api_admin_port=api_admin_port, dagster_port=dagster_port, docs_port=docs_port
    )
    _up(settings, detach, demo)


def _up(settings: Settings, detach: bool, demo: bool) -> None:
    settings.ensure_dirs()
    with _up_lock(settings) as locked:
        running = _running_services(settings)
        if running or not locked:
            if not running:
                raise PlatformError(
                    f"another `bi-dash up` is starting from {settings.home}: wait for it (`bi-dash status`)"
                )
            _print_urls(settings, detach=True, title="bi-dash is already running")
            err.print(f"[dim]Nothing started or changed ({', '.join(running)} already running).[/]")
            return
        _check_ports_free(settings)
        database_was_running = database_running(settings)
        try:
            admin = _bring_up(settings, demo)
        except BaseException as error:
            # a failed `up` stops what it started (the database too, when this `up` started it)
            if isinstance(error, KeyboardInterrupt):
                err.print("interrupted while starting: stopping what was started")
            _stop_started(settings, stop_database_too=not database_was_running)
            if isinstance(error, KeyboardInterrupt):
                raise typer.Exit(130) from None
            raise
        _print_urls(settings, detach)
        if detach:
            return
        _serve_until_stopped(settings, admin)


# what `up` may find taken: setting, command-line option, what listens there
PORTS = (
    ("api_port", "--api-port", "the REST API"),
    ("api_admin_port", "--api-admin-port", "the API health endpoint"),
    ("dagster_port", "--dagster-port", "the Dagster UI"),
    ("docs_port", "--docs-port", "the docs site"),
)


def _check_ports_free(settings: Settings) -> None:
    """Before anything starts: a port another program holds is named with the setting that changes it."""
    import socket

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


def _running_services(settings: Settings) -> list[str]:
    """Platform services of this home whose processes are alive."""
    from orchestration.runtime import processes

    return [
        name for name in SERVICE_NAMES if processes.read_pid(settings.run_dir / f"{name}.pid") is not None
    ]


@contextmanager
def _up_lock(settings: Settings) -> Iterator[bool]:
    """One `up` at a time per home: True when this process holds the lock (released when it ends)."""
    import fcntl

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


def _stop_started(settings: Settings, stop_database_too: bool) -> None:
    from orchestration.runtime import processes
    from orchestration.runtime.database import stop_database
    from orchestration.runtime.processes import Service

    for name in SERVICE_NAMES:
        processes.stop(Service(name=name, command=[], health=lambda: False), settings)
    if stop_database_too:
        stop_database(settings)


# the platform's processes, in the order they stop (the reverse of the order they start)
SERVICE_NAMES = (
    "dagster-daemon",
    "dagster-webserver",
    "docs",
    "api-proxy",
    "postgrest-analytics",
    "postgrest",
)


def _bring_up(settings: Settings, demo: bool) -> ConnectionInfo:
    from orchestration.pipeline import prepare_dbt
    from orchestration.publish import last_published_at
    from orchestration.runtime import processes

    admin = _prepare(settings)
    _save_ports(settings)
    if demo and _is_empty(admin):
        load_demo(settings, admin)
    with role_connection(admin, settings, "transformer").connect() as conn:
        published = last_published_at(conn)
    if published is None:
        _refresh(settings)  # nothing to serve yet: the first build comes first
    else:
        with step("Preparing the dbt project (parsed only when it changed)"):
            prepare_dbt(settings)  # the definitions the Dagster UI loads
    started = _start_services(settings, admin)
    if published is not None:
        # a checked build is in the database: it is served at once, then brought up to date (in the
        # foreground, so that a blocked refresh is seen; a no-op in seconds when nothing changed)
        err.print(f"[green]✓[/] Serving the build published at {published}; bringing the data up to date")
        try:
            _refresh(settings)
        except PlatformError as error:
            # write-audit-publish: the last good build is still there to serve
            err.print(f"[yellow]warning:[/] {error}")
            err.print(f"[yellow]Serving the build published at {published}.[/]")
        except BaseException:
            for service in reversed(started):
                processes.stop(service, settings)
            raise
    return admin


def _start_services(settings: Settings, admin: ConnectionInfo) -> list[Any]:
    from orchestration.pipeline import write_landing_page
    from orchestration.runtime import processes, services

    write_landing_page(settings, services.api_url(settings), services.dagster_url(settings))
    started: list[processes.Service] = []
    try:
        for service in _services(settings, admin):
            with step(f"Starting {service.name}"):
                processes.start(service, settings, timeout=120)
            started.append(service)
    except BaseException:
        for service in reversed(started):
            processes.stop(service, settings)
        raise
    return started


def _print_urls(settings: Settings, detach: bool, title: str = "bi-dash is up") -> None:
    table = Table(title=title)
    table.add_column("component")
    table.add_column("URL")
    for name, url in _urls(settings).items():
        table.add_row(name, url)
    console.print(table)
    _print_demo_users(settings)
    console.print(f"State: {settings.home}   Logs: {settings.log_dir}")
    if detach:
        console.print("Running in the background; stop with [bold]bi-dash down[/].")
    else:
        console.print("Press Ctrl-C to stop.")


def _serve_until_stopped(settings: Settings, admin: ConnectionInfo) -> None:
    from orchestration.runtime import processes

    stop_event = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_event.set())
    services_list = _services(settings, admin)
    crashed: list[str] = []
    while not stop_event.wait(2.0):
        crashed = [s.name for s in services_list if processes.read_pid(s.pid_file(settings)) is None]
        if crashed:
            err.print(f"[yellow]warning:[/] {', '.join(crashed)} stopped; logs in {settings.log_dir}")
            break
    _down(settings)
    if crashed:
        raise PlatformError(f"{', '.join(crashed)} stopped unexpectedly; the platform was shut down")


def _down(settings: Settings) -> None:
    from orchestration.runtime import processes
    from orchestration.runtime.database import stop_database
    from orchestration.runtime.processes import Service

    for name in SERVICE_NAMES:
        service = Service(name=name, command=[], health=lambda: False)
        with step(f"Stopping {name}"):
            processes.stop(service, settings)
    with step("Stopping PostgreSQL" if settings.uses_embedded_database else "Leaving the external database"):
        stop_database(settings)


@app.command()
@guarded
def down() -> None:
    """Stop every component started by `bi-dash up` (an external database is left running)."""
    _down(_settings())


def _log_files(settings: Settings) -> dict[str, Path]:
    """component -> its log file (those that exist)."""
    files = {path.stem: path for path in sorted(settings.log_dir.glob("*.log"))}
    files["dbt"] = settings.log_dir / "dbt" / "dbt.log"
    files["postgresql"] = settings.pgdata / "log"
    return {name: path for name, path in files.items() if path.is_file()}


@app.command()
@guarded
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the home (embedded database, secrets, logs, docs) and start again with the demo data."""
    import shutil

    settings = _settings()
    if not settings.uses_embedded_database:
        raise PlatformError("reset deletes the embedded database only: DATABASE_URL is set, drop it yourself")
    markers = ("secrets.env", "pg", "run")
    if settings.home.exists() and not any((settings.home / marker).exists() for marker in markers):
        raise PlatformError(f"{settings.home} does not look like a bi-dash home: not deleting it")
    if not yes and not typer.confirm(
        f"Delete {settings.home} (its database, secrets and logs) and start again with the demo data?"
    ):
        raise typer.Exit(1)
    _down(settings)
    with step(f"Deleting {settings.home}"):
        shutil.rmtree(settings.home, ignore_errors=True)
    _up(settings, detach=True, demo=True)


@app.command(name="logs")
@guarded
def show_logs(
    component: Annotated[
        str | None, typer.Argument(help="refresh, postgrest, api-proxy, dagster-daemon, dbt, postgresql, …")
    ] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing what is appended.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many of the last lines.")] = 50,
) -> None:
    """The logs under the home: without a component, which there are; with one, its last lines."""
    settings = _settings()
    files = _log_files(settings)
    if component is None:
        table = Table(title=f"logs in {settings.log_dir}")
        for column in ("component", "file", "size", "modified"):
            table.add_column(column)
        for name, path in files.items():
            info = path.stat()
            modified = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.st_mtime))
            table.add_row(name, str(path), f"{info.st_size / 1024:.0f} KiB", modified)
        console.print(table)
        return
    if component not in files:
        raise PlatformError(
            f"no log of {component!r} in {settings.home}: there are {', '.join(files) or 'none'}"
        )
    path = files[component]
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - 1_000_000, 0))  # the tail of a large log only
        for line in handle.read().decode("utf-8", "replace").splitlines()[-lines:]:
            print(line)
        while follow:
            chunk = handle.read()
            if chunk:
                sys.stdout.write(chunk.decode("utf-8", "replace"))
                sys.stdout.flush()
            else:
                try:
                    time.sleep(0.5)
                except KeyboardInterrupt:
                    return


@app.command()
@guarded
def status(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON document (schema in the README).")
    ] = False,
) -> None:
    """Each component, its URL and its health, then the data. Exit code 1 when something is down."""
    report = _status_report(_settings())
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        table = Table(title="bi-dash status")
        for column in ("component", "state", "URL / where", "pid"):
            table.add_column(column)
        for item in report["components"]:
            state = "[green]up[/]" if item["state"] == "up" else "[red]down[/]"
            table.add_row(item["name"], state, item["url"], str(item["pid"] or ""))
        console.print(table)
        _print_automations(report["automations"])
        _print_data_status(report["data"])
        disk = " · ".join(f"{name} {size / 1_048_576:.0f} MB" for name, size in report["disk_bytes"].items())
        console.print(f"[dim]Disk: {disk}[/]", highlight=False)
    if not report["healthy"]:
        raise typer.Exit(1)


def _status_report(settings: Settings) -> dict[str, Any]:
    """What `status` shows: {home, healthy, components: [{name, state, url, pid}], data: {...} | null}."""
    from orchestration.runtime import processes, services
    from orchestration.runtime.database import database_status
    from orchestration.runtime.processes import Service

    db_ok, where = database_status(settings)
    components: list[dict[str, Any]] = [
        {"name": "PostgreSQL", "state": "up" if db_ok else "down", "url": where, "pid": None}
    ]
    checks = {
        "api-proxy": (services.api_url(settings) + "/", services.api_url(settings)),
        "postgrest": (
            f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
            "interactive pool (anon, hr, manager, employee)",
        ),
        "postgrest-analytics": ("", "analytics pool (analyst)"),
        "docs": (services.docs_url(settings) + "/", services.docs_url(settings)),
        "dagster-webserver": (
            services.dagster_url(settings) + "/server_info",
            services.dagster_url(settings),
        ),
        "dagster-daemon": ("", ""),
    }
    for name, (health_url, url) in checks.items():
        health: Callable[[], bool] = functools.partial(processes.is_healthy, health_url)
        if not health_url:  # no HTTP endpoint of its own: its process is its health
            health = functools.partial(bool, True)
        ok, pid = processes.status(Service(name=name, command=[], health=health), settings)
        components.append({"name": name, "state": "up" if ok else "down", "url": url, "pid": pid})
    return {
        "home": str(settings.home),
        "healthy": all(item["state"] == "up" for item in components),
        "components": components,
        "data": _data_status(settings) if db_ok else None,
        "automations": _automations(settings)
        if any(item["name"] == "dagster-webserver" and item["state"] == "up" for item in components)
        else None,
        "disk_bytes": _disk_usage(settings),
    }


AUTOMATIONS_QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  schedules { name cronSchedule executionTimezone scheduleState { status } }
  sensors { name sensorState { status } } } } } }"""


def _automations(settings: Settings) -> list[dict[str, Any]] | None:
    """Schedules and sensors as the running Dagster sees them (their default state included):
    [{kind, name, state: running|stopped, cron}] or None when the webserver does not answer."""
    import httpx

    from orchestration.runtime import services

    try:
        answer = httpx.post(
            services.dagster_url(settings) + "/graphql", json={"query": AUTOMATIONS_QUERY}, timeout=10
        )
        nodes = answer.json()["data"]["repositoriesOrError"]["nodes"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    found: list[dict[str, Any]] = []
    for node in nodes:
        for schedule in node["schedules"]:
            found.append(
                {
                    "kind": "schedule",
                    "name": schedule["name"],
                    "state": schedule["scheduleState"]["status"].lower(),
                    "cron": f"{schedule['cronSchedule']} ({schedule['executionTimezone'] or 'UTC'})",
                }
            )
        for sensor in node["sensors"]:
            found.append(
                {"kind": "sensor", "name": sensor["name"], "state": sensor["sensorState"]["status"].lower()}
            )
    return found


def _print_automations(automations: list[dict[str, Any]] | None) -> None:
    if not automations:
        return
    table = Table(title="Schedules and sensors (turn them on or off in the Dagster UI, Automation)")
    for column in ("kind", "name", "state", "when"):
        table.add_column(column)
    for item in automations:
        state = "[green]running[/]" if item["state"] == "running" else "[yellow]stopped[/]"
        table.add_row(item["kind"], item["name"], state, item.get("cron", ""))
    console.print(table)


def _disk_usage(settings: Settings) -> dict[str, int]:
    """Bytes used under the home, per part (what grows: the database, logs, Dagster's history, docs)."""
    parts = {
        "database": settings.pgdata,
        "logs": settings.log_dir,
        "dagster": settings.dagster_home,
        "docs": settings.docs_dir,
        "dbt": settings.dbt_target_dir.parent,
        "great_expectations": settings.home / "gx",
    }
    usage = {}
    for name, folder in parts.items():
        total = 0
        for root, _, files in os.walk(folder):
            for file in files:
                try:
                    total += os.lstat(os.path.join(root, file)).st_size
                except OSError:  # gone meanwhile, or the database's own files (another user)
                    pass
        usage[name] = total
    return usage


def _data_status(settings: Settings) -> dict[str, Any] | None:
    """The publish gate: when the served data was published, how the last refresh went."""
    import psycopg

    from orchestration import publish
    from orchestration.runtime.database import start_database

    try:
        with role_connection(start_database(settings), settings, "transformer").connect() as conn:
            published, attempt = publish.last_published_at(conn), publish.latest_attempt(conn)
            failing = publish.failed_checks(conn, attempt[0]) if attempt else []
    except psycopg.Error:  # not migrated yet
        return None
    last = None
    if attempt:
        outcome = attempt[1]
        if outcome == "running" and _run_is_dead(settings, attempt[0]):
            outcome = "stuck"
        last = {"run_id": attempt[0], "started_at": attempt[2], "outcome": outcome, "failing_checks": failing}
    return {"published_at": published, "last_refresh": last}


def _run_is_dead(settings: Settings, run_id: str) -> bool:
    """Whether a run the audit trail says is running has lost its process (read-only)."""
    import dagster as dg

    from orchestration.runtime.database import start_database
    from orchestration.runtime.environment import apply_platform_env, install_dagster_instance
    from orchestration.runtime.runs import dead_runs

    apply_platform_env(settings, start_database(settings))
    install_dagster_instance(settings)
    with dg.DagsterInstance.get() as instance:
        return any(run.run_id == run_id for run, _ in dead_runs(instance))


def _print_data_status(data: dict[str, Any] | None) -> None:
    """The publish gate in one or two lines: what the API serves, how the last refresh went."""
    if data is None:
        return
    console.print(f"Data: published {data['published_at'] or 'never'}", highlight=False)
    last = data["last_refresh"]
    if last:
        outcome = last["outcome"]
        if outcome == "stuck":
            outcome = "stuck: its process is gone (the next refresh, or the sensor within a minute, fails it)"
        colour = "green" if outcome == "published" else "yellow" if outcome == "running" else "red"
        line = f"Last refresh: {last['started_at']} [{colour}]{outcome}[/]"
        failing = last["failing_checks"]
        console.print(line + (f", failing checks: {', '.join(failing)}" if failing else ""), highlight=False)


@app.command()
@guarded
def serve(
    component: Annotated[
        str, typer.Argument(help="api, dagster-webserver, dagster-daemon, code-location or web.")
    ],
) -> None:
    """Run one component in the foreground, as a container or systemd unit does: configured by the
    environment (and <VARIABLE>_FILE secret files), stopped cleanly by SIGTERM."""
    from orchestration.runtime.serve import exec_component, prepare

    settings = _settings()
    prepared = prepare(settings, component)
    err.print(f"[dim]bi-dash serve {component}: {' '.join(prepared.command[:3])} …[/]")
    exec_component(prepared)


@app.command()
@guarded
def health(
    component: Annotated[
        str, typer.Argument(help="api, dagster-webserver, dagster-daemon, code-location or web.")
    ],
) -> None:
    """Exit 0 when the component answers, 1 when not (for container health checks and probes)."""
    from orchestration.runtime.serve import healthy

    if not healthy(_settings(), component):
        raise PlatformError(f"{component} is not healthy")
    console.print(f"{component}: healthy")


@app.command()
@guarded
def migrate() -> None:
    """Apply the Alembic migrations (schemas, roles, raw tables) to the configured database."""
    settings = _settings()
    _prepare(settings)


@app.command()
@guarded
def refresh(
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild incremental models from scratch.")
    ] = False,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Publish even when a resource loses more than half its rows (after a deliberate purge).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Build even when nothing changed since the published build.")
    ] = False,
) -> None:
    """Run the refresh job: checks, build beside the served data, checks, publish.

    Skipped in seconds when nothing changed since the published build (no new loads, same project,
    same day). Exits 1 naming the failing checks when a blocking one failed (nothing is published then).
    """
    settings = _settings()
    _prepare(settings)
    _refresh(settings, full_refresh, allow_shrink, force)


@app.command()
@guarded
def token(
    role: Annotated[str, typer.Option(help="anon, analyst, hr, manager or employee.")],
    employee_id: Annotated[str | None, typer.Option(help="Required for manager and employee.")] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 15m, 1h, 7d.")] = "1h",
    subject: Annotated[str | None, typer.Option(help="sub claim (who the token is for).")] = None,
) -> None:
    """Print a signed API token (HS256) for development and scripts."""
    from orchestration.tokens import mint_token, parse_ttl

    settings = _settings()
    if not settings.jwt_secret and not (settings.home / "secrets.env").exists():
        # a token signed with a secret made up now would be rejected by the platform that runs elsewhere
        raise PlatformError(
            f"no platform home at {settings.home} (no JWT secret there): start it with `bi-dash up`,"
            " or point BI_DASH_HOME at the running platform's home (or set BI_DASH_JWT_SECRET)"
        )
    lifetime, longest = parse_ttl(ttl), parse_ttl(settings.jwt_max_ttl)
    if lifetime > longest:
        raise PlatformError(
            f"--ttl {ttl} is longer than the API accepts ({settings.jwt_max_ttl};"
            " BI_DASH_JWT_MAX_TTL changes it)"
        )
    print(mint_token(settings.secrets["jwt"], role, settings.jwt_audience, lifetime, employee_id, subject))


@app.command()
@guarded
def lint() -> None:
    """Check the exposed schema (RLS, security_invoker, function grants, search_path, identifiers).
    Exit code 1 when an error is found; warnings only report."""
    from orchestration.lint import CHECKS
    from orchestration.lint import lint as run_lint
    from orchestration.runtime.database import start_database

    settings = _settings()
    admin = start_database(settings)
    with admin.connect() as conn:
        findings = run_lint(conn)
    if not findings:
        console.print(f"[green]✓[/] {len(CHECKS)} checks, no finding")
        return
    table = Table(title="bi-dash lint")
    for column in ("level", "rule", "object", "detail"):
        table.add_column(column)
    for finding in findings:
        color = "red" if finding.level == "error" else "yellow"
        table.add_row(f"[{color}]{finding.level}[/]", finding.rule, finding.target, finding.detail)
    console.print(table)
    errors = sum(finding.level == "error" for finding in findings)
    if errors:
        raise PlatformError(f"{errors} lint error(s)")


# --- users ---------------------------------------------------------------------------------------
def _read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """From stdin (scripts: `… --password-stdin < file`) or a prompt without echo; never from argv."""
    import getpass

    from orchestration.users import check_password

    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise PlatformError("no password on stdin (give it on the first line)")
        return check_password(password)
    password = check_password(getpass.getpass(f"{prompt}: "))
    if getpass.getpass("Again: ") != password:
        raise PlatformError("the two passwords differ")
    return password


PASSWORD_STDIN = typer.Option("--password-stdin", help="Read the password from stdin's first line.")


@users_app.command("add")
@guarded
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower-case letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option(help="analyst, hr, manager or employee.")],
    employee_id: Annotated[str | None, typer.Option(help="Required for manager and employee.")] = None,
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
) -> None:
    """Add a user who signs in to the dashboards (the password is asked for, or read from stdin)."""
    from orchestration.users import add_user, check_new_user

    check_new_user(username, role, employee_id)  # before asking for a password
    password = _read_password(password_stdin)
    admin = _prepare(_settings())
    name = add_user(admin, username, role, password, employee_id)
    console.print(f"[green]✓[/] user {name} ({role}{', ' + employee_id if employee_id else ''}) added")


@users_app.command("list")
@guarded
def users_list() -> None:
    """The users, their role, and whether they are disabled or locked by failed sign-ins."""
    from orchestration.users import list_users

    users = list_users(_prepare(_settings()))
    table = Table(title=f"{len(users)} user(s)")
    for column in ("username", "role", "employee", "state", "failed sign-ins", "last sign-in"):
        table.add_column(column)
    for user in users:
        state = (
            "disabled"
            if user.disabled
            else (
                f"locked until {user.locked_until:%H:%M}"
                if user.locked_until and user.locked_until.timestamp() > time.time()
                else "active"
            )
        )
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        table.add_row(
            user.username, user.role, user.employee_id or "", state, str(user.failed_attempts), last
        )
    console.print(table)


@users_app.command("disable")
@guarded
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Refuse the user's next sign-ins (a session already open ends when its token expires, ≤ 8 h)."""
    from orchestration.users import set_disabled

    set_disabled(_prepare(_settings()), username, True)
    console.print(f"[green]✓[/] user {username} disabled")


@users_app.command("enable")
@guarded
def users_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Let a disabled user sign in again."""
    from orchestration.users import set_disabled

    set_disabled(_prepare(_settings()), username, False)
    console.print(f"[green]✓[/] user {username} enabled")


@users_app.command("set-password")
@guarded
def users_set_password(
    username: Annotated[str, typer.Argument()], password_stdin: Annotated[bool, PASSWORD_STDIN] = False
) -> None:
    """Set a new password (and lift a lock from failed sign-ins)."""
    from orchestration.users import set_password

    password = _read_password(password_stdin, "New password")
    set_password(_prepare(_settings()), username, password)
    console.print(f"[green]✓[/] password of {username} set")


# --- ingestion -----------------------------------------------------------------------------------
@ingest_app.command("olist")
@guarded
def ingest_olist(folder: Annotated[Path, typer.Argument(help="Folder with the Olist CSV files.")]) -> None:
    """Load a folder in the Olist e-commerce layout (customers and orders required)."""
    from orchestration.ingest.olist import ingest_olist_dir

    settings = _settings()
    admin = _prepare(settings)
    with step(f"Loading {folder}"):
        summary = ingest_olist_dir(admin, folder)
    _finish_ingest(summary)


@ingest_app.command("afd")
@guarded
def ingest_afd(
    files: Annotated[list[Path], typer.Argument(help="AFD files (1510, 1510 + CRC or 671 layout).")],
    timezone: Annotated[
        str, typer.Option(help="Zone of the establishment for 1510 wall-clock times.")
    ] = "America/Sao_Paulo",
) -> None:
    """Load AFD time-clock files; each file is atomic, reloads and overlapping exports add nothing twice."""
    from orchestration.ingest.afd_loader import ingest_afd_file
    from orchestration.ingest.files import check_input_file

    missing = [str(path) for path in files if not (path.exists() or path.is_symlink())]
    if missing:
        raise PlatformError(f"no such file: {', '.join(missing)}")
    for path in files:  # refuse links and non-regular files before anything loads
        check_input_file(path)
    settings = _settings()
    admin = _prepare(settings)
    summary = LoadSummary()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as progress:
        task = progress.add_task("Loading AFD files", total=len(files))
        for path in files:
            progress.update(task, description=f"Loading {path.name}")
            summary.add(ingest_afd_file(admin, path, timezone))
            progress.advance(task)
    _finish_ingest(summary)


@ingest_app.command("employees")
@guarded
def ingest_employees(path: Annotated[Path, typer.Argument(help="Employees CSV file.")]) -> None:
    """Load the employee registry CSV."""
    _ingest_one("employees", path)


@ingest_app.command("holidays")
@guarded
def ingest_holidays(path: Annotated[Path, typer.Argument(help="CSV: holiday_date,name[,scope].")]) -> None:
    """Load local holidays (national ones come from the holidays library automatically)."""
    _ingest_one("holidays", path)


@ingest_app.command("employer")
@guarded
def ingest_employer(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV: employer_id (CNPJ or CPF), name[, caepf, cno, time_zone, developer_id, developer_name,"
            " developer_email]."
        ),
    ],
) -> None:
    """Load the employer's identification, which the AEJ and the Espelho de Ponto name."""
    _ingest_one("employer", path)


@ingest_app.command("schedules")
@guarded
def ingest_schedules(path: Annotated[Path, typer.Argument(help="Schedules CSV file.")]) -> None:
    """Load work schedules (schedule_code,weekday,intervals; weekday 1=Monday … 7=Sunday)."""
    _ingest_one("schedules", path)


def _ingest_one(kind: str, path: Path) -> None:
    from orchestration.ingest.files import check_input_file
    from orchestration.ingest.ponto_csv import EMPLOYEES, EMPLOYER, LOCAL_HOLIDAYS, SCHEDULES, ingest_csv

    if not (path.exists() or path.is_symlink()):
        raise PlatformError(f"{path}: no such file")
    check_input_file(path)
    settings = _settings()
    admin = _prepare(settings)
    summary = LoadSummary()
    with step(f"Loading {path}"):
        spec = {
            "employees": EMPLOYEES,
            "schedules": SCHEDULES,
            "holidays": LOCAL_HOLIDAYS,
            "employer": EMPLOYER,
        }[kind]
        summary.add(ingest_csv(admin, spec, path))
    _finish_ingest(summary)


# --- legal outputs -------------------------------------------------------------------------------
def _date_option(value: str, option: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlatformError(f"{option} {value!r} is not a date (yyyy-mm-dd)") from None


@export_app.command("aej")
@guarded
def export_aej(
    date_from: Annotated[str, typer.Option("--from", help="First day (yyyy-mm-dd).")],
    date_to: Annotated[str, typer.Option("--to", help="Last day (yyyy-mm-dd).")],
    out: Annotated[
        Path, typer.Option(help="File to write (ISO-8859-1, CR LF); a folder: the standard name.")
    ],
    employee: Annotated[str | None, typer.Option(help="Only this employee_id.")] = None,
) -> None:
    """The AEJ (Arquivo Eletrônico de Jornada, Portaria 671 art. 83) of a period, as HR reads it."""
    from orchestration.ponto_outputs import aej, aej_file_name

    first, last = _date_option(date_from, "--from"), _date_option(date_to, "--to")
    settings = _settings()
    admin = _prepare(settings)
    with step(f"Writing the AEJ of {first} to {last}"):
        content = aej(admin, first, last, employee)
        target = out / aej_file_name(content) if out.is_dir() else out
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    lines = content.split(b"\r\n")
    console.print(
        f"{target}: {len(lines) - 1} records, {sum(line.startswith(b'05|') for line in lines)} punches,"
        f" {sum(line.startswith(b'03|') for line in lines)} employees"
    )


@export_app.command("espelho")
@guarded
def export_espelho(
    month: Annotated[str, typer.Option(help="The month (yyyy-mm).")],
    out: Annotated[Path, typer.Option(help="Folder for the PDFs (espelho_<employee>_<month>.pdf).")],
    employee: Annotated[str | None, typer.Option(help="Only this employee_id (default: everyone).")] = None,
) -> None:
    """The Espelho de Ponto (art. 84) of a month, one PDF per employee."""
    from orchestration.ponto_outputs import export_espelhos

    first = _date_option(month + "-01", "--month")
    settings = _settings()
    admin = _prepare(settings)
    with step(f"Rendering the Espelho de Ponto of {month}"):
        written = export_espelhos(admin, first, out, employee)
    console.print(f"{len(written)} PDF(s) in {out}")


# --- synthetic data ------------------------------------------------------------------------------
@generate_app.command("olist")
@guarded
def generate_olist_command(
    customers: Annotated[int, typer.Option(min=1, help="Number of people (customer_unique_id).")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 42,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("olist"),
) -> None:
    """Write the eight Olist-layout CSV files."""
    from orchestration.generate.olist import generate_olist

    with step(f"Generating {customers} customers into {out}"):
        counts = generate_olist(out, customers, seed)
    for name, count in counts.items():
        console.print(f"{name}: {count} rows")


@generate_app.command("ponto")
@guarded
def generate_ponto_command(
    employees: Annotated[int, typer.Option(min=1, help="Number of employees.")] = 50,
    days: Annotated[int, typer.Option(min=1, help="Days of punches.")] = 31,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same people and files).")] = 42,
    start: Annotated[
        str, typer.Option(help="First day (yyyy-mm-dd); the demo data covers January 2025.")
    ] = "2025-01-01",
    shape: Annotated[
        str,
        typer.Option(
            help="tidy (the demo's) or real: forgotten punches, bursts of presses, people without a"
            " schedule, vacations."
        ),
    ] = "tidy",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("ponto"),
) -> None:
    """Write employees and schedules CSVs and one AFD file per clock (1510, 1510 + CRC, 671)."""
    from orchestration.generate.afd import SHAPES
    from orchestration.generate.ponto import generate_ponto

    first_day = _date_option(start, "--start")
    if shape not in SHAPES:
        raise PlatformError(f"--shape {shape!r}: one of {', '.join(SHAPES)}")
    with step(f"Generating {employees} employees into {out}"):
        counts = generate_ponto(out, employees, days, seed, first_day, shape)
    for name, count in counts.items():
        console.print(f"{name}: {count} rows")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
