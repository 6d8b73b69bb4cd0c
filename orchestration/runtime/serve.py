"""One platform component in the foreground, the way a container or a systemd unit runs it.

``bi-dash serve COMPONENT`` prepares what the component needs (settings from the environment and
``<VARIABLE>_FILE`` secret files, the Dagster instance file, the PostgREST configuration) and then
*replaces itself* with the component's process (``exec``): the process manager's SIGTERM reaches
PostgREST, Dagster or the web service directly, and each stops cleanly on it. The commands are the
ones ``bi-dash up`` starts (orchestration/runtime/services.py), so both paths run the same thing.

``bi-dash health COMPONENT`` exits 0 when the component answers (a container HEALTHCHECK or a
Kubernetes probe runs it; no curl needed in the image).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.docs_site import write_landing_page
from orchestration.errors import PlatformError
from orchestration.runtime import services
from orchestration.runtime.database import role_connection, start_database
from orchestration.runtime.environment import install_dagster_instance, platform_env
from orchestration.runtime.processes import default_signals
from orchestration.settings import PROJECT_ROOT, Settings

COMPONENTS = ("api", "dagster-webserver", "dagster-daemon", "code-location", "web")


@dataclass(frozen=True)
class Prepared:
    command: list[str]
    env: dict[str, str]
    cwd: Path


def prepare(settings: Settings, component: str) -> Prepared:
    """What to exec for ``component``, with its environment."""

    if component not in COMPONENTS:
        raise PlatformError(f"unknown component {component!r} (one of {', '.join(COMPONENTS)})")
    settings.ensure_dirs()
    if component == "web":
        write_landing_page(settings, services.public_api_url(settings), services.dagster_url(settings))
        service = services.docs_service(settings)
        return Prepared(
            list(service.command), {**os.environ, **(service.env or {})}, service.cwd or PROJECT_ROOT
        )
    admin = start_database(settings)
    env = {**os.environ, **platform_env(settings, admin)}
    if component == "api":
        config = settings.home / "postgrest-serve.conf"
        config.write_text(services.postgrest_config(settings, "interactive", listen="tcp"))
        config.chmod(0o600)
        authenticator = role_connection(admin, settings, "authenticator")
        env |= {"PGRST_DB_URI": authenticator.url(), "PGRST_JWT_SECRET": settings.secrets["jwt"]}
        return Prepared([str(services.find_postgrest(settings)), str(config)], env, PROJECT_ROOT)
    install_dagster_instance(settings)
    service = {
        "dagster-webserver": services.dagster_webserver_service,
        "dagster-daemon": services.dagster_daemon_service,
        "code-location": services.code_location_service,
    }[component](settings)
    return Prepared(list(service.command), {**env, **(service.env or {})}, service.cwd or PROJECT_ROOT)


def exec_component(prepared: Prepared) -> None:
    """Become the component's process (never returns), stopping on SIGTERM whatever it inherited."""
    default_signals()
    os.chdir(prepared.cwd)
    os.execvpe(prepared.command[0], prepared.command, prepared.env)


def healthy(settings: Settings, component: str) -> bool:
    if component == "api":
        return services.is_healthy(f"http://{settings.bind_host}:{settings.api_admin_port}/ready")
    if component == "web":
        return services.is_healthy(services.docs_url(settings) + "/healthz")
    if component == "dagster-webserver":
        return services.is_healthy(services.dagster_url(settings) + "/server_info")
    if component == "code-location":
        check = [
            services.venv_script("dagster"),
            "api",
            "grpc-health-check",
            "--host",
            settings.code_location_host or settings.bind_host,
            "--port",
            str(settings.code_location_port),
        ]
    elif component == "dagster-daemon":  # its heartbeats in the instance storage are recent
        env = {**os.environ, **platform_env(settings, start_database(settings))}
        check = [services.venv_script("dagster-daemon"), "liveness-check"]
        return subprocess.run(check, capture_output=True, timeout=60, check=False, env=env).returncode == 0
    else:
        raise PlatformError(f"unknown component {component!r} (one of {', '.join(COMPONENTS)})")
    return subprocess.run(check, capture_output=True, timeout=60, check=False).returncode == 0
