"""The `bi-dash` command line: parses the arguments, calls one function of the service layer
(`orchestration/service/`) and prints what it returns. No decision about the platform is taken here."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from api_contracts.vocabulary import DEFAULT_TIME_ZONE, REQUEST_ROLES, SESSION_ROLES
from orchestration import logs
from orchestration.errors import PlatformError
from orchestration.generate.afd import SHAPES
from orchestration.generate.dataset import generate_ponto
from orchestration.generate.olist import generate_olist
from orchestration.ingest.summary import LoadSummary
from orchestration.lint import CHECKS
from orchestration.runtime.database import started_by_this_process
from orchestration.service import accounts, lifecycle, loads, progress
from orchestration.service import refresh as refresh_service
from orchestration.service import status as status_service
from orchestration.settings import Settings, get_settings
from orchestration.users import check_password

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
        console.print(
            f"bi-dash {version('bi-dash')} (dbt-core {version('dbt-core')}, dagster {version('dagster')},"
            f" great-expectations {version('great-expectations')})"
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


def _settings(**overrides: Any) -> Settings:
    """Settings from options > environment > the ports the running platform was started with > defaults."""
    overrides = {key: value for key, value in overrides.items() if value is not None}
    if _state["log_format"]:
        overrides["log_format"] = _state["log_format"]
        os.environ["BI_DASH_LOG_FORMAT"] = _state["log_format"]  # the Dagster definitions follow it
    try:
        settings = get_settings(**overrides)
        saved = lifecycle.saved_ports(settings)
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

    if not isinstance(exc, ValidationError):
        return str(exc)
    parts = []
    for error in exc.errors():
        field = ".".join(str(item) for item in error["loc"]) or "settings"
        variable = field if field.isupper() else f"BI_DASH_{field.upper()}"
        parts.append(f"{variable}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


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
        except Exception as exc:  # last line of defence for the CLI user
            if _state["debug"]:
                raise
            err.print(f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


class ConsoleReporter:
    """The service layer's progress on the terminal: a spinner while a step runs, ✓ and its seconds."""

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        with err.status(f"{title}…"):
            yield
        self.done(title, time.monotonic() - started)
        # the check mark above is the plain log; JSON mode adds a machine-readable line
        log.log(
            20 if _state.get("json_logs") else 10,
            title,
            extra={"step": title, "seconds": round(time.monotonic() - started, 2)},
        )

    def done(self, text: str, seconds: float | None = None) -> None:
        err.print(f"[green]✓[/] {text}" + (f" [dim]({seconds:.1f}s)[/]" if seconds is not None else ""))

    def substep(self, name: str, succeeded: bool, seconds: float) -> None:
        mark = "[green]✓[/]" if succeeded else "[red]✗[/]"
        err.print(f"  {mark} {name} [dim]({seconds:.1f}s)[/]")

    def note(self, text: str) -> None:
        err.print(f"[dim]{text}[/]")

    def warn(self, text: str) -> None:
        err.print(f"[yellow]warning:[/] {text}")

    @contextmanager
    def redirected(self, terminal: TextIO) -> Iterator[None]:
        err.file = terminal
        try:
            yield
        finally:
            err.file = None  # type: ignore[assignment]  # back to sys.stderr

    @contextmanager
    def counted(self, title: str, total: int) -> Iterator[Callable[[str], None]]:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err) as bar:
            task = bar.add_task(title, total=total)
            started = 0

            def starting(item: str) -> None:
                nonlocal started
                if started:
                    bar.advance(task)
                started += 1
                bar.update(task, description=item)

            yield starting
            if started:
                bar.advance(task)


progress.use(ConsoleReporter())


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


def _ingested(load: Callable[[], LoadSummary]) -> None:
    """Run a load and print its summary (also when nothing could be read: the reasons are in it)."""
    try:
        summary = load()
    except loads.UnreadableInput as unreadable:
        _print_summary(unreadable.summary)
        raise
    _print_summary(summary)


# --- platform lifecycle --------------------------------------------------------------------------
def _print_urls(settings: Settings, detach: bool, title: str = "bi-dash is up") -> None:
    table = Table(title=title)
    table.add_column("component")
    table.add_column("URL")
    for name, url in lifecycle.urls(settings).items():
        table.add_row(name, url)
    console.print(table)
    users = lifecycle.demo_users(settings)
    if users:
        demo = Table(title="Demo users", caption="demo data only; `bi-dash users` manages users")
        for column in ("username", "password", "role", "employee"):
            demo.add_column(column)
        for row in users:
            demo.add_row(*row)
        console.print(demo)
    console.print(f"State: {settings.home}   Logs: {settings.log_dir}")
    if detach:
        console.print("Running in the background; stop with [bold]bi-dash down[/].")
    else:
        console.print("Press Ctrl-C to stop.")


def _started(settings: Settings, outcome: lifecycle.UpOutcome, detach: bool) -> None:
    if outcome.already_running:
        _print_urls(settings, detach=True, title="bi-dash is already running")
        err.print(
            f"[dim]Nothing started or changed ({', '.join(outcome.already_running)} already running).[/]"
        )
        return
    _print_urls(settings, detach)
    if not detach:
        lifecycle.serve_until_stopped(settings)


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
    _started(settings, lifecycle.up(settings, demo), detach)


@app.command()
@guarded
def down() -> None:
    """Stop every component started by `bi-dash up` (an external database is left running)."""
    lifecycle.down(_settings())


@app.command()
@guarded
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the home (embedded database, secrets, logs, docs) and start again with the demo data."""
    settings = _settings()
    lifecycle.check_resettable(settings)
    if not yes and not typer.confirm(
        f"Delete {settings.home} (its database, secrets and logs) and start again with the demo data?"
    ):
        raise typer.Exit(1)
    _started(settings, lifecycle.reset(settings), detach=True)


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
    files = status_service.log_files(settings)
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
    report = status_service.status_report(_settings())
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
    # deferred: runtime.serve loads Dagster (~1 s); only the container entry points need it
    from orchestration.runtime.serve import exec_component, prepare

    prepared = prepare(_settings(), component)
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
    # deferred: runtime.serve loads Dagster (~1 s); only the container entry points need it
    from orchestration.runtime.serve import healthy

    if not healthy(_settings(), component):
        raise PlatformError(f"{component} is not healthy")
    console.print(f"{component}: healthy")


@app.command()
@guarded
def migrate() -> None:
    """Apply the Alembic migrations (schemas, roles, raw tables) to the configured database."""
    lifecycle.prepare(_settings())


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
        bool,
        typer.Option(
            "--force", help="Build every domain, even when nothing changed since the published build."
        ),
    ] = False,
) -> None:
    """Run the refresh job: checks, build beside the served data, checks, publish.

    Skipped in seconds when nothing changed since the published build (no new loads, same project,
    same day). Exits 1 naming the failing checks when a blocking one failed (nothing is published then).
    """
    settings = _settings()
    lifecycle.prepare(settings)
    refresh_service.refresh(settings, full_refresh, allow_shrink, force)


@app.command()
@guarded
def token(
    role: Annotated[str, typer.Option(help=" or ".join(REQUEST_ROLES) + ".")],
    employee_id: Annotated[str | None, typer.Option(help="Required for manager and employee.")] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 15m, 1h, 7d.")] = "1h",
    subject: Annotated[str | None, typer.Option(help="sub claim (who the token is for).")] = None,
) -> None:
    """Print a signed API token (HS256) for development and scripts."""
    print(accounts.token(_settings(), role, employee_id, ttl, subject))


@app.command()
@guarded
def lint() -> None:
    """Check the exposed schema (RLS, security_invoker, function grants, search_path, identifiers).
    Exit code 1 when an error is found; warnings only report."""

    findings = status_service.lint(_settings())
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
    role: Annotated[str, typer.Option(help=" or ".join(SESSION_ROLES) + ".")],
    employee_id: Annotated[str | None, typer.Option(help="Required for manager and employee.")] = None,
    password_stdin: Annotated[bool, PASSWORD_STDIN] = False,
) -> None:
    """Add a user who signs in to the dashboards (the password is asked for, or read from stdin)."""
    accounts.check_new_user(username, role, employee_id)  # before asking for a password
    password = _read_password(password_stdin)
    name = accounts.add_user(_settings(), username, role, password, employee_id)
    console.print(f"[green]✓[/] user {name} ({role}{', ' + employee_id if employee_id else ''}) added")


@users_app.command("list")
@guarded
def users_list() -> None:
    """The users, their role, and whether they are disabled or locked by failed sign-ins."""
    users = accounts.list_users(_settings())
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
    accounts.set_disabled(_settings(), username, True)
    console.print(f"[green]✓[/] user {username} disabled")


@users_app.command("enable")
@guarded
def users_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Let a disabled user sign in again."""
    accounts.set_disabled(_settings(), username, False)
    console.print(f"[green]✓[/] user {username} enabled")


@users_app.command("set-password")
@guarded
def users_set_password(
    username: Annotated[str, typer.Argument()], password_stdin: Annotated[bool, PASSWORD_STDIN] = False
) -> None:
    """Set a new password (and lift a lock from failed sign-ins)."""
    password = _read_password(password_stdin, "New password")
    accounts.set_password(_settings(), username, password)
    console.print(f"[green]✓[/] password of {username} set")


# --- ingestion -----------------------------------------------------------------------------------
@ingest_app.command("olist")
@guarded
def ingest_olist(folder: Annotated[Path, typer.Argument(help="Folder with the Olist CSV files.")]) -> None:
    """Load a folder in the Olist e-commerce layout (customers and orders required)."""
    _ingested(lambda: loads.ingest_olist(_settings(), folder))


@ingest_app.command("afd")
@guarded
def ingest_afd(
    files: Annotated[list[Path], typer.Argument(help="AFD files (1510, 1510 + CRC or 671 layout).")],
    timezone: Annotated[
        str, typer.Option(help="Zone of the establishment for 1510 wall-clock times.")
    ] = DEFAULT_TIME_ZONE,
) -> None:
    """Load AFD time-clock files; each file is atomic, reloads and overlapping exports add nothing twice."""
    _ingested(lambda: loads.ingest_afd(_settings(), files, timezone))


@ingest_app.command("employees")
@guarded
def ingest_employees(path: Annotated[Path, typer.Argument(help="Employees CSV file.")]) -> None:
    """Load the employee registry CSV."""
    _ingested(lambda: loads.ingest_table(_settings(), "employees", path))


@ingest_app.command("holidays")
@guarded
def ingest_holidays(path: Annotated[Path, typer.Argument(help="CSV: holiday_date,name[,scope].")]) -> None:
    """Load local holidays (national ones come from the holidays library automatically)."""
    _ingested(lambda: loads.ingest_table(_settings(), "holidays", path))


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
    _ingested(lambda: loads.ingest_table(_settings(), "employer", path))


@ingest_app.command("schedules")
@guarded
def ingest_schedules(path: Annotated[Path, typer.Argument(help="Schedules CSV file.")]) -> None:
    """Load work schedules (schedule_code,weekday,intervals; weekday 1=Monday … 7=Sunday)."""
    _ingested(lambda: loads.ingest_table(_settings(), "schedules", path))


# --- legal outputs -------------------------------------------------------------------------------
def _date_option(value: str, option: str) -> Any:
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
    first, last = _date_option(date_from, "--from"), _date_option(date_to, "--to")
    written = loads.export_aej(_settings(), first, last, out, employee)
    console.print(
        f"{written.path}: {written.records} records, {written.punches} punches, {written.employees} employees"
    )


@export_app.command("espelho")
@guarded
def export_espelho(
    month: Annotated[str, typer.Option(help="The month (yyyy-mm).")],
    out: Annotated[Path, typer.Option(help="Folder for the PDFs (espelho_<employee>_<month>.pdf).")],
    employee: Annotated[str | None, typer.Option(help="Only this employee_id (default: everyone).")] = None,
) -> None:
    """The Espelho de Ponto (art. 84) of a month, one PDF per employee."""
    first = _date_option(month + "-01", "--month")
    written = loads.export_espelho(_settings(), first, out, employee)
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

    with progress.step(f"Generating {customers} customers into {out}"):
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

    first_day = _date_option(start, "--start")
    if shape not in SHAPES:
        raise PlatformError(f"--shape {shape!r}: one of {', '.join(SHAPES)}")
    with progress.step(f"Generating {employees} employees into {out}"):
        counts = generate_ponto(out, employees, days, seed, first_day, shape)
    for name, count in counts.items():
        console.print(f"{name}: {count} rows")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
