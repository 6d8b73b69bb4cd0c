"""The environment handed to dbt and Dagster processes, derived from the settings."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from orchestration.errors import PlatformError
from orchestration.runtime.database import ConnectionInfo, role_connection
from orchestration.settings import PROJECT_ROOT, Settings, get_settings

# the line of dbt_project/profiles.yml that reads the password from the environment (a container
# that sets DBT_ENV_SECRET_PASSWORD itself uses that file as it is)
_PASSWORD_FROM_ENV = "      password: \"{{ env_var('DBT_ENV_SECRET_PASSWORD', '') }}\""


def write_dbt_profile(settings: Settings, transformer: ConnectionInfo) -> Path:
    """dbt's profile with the transformer's password written in, in a folder only its owner reads
    (0700, the file 0600): the password reaches dbt through this file, never through an environment
    variable of this process or of the processes it starts."""
    template = (settings.dbt_project_dir / "profiles.yml").read_text(encoding="utf-8")
    if _PASSWORD_FROM_ENV not in template:
        raise PlatformError(
            f"{settings.dbt_project_dir / 'profiles.yml'} no longer reads the password as expected"
        )
    # raw: dbt renders the profile as Jinja, and a password may contain braces
    literal = json.dumps("{% raw %}" + (transformer.password or "") + "{% endraw %}")
    profile = template.replace(_PASSWORD_FROM_ENV, f"      password: {literal}")
    folder = settings.dbt_profiles_dir
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / "profiles.yml"
    if path.is_file() and path.read_text(encoding="utf-8") == profile:
        return path  # the health probes and `status` compute the environment often: no rewrite
    # a file of its own per writer (mkstemp: 0600), renamed over the profile: processes that start at
    # the same time never read a half-written one
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".profiles.", suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(profile)
    Path(temporary).replace(path)
    return path


def platform_env(settings: Settings, admin: ConnectionInfo) -> dict[str, str]:
    """The environment of dbt and Dagster: where things are and how to connect, never a password (the
    transformer's is in the private dbt profile this writes)."""
    transformer = role_connection(admin, settings, "transformer")
    write_dbt_profile(settings, transformer)
    dagster_db = admin.on_database(settings.dagster_database_name)
    env = {
        "BI_DASH_HOME": str(settings.home),
        "DAGSTER_HOME": str(settings.dagster_home),
        "BI_DASH_DAGSTER_PG_URL": dagster_db.url(),
        "BI_DASH_DAGSTER_ARTIFACTS": str(settings.dagster_home / "storage"),
        "BI_DASH_DAGSTER_COMPUTE_LOGS": str(settings.log_dir / "dagster-compute"),
        "BI_DASH_DBT_HOST": transformer.host,
        "BI_DASH_DBT_PORT": str(transformer.port),
        "BI_DASH_DBT_USER": transformer.user,
        "BI_DASH_DBT_DBNAME": transformer.dbname,
        "BI_DASH_DBT_SSLMODE": dict(transformer.params).get("sslmode", "prefer"),
        "DBT_PROFILES_DIR": str(settings.dbt_profiles_dir),
        "DBT_PROJECT_DIR": str(settings.dbt_project_dir),
        "DBT_TARGET_PATH": str(settings.dbt_target_dir),
        "DBT_LOG_PATH": str(settings.log_dir / "dbt"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    # DATABASE_URL (or DATABASE_URL_FILE) is the caller's own: children inherit it as it was given,
    # and the value read from a file is never exported
    return env


def apply_platform_env(settings: Settings, admin: ConnectionInfo) -> dict[str, str]:
    """Export the platform environment into this process (children inherit it)."""
    env = platform_env(settings, admin)
    os.environ.update(env)
    return env


def ensure_platform_env() -> None:
    """Where Dagster loads the definitions in a process bi-dash did not start (a Kubernetes run pod, a
    code server started by Dagster's Helm chart), derive the environment from the settings as
    ``bi-dash`` does; nothing when it is there already or no external database is configured."""
    if "BI_DASH_DBT_HOST" in os.environ:
        return

    settings = get_settings()
    if not settings.database_url:
        return
    settings.ensure_dirs()
    apply_platform_env(settings, ConnectionInfo.from_url(settings.database_url))
    install_dagster_instance(settings)


def install_dagster_instance(settings: Settings) -> None:
    """Copy the top-level dagster.yaml into DAGSTER_HOME (its values come from the environment)."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    target = settings.dagster_home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)


def dbt_executable() -> str:
    """The dbt of this virtual environment (it need not be on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"
