"""Dashboard users (``auth.users``, migration 0013): who may sign in, as which API role.

Passwords are hashed inside PostgreSQL (``auth.hash_password``, PBKDF2-HMAC-SHA256, migration 0013)
with a random salt from here, and never stored or logged in clear; callers pass them in from a prompt
or stdin, never from the command line.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from api_contracts.vocabulary import ROLES_WITH_EMPLOYEE, SESSION_ROLES
from orchestration.errors import PlatformError
from orchestration.runtime.database import ConnectionInfo

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,62}$")
MIN_PASSWORD = 8

# the demo's people, one per role: the manager and the employee are the first manager of the demo's
# registry and the first member of that manager's team
DEMO_USERS = (("analista", "analyst"), ("rh", "hr"), ("gestor", "manager"), ("colaborador", "employee"))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    employee_id: str | None
    disabled: bool
    failed_attempts: int
    locked_until: Any
    last_login_at: Any


def check_new_user(username: str, role: str, employee_id: str | None) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise PlatformError(
            f"bad username {username!r}: 2-63 characters, lower-case letters, digits and . _ @ -"
        )
    if role not in SESSION_ROLES:
        raise PlatformError(f"unknown role {role!r} (one of {', '.join(SESSION_ROLES)})")
    if (role in ROLES_WITH_EMPLOYEE) != bool(employee_id):
        needs = "needs --employee-id" if role in ROLES_WITH_EMPLOYEE else "takes no --employee-id"
        raise PlatformError(f"role {role} {needs}")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise PlatformError(f"the password is too short (at least {MIN_PASSWORD} characters)")
    return password


def add_user(
    admin: ConnectionInfo, username: str, role: str, password: str, employee_id: str | None = None
) -> str:
    name = check_new_user(username, role, employee_id)
    check_password(password)
    with admin.connect() as conn:

        def exists(query: str, value: str) -> bool:
            row = conn.execute(f"select exists ({query})", (value,)).fetchone()
            return bool(row and row[0])

        if employee_id and not exists("select from raw.employees where employee_id = %s", employee_id):
            raise PlatformError(f"no employee {employee_id} (load it first: bi-dash ingest employees)")
        if exists("select from auth.users where username = %s", name):
            raise PlatformError(
                f"user {name} exists (bi-dash users set-password {name} changes its password)"
            )
        conn.execute(
            "insert into auth.users (username, password_hash, role, employee_id)"
            " values (%s, auth.hash_password(%s, %s), %s, %s)",
            (name, password, secrets.token_bytes(16), role, employee_id),
        )
    return name


def set_password(admin: ConnectionInfo, username: str, password: str) -> None:
    check_password(password)
    _update(
        admin,
        username,
        "password_hash = auth.hash_password(%s, %s), failed_attempts = 0, locked_until = null",
        (password, secrets.token_bytes(16)),
    )


def set_disabled(admin: ConnectionInfo, username: str, disabled: bool) -> None:
    _update(admin, username, "disabled = %s", (disabled,))


def _update(admin: ConnectionInfo, username: str, assignments: str, values: tuple[Any, ...]) -> None:
    with admin.connect() as conn:
        changed = conn.execute(
            f"update auth.users set {assignments} where username = %s",  # fixed text
            (*values, username.strip().lower()),
        ).rowcount
    if not changed:
        raise PlatformError(f"no user {username} (bi-dash users list shows them)")


def list_users(admin: ConnectionInfo) -> list[User]:
    with admin.connect() as conn:
        rows = conn.execute(
            "select username, role, employee_id, disabled, failed_attempts, locked_until, last_login_at"
            " from auth.users order by username"
        ).fetchall()
    return [User(*row) for row in rows]


def add_demo_users(admin: ConnectionInfo) -> list[tuple[str, str, str, str | None]]:
    """One user per role with a fresh random password each (never a fixed one: a demo left running
    on a shared machine is not an open door). Returns (username, password, role, employee_id)."""
    with admin.connect() as conn:
        team = conn.execute(
            "select manager_id, min(employee_id) from raw.employees where coalesce(manager_id, '') <> ''"
            " group by manager_id order by manager_id limit 1"
        ).fetchone()
    if team is None:
        raise PlatformError("the demo's employees have no manager: no demo users for manager and employee")
    people = {"manager": team[0], "employee": team[1]}
    created = []
    for username, role in DEMO_USERS:
        employee_id = people.get(role)
        password = secrets.token_urlsafe(9)
        add_user(admin, username, role, password, employee_id)
        created.append((username, password, role, employee_id))
    return created
