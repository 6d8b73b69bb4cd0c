"""One validated settings object for the whole platform.

Values come from environment variables (prefix ``BI_DASH_``, plus the conventional ``DATABASE_URL``)
and from an optional ``.env`` file. Nothing reads the environment at import time: call
:func:`get_settings` when a value is needed.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from orchestration.errors import PlatformError
from orchestration.tokens import parse_ttl

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """One home per project: ``.bi-dash`` at the repository root for a checkout (so `bi-dash token` run
    from another folder uses the running platform's secret), else in the current folder."""
    if (PROJECT_ROOT / "pyproject.toml").exists() and (PROJECT_ROOT / "dbt_project").is_dir():
        return PROJECT_ROOT / ".bi-dash"
    return Path(".bi-dash")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BI_DASH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(
        default_factory=lambda: default_home(),
        description="State folder: embedded PostgreSQL data, logs, secrets, dbt target, Dagster home"
        " (default: .bi-dash at the root of the bi-dash checkout, wherever the command runs from).",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "BI_DASH_DATABASE_URL"),
        description="Admin URL of an existing PostgreSQL >= 15. Unset: embedded PostgreSQL under home.",
    )
    database_name: str = Field(default="bi_dash", description="Database used in the embedded server.")
    dagster_database_name: str = Field(default="bi_dash_dagster", description="Dagster instance storage.")

    api_port: int = Field(default=3000, ge=1, le=65535)
    api_public_url: str | None = Field(
        default=None,
        description="The API's address as users reach it (OpenAPI servers); unset: bind host and port.",
    )
    api_internal_url: str | None = Field(
        default=None,
        description="The API's address for server-side calls (the web service); unset: bind host and port.",
    )
    code_location_host: str | None = Field(
        default=None,
        description="Host of the Dagster code location (gRPC); unset: definitions loaded in-process.",
    )
    code_location_port: int = Field(default=4000, ge=1, le=65535)
    api_admin_port: int = Field(default=3002, ge=1, le=65535)
    dagster_port: int = Field(default=3001, ge=1, le=65535)
    docs_port: int = Field(default=8080, ge=1, le=65535)
    bind_host: str = Field(default="127.0.0.1")

    db_max_rows: int = Field(default=1000, ge=1, description="PostgREST db-max-rows.")
    postgrest_bin: str | None = Field(default=None, description="Path of the postgrest binary.")
    postgrest_memory: str = Field(
        default="512m", pattern=r"^[0-9]+[kmg]$", description="Heap ceiling of each PostgREST (GHC RTS -M)."
    )
    haproxy_bin: str | None = Field(default=None, description="Path of the haproxy binary (PATH otherwise).")
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body (413).")
    api_max_query_bytes: int = Field(default=4096, ge=256, description="Longest query string (414).")
    api_max_select_depth: int = Field(default=4, ge=1, description="Deepest select= embedding (400).")
    api_max_select_bytes: int = Field(default=2048, ge=64, description="Longest select= (400).")

    jwt_secret: str | None = Field(default=None, min_length=32, description="HS256 secret; unset: generated.")
    jwt_audience: str = Field(default="bi-dash", description="Required `aud` claim of API tokens.")
    jwt_max_ttl: str = Field(
        default="7d",
        description="Longest lifetime of an API token (e.g. 8h, 7d): a longer one is refused (401).",
    )
    session_ttl: str = Field(
        default="8h",
        description="Lifetime of a dashboard session (the token /rpc/login signs), at most 8h.",
    )
    cors_origins: str = Field(
        default="http://127.0.0.1:8080,http://localhost:8080",
        description="Comma-separated origins allowed to call the API from a browser.",
    )
    authenticator_password: str | None = Field(default=None, description="Unset: generated into home.")
    transformer_password: str | None = Field(default=None, description="Unset: generated into home.")

    log_format: Literal["plain", "json"] = "plain"
    log_level: str = "INFO"

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (e.g. postgresql://user@host:5432/db)")
        return value

    @field_validator("session_ttl")
    @classmethod
    def _session_at_most_8h(cls, value: str) -> str:
        try:
            seconds = parse_ttl(value).total_seconds()
        except Exception:  # noqa: BLE001 - one message for every malformed value
            raise ValueError("must be a number and s, m or h (e.g. 8h)") from None
        if not 60 <= seconds <= 8 * 3600:
            raise ValueError("must be between 1m and 8h")
        return value

    # --- derived paths -------------------------------------------------------------------------
    @property
    def project_root(self) -> Path:
        return PROJECT_ROOT

    @property
    def dbt_project_dir(self) -> Path:
        return PROJECT_ROOT / "dbt_project"

    @property
    def pgdata(self) -> Path:
        return self.home / "pg"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_profiles_dir(self) -> Path:
        """dbt's profile with the transformer's password (runtime/environment.py writes it, 0600)."""
        return self.home / "dbt" / "profile"

    @property
    def docs_dir(self) -> Path:
        return self.home / "docs"

    @property
    def inbox_dir(self) -> Path:
        return self.home / "inbox"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    def ensure_dirs(self) -> None:
        for path in (self.home, self.log_dir, self.run_dir, self.dagster_home, self.docs_dir):
            path.mkdir(parents=True, exist_ok=True)
        # the home holds secrets, personal data (demo and inbox files with CPF/PIS) and the database;
        # nobody else may list or read it. Run as root, the embedded PostgreSQL runs as the system
        # user `pgserver`, which must still traverse the home to reach its data folder.
        self.home.chmod(self.home_mode)
        for path in (self.log_dir, self.run_dir, self.dagster_home):
            path.chmod(0o700)

    @property
    def home_mode(self) -> int:
        return 0o711 if self.uses_embedded_database and os.geteuid() == 0 else 0o700

    @cached_property
    def secrets(self) -> dict[str, str]:
        """Passwords of the login roles: from the environment, else generated once into home (0600)."""
        stored = _load_or_create_secrets(self.home / "secrets.env")
        return {
            "authenticator": self.authenticator_password or stored["authenticator"],
            "transformer": self.transformer_password or stored["transformer"],
            "jwt": self.jwt_secret or stored["jwt"],
        }


def _load_or_create_secrets(path: Path) -> dict[str, str]:
    wanted = ("authenticator", "transformer", "jwt")
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() and value:
                values[key.strip()] = value.strip()
    missing = [name for name in wanted if name not in values]
    if missing:
        for name in missing:  # 48 random bytes for the JWT secret (PostgREST wants >= 32 characters)
            values[name] = secrets.token_urlsafe(48 if name == "jwt" else 24)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
    return values


# secrets a container or a systemd unit may hand over as files (Docker/Kubernetes secrets):
# `<VARIABLE>_FILE=/run/secrets/…` instead of the value in the environment
SECRET_VARIABLES = (
    "DATABASE_URL",
    "BI_DASH_JWT_SECRET",
    "BI_DASH_AUTHENTICATOR_PASSWORD",
    "BI_DASH_TRANSFORMER_PASSWORD",
)
# how each reaches Settings (DATABASE_URL by its alias, the others by field name)
_SECRET_ARGUMENTS = {
    "DATABASE_URL": "DATABASE_URL",
    "BI_DASH_JWT_SECRET": "jwt_secret",
    "BI_DASH_AUTHENTICATOR_PASSWORD": "authenticator_password",
    "BI_DASH_TRANSFORMER_PASSWORD": "transformer_password",
}


def secrets_from_files(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The values of ``<VARIABLE>_FILE`` files (stripped), refusing files others may read or write."""

    environ = dict(os.environ) if environ is None else environ
    values: dict[str, str] = {}
    for variable in SECRET_VARIABLES:
        path_text = environ.get(f"{variable}_FILE")
        if not path_text:
            continue
        path = Path(path_text)
        try:
            mode = path.stat().st_mode & 0o777
            content = path.read_text().strip()
        except OSError as exc:
            raise PlatformError(f"{variable}_FILE={path}: {exc.strerror or exc}") from None
        if mode & 0o007:
            raise PlatformError(
                f"{variable}_FILE={path} is open to other users (mode {mode:o}): chmod 600 (or 640/440)"
            )
        if environ.get(variable, content) != content:
            raise PlatformError(f"both {variable} and {variable}_FILE are set: keep one")
        values[variable] = content
    return values


def get_settings(**overrides: object) -> Settings:
    """The settings, with the secrets handed over as files read here: their values never go into the
    environment (a child process inherits the ``<VARIABLE>_FILE`` variables and reads the files itself)."""
    from_files = {_SECRET_ARGUMENTS[name]: value for name, value in secrets_from_files().items()}
    return Settings(**{**from_files, **overrides})  # type: ignore[arg-type]
