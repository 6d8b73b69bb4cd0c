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
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.settings import Settings, get_settings

app = typer.Typer(
    name="bi-dash",
    no_args_is_help=True,
    add_completion=False,
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
app.add_typer(export_app, name="export")

# wide enough when piped to a file or CI log, so tables do not truncate file names
console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
_state: dict[str, Any] = {"debug": False, "log_format": None}
F = TypeVar("F", bound=Callable[..., Any])
log = logs.get_logger("cli")


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    log_format: Annotated[
        str | None, typer.Option("--log-format", help="plain or json (default: BI_DASH_LOG_FORMAT or plain).")
    ] = None,
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
        raise PlatformError(f"invalid settings: {exc}") from exc
    logs.configure(settings.log_format, "DEBUG" if _state["debug"] else settings.log_level)
    _state["json_logs"] = settings.log_format == "json"
    return settings


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
            return func(*args, **kwargs)
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


def _refresh(settings: Settings, full_refresh: bool = False, allow_shrink: bool = False) -> None:
    from orchestration.pipeline import prepare_dbt, refresh_or_raise

    with step("Parsing the dbt project"):
        prepare_dbt(settings)
    started = time.monotonic()
    err.print("[bold]Running the refresh job[/] (Dagster logs follow)")
    outcome = refresh_or_raise(settings, full_refresh, allow_shrink)
    err.print(
        f"[green]✓[/] Refresh checked and published, run {outcome.run_id}"
        f" [dim]({time.monotonic() - started:.1f}s)[/]"
    )
    if outcome.step_seconds:
        steps = " · ".join(f"{name} {seconds:.1f}s" for name, seconds in outcome.step_seconds.items())
        err.print(f"[dim]Steps: {steps}[/]")
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
        services.postgrest_service(settings, admin),
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


def _urls(settings: Settings) -> dict[str, str]:
    from orchestration.runtime import services

    return {
        "REST API (PostgREST)": services.api_url(settings) + "/",
        "API health": f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
        "Docs (dbt docs, GX Data Docs)": services.docs_url(settings) + "/",
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
    try:
        admin = _bring_up(settings, demo)
    except KeyboardInterrupt:
        err.print("interrupted while starting: stopping what was started")
        _down(settings)
        raise typer.Exit(130) from None
    _print_urls(settings, detach)
    if detach:
        return
    _serve_until_stopped(settings, admin)


def _bring_up(settings: Settings, demo: bool) -> ConnectionInfo:
    from orchestration.pipeline import write_landing_page
    from orchestration.publish import last_published_at
    from orchestration.runtime import processes, services

    admin = _prepare(settings)
    _save_ports(settings)
    if demo and _is_empty(admin):
        load_demo(settings, admin)
    try:
        _refresh(settings)
    except PlatformError as error:
        with role_connection(admin, settings, "transformer").connect() as conn:
            published = last_published_at(conn)
        if published is None:
            raise
        # write-audit-publish: the last good build is still there to serve
        err.print(f"[yellow]warning:[/] {error}")
        err.print(f"[yellow]Serving the build published at {published}.[/]")
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
    return admin


def _print_urls(settings: Settings, detach: bool) -> None:
    table = Table(title="bi-dash is up")
    table.add_column("component")
    table.add_column("URL")
    for name, url in _urls(settings).items():
        table.add_row(name, url)
    console.print(table)
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

    for name in ("dagster-daemon", "dagster-webserver", "docs", "postgrest"):
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


@app.command()
@guarded
def status() -> None:
    """Each component, its URL and its health. Exit code 1 when something is down."""
    from orchestration.runtime import processes, services
    from orchestration.runtime.database import database_status
    from orchestration.runtime.processes import Service

    settings = _settings()
    table = Table(title="bi-dash status")
    for column in ("component", "state", "URL / where", "pid"):
        table.add_column(column)
    db_ok, where = database_status(settings)
    table.add_row("PostgreSQL", "[green]up[/]" if db_ok else "[red]down[/]", where, "")
    all_ok = db_ok
    checks = {
        "postgrest": (
            f"http://{settings.bind_host}:{settings.api_admin_port}/ready",
            services.api_url(settings),
        ),
        "docs": (services.docs_url(settings) + "/", services.docs_url(settings)),
        "dagster-webserver": (
            services.dagster_url(settings) + "/server_info",
            services.dagster_url(settings),
        ),
        "dagster-daemon": ("", ""),
    }
    for name, (health_url, url) in checks.items():
        health: Callable[[], bool] = functools.partial(processes.is_healthy, health_url)
        if not health_url:  # the daemon has no HTTP endpoint: its process is its health
            health = functools.partial(bool, True)
        service = Service(name=name, command=[], health=health)
        ok, pid = processes.status(service, settings)
        all_ok = all_ok and ok
        table.add_row(name, "[green]up[/]" if ok else "[red]down[/]", url, str(pid or ""))
    console.print(table)
    if db_ok:
        _print_data_status(settings)
    if not all_ok:
        raise typer.Exit(1)


def _print_data_status(settings: Settings) -> None:
    """The publish gate in one or two lines: what the API serves, how the last refresh went."""
    import psycopg

    from orchestration import publish
    from orchestration.runtime.database import start_database

    try:
        with role_connection(start_database(settings), settings, "transformer").connect() as conn:
            published, attempt = publish.last_published_at(conn), publish.latest_attempt(conn)
            failing = publish.failed_checks(conn, attempt[0]) if attempt else []
    except psycopg.Error:  # not migrated yet
        return
    console.print(f"Data: published {published or 'never'}", highlight=False)
    if attempt:
        colour = "green" if attempt[1] == "published" else "yellow" if attempt[1] == "running" else "red"
        line = f"Last refresh: {attempt[2]} [{colour}]{attempt[1]}[/]"
        console.print(line + (f", failing checks: {', '.join(failing)}" if failing else ""), highlight=False)


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
) -> None:
    """Run the refresh job: checks, build beside the served data, checks, publish.

    Exits 1 naming the failing checks when a blocking one failed (nothing is published then).
    """
    settings = _settings()
    _prepare(settings)
    _refresh(settings, full_refresh, allow_shrink)


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
    settings.ensure_dirs()
    print(
        mint_token(settings.secrets["jwt"], role, settings.jwt_audience, parse_ttl(ttl), employee_id, subject)
    )


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

    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise PlatformError(f"no such file: {', '.join(missing)}")
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
    from orchestration.ingest.ponto_csv import EMPLOYEES, EMPLOYER, LOCAL_HOLIDAYS, SCHEDULES, ingest_csv

    if not path.is_file():
        raise PlatformError(f"{path}: no such file")
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
