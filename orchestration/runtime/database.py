"""The PostgreSQL the platform runs on: an embedded pgserver by default, or DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import warnings
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

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

    @classmethod
    def from_url(cls, url: str) -> ConnectionInfo:
        params = conninfo_to_dict(url)
        return cls(
            host=str(params.get("host") or "localhost"),
            port=int(params.get("port") or 5432),
            dbname=str(params.get("dbname") or params.get("user") or "postgres"),
            user=str(params.get("user") or "postgres"),
            password=str(params["password"]) if params.get("password") else None,
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
        if self.is_socket:
            query = urlencode({"host": self.host, "port": str(self.port)})
            return f"{driver}://{auth}@/{quote(self.dbname, safe='')}?{query}"
        return f"{driver}://{auth}@{self.host}:{self.port}/{quote(self.dbname, safe='')}"

    def connect(self, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=self.user,
            password=self.password or None,
            connect_timeout=10,
            **kwargs,  # type: ignore[arg-type]
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
        import pgserver
    return pgserver


def _embedded_info(settings: Settings) -> ConnectionInfo | None:
    """The running embedded server, read from its postmaster.pid (None when it is not running)."""
    _import_pgserver()
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
    return ConnectionInfo.from_url(info.get_uri()).on_database(settings.database_name)


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
            server = pgserver.get_server(settings.pgdata, cleanup_mode=None)
        except subprocess.CalledProcessError as exc:
            raise PlatformError(
                f"embedded PostgreSQL failed to start; see {settings.pgdata / 'log'}"
            ) from exc
        info = ConnectionInfo.from_url(server.get_uri()).on_database(settings.database_name)
    ensure_database(info, settings.database_name)
    return info


def ensure_database(admin: ConnectionInfo, dbname: str) -> None:
    with admin.on_database("postgres").connect(autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def stop_database(settings: Settings) -> bool:
    """Stop the embedded server (an external database is never stopped). True when it was running."""
    if not settings.uses_embedded_database or _embedded_info(settings) is None:
        return False
    _import_pgserver().pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=settings.pgdata, user=_pgserver_user(), timeout=60
    )
    return True


def restart_embedded_database(settings: Settings) -> ConnectionInfo:
    """Stop and start the embedded server in place (same socket, same data)."""
    stop_database(settings)
    return start_database(settings)


def database_status(settings: Settings) -> tuple[bool, str]:
    if settings.database_url:
        admin = ConnectionInfo.from_url(settings.database_url)
    else:
        info = _embedded_info(settings)
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
