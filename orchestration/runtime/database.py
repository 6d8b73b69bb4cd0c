"""The PostgreSQL the platform runs on: an embedded pgserver by default, or DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import time
import warnings
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from orchestration import logs
from orchestration.errors import PlatformError
from orchestration.settings import Settings


@dataclass(frozen=True)
class ConnectionInfo:
    """Where and as whom to connect. ``host`` may be a unix-socket directory."""

    host: str
    port: int
    dbname: str
    user: str
    password: str | None = None
    # the URL's other libpq parameters (sslmode, sslrootcert, options, application_name, …), kept as given
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_url(cls, url: str) -> ConnectionInfo:
        params = conninfo_to_dict(url)
        named = ("host", "port", "dbname", "user", "password")
        return cls(
            host=str(params.get("host") or "localhost"),
            port=int(params.get("port") or 5432),
            dbname=str(params.get("dbname") or params.get("user") or "postgres"),
            user=str(params.get("user") or "postgres"),
            password=str(params["password"]) if params.get("password") else None,
            params=tuple(sorted((key, str(value)) for key, value in params.items() if key not in named)),
        )

    def as_user(self, user: str, password: str | None) -> ConnectionInfo:
        return replace(self, user=user, password=password)

    def on_database(self, dbname: str) -> ConnectionInfo:
        return replace(self, dbname=dbname)

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def url(self, driver: str = "postgresql") -> str:
        """A libpq URI (``driver='postgresql'``) or a SQLAlchemy one (``postgresql+psycopg``)."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        extra = dict(self.params)
        if self.is_socket:
            query = urlencode({"host": self.host, "port": str(self.port), **extra}, quote_via=quote)
            return f"{driver}://{auth}@/{quote(self.dbname, safe='')}?{query}"
        query = f"?{urlencode(extra, quote_via=quote)}" if extra else ""
        return f"{driver}://{auth}@{self.host}:{self.port}/{quote(self.dbname, safe='')}{query}"

    def connect(self, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=self.user,
            password=self.password or None,
            **{"connect_timeout": "10", **dict(self.params), **kwargs},  # type: ignore[arg-type]
        )

    def describe(self) -> str:
        where = f"socket {self.host}" if self.is_socket else f"{self.host}:{self.port}"
        return f"{self.user}@{where}/{self.dbname}"


def _pgserver_user() -> str | None:
    return "pgserver" if os.geteuid() == 0 else None


def _import_pgserver():
    # pgserver keeps a lock file under XDG_RUNTIME_DIR and warns loudly when it is unset.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # deferred: pgserver is needed only for the embedded server, not with DATABASE_URL
        import pgserver
    return pgserver


def _embedded_info(settings: Settings, writable: bool = True) -> ConnectionInfo | None:
    """The running embedded server, read from its postmaster.pid (None when it is not running, or with
    ``writable`` while it still recovers)."""
    _import_pgserver()
    # deferred: pgserver is needed only for the embedded server, not with DATABASE_URL
    from pgserver.utils import PostmasterInfo

    pid_file = settings.pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        info = PostmasterInfo.read_from_pgdata(settings.pgdata)
    except (AssertionError, ValueError):  # a half-written pid file while the server starts
        return None
    if info is None or not info.is_running() or info.status != "ready":
        return None
    server = ConnectionInfo.from_url(info.get_uri())
    if not writable:
        return server.on_database(settings.database_name)
    try:  # "ready" also while a recovery replays an archive read-only (hot standby): not writable yet
        with server.on_database("postgres").connect() as conn:
            if conn.execute("select pg_is_in_recovery()").fetchone() == (True,):
                return None
    except psycopg.OperationalError:
        return None
    return server.on_database(settings.database_name)


_started_here: list[object] = []  # data folders this process started a server for


def started_by_this_process() -> bool:
    """Whether this process started the embedded server (a command may then say it left it running)."""
    return bool(_started_here)


def start_database(settings: Settings) -> ConnectionInfo:
    """Make sure the database answers and return the admin connection to the platform database."""
    if settings.database_url:
        admin = ConnectionInfo.from_url(settings.database_url)
        try:
            with admin.connect() as conn:
                version = conn.info.server_version
        except psycopg.OperationalError as exc:
            raise PlatformError(
                f"cannot connect to DATABASE_URL ({admin.describe()}): {str(exc).strip()}"
            ) from exc
        if version < 150000:
            raise PlatformError(f"PostgreSQL >= 15 required, DATABASE_URL server is {version // 10000}")
        return admin

    info = _embedded_info(settings)
    if info is None:
        pgserver = _import_pgserver()
        settings.pgdata.parent.mkdir(parents=True, exist_ok=True)
        # pgserver caches one handle per data folder; after a stop that handle is stale.
        pgserver.PostgresServer._instances.pop(settings.pgdata.resolve(), None)
        try:
            _started_here.append(settings.pgdata)
            server = pgserver.get_server(settings.pgdata, cleanup_mode=None)
            info = ConnectionInfo.from_url(server.get_uri()).on_database(settings.database_name)
        except subprocess.TimeoutExpired:
            # pgserver waits 10 s; after an unclean stop (kill -9, a power cut) PostgreSQL first replays
            # its write-ahead log, which can take minutes on a large database: wait for it, saying so
            info = _wait_for_recovery(settings)
        except subprocess.CalledProcessError as exc:
            raise PlatformError(
                f"embedded PostgreSQL failed to start; see {settings.pgdata / 'log'}"
            ) from exc
        else:
            # a server still replaying an archive answers read-only (hot standby) before it is writable
            if _embedded_info(settings) is None:
                info = _wait_for_recovery(settings)
        # pgserver opens every parent folder to others (o+rx) for its system user: close the home again
        settings.home.chmod(settings.home_mode)
    ensure_database(info, settings.database_name)
    return info


RECOVERY_TIMEOUT_SECONDS = 1800.0


def _wait_for_recovery(settings: Settings) -> ConnectionInfo:
    log = logs.get_logger("database")
    started = time.monotonic()
    next_note = 0.0
    # deferred: pgserver is needed only for the embedded server, not with DATABASE_URL
    from pgserver.utils import PostmasterInfo

    while time.monotonic() - started < RECOVERY_TIMEOUT_SECONDS:
        info = _embedded_info(settings)
        if info is not None:
            return info
        try:
            postmaster = PostmasterInfo.read_from_pgdata(settings.pgdata)
        except (AssertionError, ValueError):
            postmaster = None  # being written
        if postmaster is not None and not postmaster.is_running():
            raise PlatformError(f"embedded PostgreSQL stopped while starting; see {settings.pgdata / 'log'}")
        waited = time.monotonic() - started
        if waited >= next_note:
            log.warning(
                f"embedded PostgreSQL is recovering after an unclean stop ({waited:.0f}s so far);"
                f" progress in {settings.pgdata / 'log'}"
            )
            next_note = waited + 15
        time.sleep(1)
    raise PlatformError(
        f"embedded PostgreSQL did not finish its recovery in {RECOVERY_TIMEOUT_SECONDS:.0f}s;"
        f" see {settings.pgdata / 'log'}"
    )


def ensure_database(admin: ConnectionInfo, dbname: str) -> None:
    with admin.on_database("postgres").connect(autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def stop_database(settings: Settings) -> bool:
    """Stop the embedded server (an external database is never stopped). True when it was running."""
    if not settings.uses_embedded_database or _embedded_info(settings, writable=False) is None:
        return False
    _import_pgserver().pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=settings.pgdata, user=_pgserver_user(), timeout=60
    )
    return True


def restart_embedded_database(settings: Settings) -> ConnectionInfo:
    """Stop and start the embedded server in place (same socket, same data)."""
    stop_database(settings)
    return start_database(settings)


def database_running(settings: Settings) -> bool:
    """The embedded server is running (an external database counts as running: it is not ours)."""
    return not settings.uses_embedded_database or _embedded_info(settings, writable=False) is not None


def database_status(settings: Settings) -> tuple[bool, str]:
    if settings.database_url:
        admin = ConnectionInfo.from_url(settings.database_url)
    else:
        info = _embedded_info(settings, writable=False)
        if info is None:
            return False, f"embedded, stopped ({settings.pgdata})"
        admin = info
    try:
        with admin.connect() as conn:
            conn.execute("select 1")
    except psycopg.OperationalError as exc:
        return False, f"{admin.describe()}: {str(exc).strip().splitlines()[0]}"
    return True, admin.describe()


def role_connection(admin: ConnectionInfo, settings: Settings, role: str) -> ConnectionInfo:
    """Connection of a login role (``authenticator`` or ``transformer``) to the platform database."""
    return admin.as_user(role, settings.secrets[role])
