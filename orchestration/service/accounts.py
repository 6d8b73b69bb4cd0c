"""Who may use the API: dashboard users (sign-in with a password) and tokens for scripts."""

from __future__ import annotations

from orchestration import users
from orchestration.errors import PlatformError
from orchestration.service.lifecycle import prepare
from orchestration.settings import Settings
from orchestration.tokens import mint_token, parse_ttl


def add_user(settings: Settings, username: str, role: str, password: str, employee_id: str | None) -> str:
    return users.add_user(prepare(settings), username, role, password, employee_id)


def list_users(settings: Settings) -> list[users.User]:
    return users.list_users(prepare(settings))


def set_disabled(settings: Settings, username: str, disabled: bool) -> None:
    users.set_disabled(prepare(settings), username, disabled)


def set_password(settings: Settings, username: str, password: str) -> None:
    users.set_password(prepare(settings), username, password)


def token(
    settings: Settings, role: str, employee_id: str | None = None, ttl: str = "1h", subject: str | None = None
) -> str:
    """A signed API token (HS256) with the platform's own secret, never with one made up on the spot."""
    if not settings.jwt_secret and not (settings.home / "secrets.env").exists():
        # a token signed with a new secret would be rejected by the platform that runs elsewhere
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
    return mint_token(settings.secrets["jwt"], role, settings.jwt_audience, lifetime, employee_id, subject)


def check_new_user(username: str, role: str, employee_id: str | None) -> str:
    """Refuse a bad name, role or employee before a password is asked for."""
    return users.check_new_user(username, role, employee_id)
