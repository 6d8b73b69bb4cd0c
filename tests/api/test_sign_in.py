"""Sign-in (POST /rpc/login, migration 0013) through the real PostgREST: the session token is signed
inside PostgreSQL with the platform secret, and the API accepts it like any other token."""

import hashlib
import time
import uuid

import httpx
import jwt
import psycopg
import pytest

from orchestration.errors import PlatformError
from orchestration.users import add_user, list_users, set_disabled, set_password
from tests.conftest import Platform

pytestmark = pytest.mark.api


def _user(
    platform: Platform, role: str, employee_id: str | None = None, password: str = "right-pass-1"
) -> str:
    return add_user(platform.admin, f"u{uuid.uuid4().hex[:10]}", role, password, employee_id)


def _login(platform: Platform, username: str, password: str) -> httpx.Response:
    return httpx.post(
        platform.api_url + "/rpc/login", json={"username": username, "password": password}, timeout=60
    )


def test_right_credentials_give_a_token_the_api_accepts_with_the_users_role(platform: Platform) -> None:
    name = _user(platform, "employee", "E1")
    answer = _login(platform, name.upper() + " ", "right-pass-1")  # the name is case- and space-blind
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["role"] == "employee" and body["employee_id"] == "E1" and body["username"] == name
    claims = jwt.decode(
        body["token"], platform.settings.secrets["jwt"], algorithms=["HS256"], audience="bi-dash"
    )
    assert claims["role"] == "employee" and claims["employee_id"] == "E1" and claims["sub"] == name
    assert 0 < claims["exp"] - time.time() <= 8 * 3600 and claims["exp"] - claims["iat"] == 8 * 3600
    rows = httpx.get(
        platform.api_url + "/timesheet_daily",
        headers={"Authorization": f"Bearer {body['token']}"},
        timeout=60,
    ).json()
    assert rows and {row["employee_id"] for row in rows} == {"E1"}


def test_wrong_password_unknown_and_disabled_users_get_the_same_401(platform: Platform) -> None:
    name = _user(platform, "analyst")
    disabled = _user(platform, "analyst")
    set_disabled(platform.admin, disabled, True)
    answers = [
        _login(platform, name, "wrong-pass"),
        _login(platform, "nobody-" + uuid.uuid4().hex[:6], "right-pass-1"),
        _login(platform, disabled, "right-pass-1"),
    ]
    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert {answer.json()["message"] for answer in answers} == {"wrong username or password"}
    assert all("token" not in answer.json() for answer in answers)


def test_five_failures_in_a_row_lock_the_user_for_15_minutes(platform: Platform) -> None:
    name = _user(platform, "hr")
    assert _login(platform, name, "wrong-pass").status_code == 401
    assert _login(platform, name, "right-pass-1").status_code == 200  # a success resets the count
    for _ in range(5):
        assert _login(platform, name, "wrong-pass").status_code == 401
    locked = _login(platform, name, "right-pass-1")
    assert locked.status_code == 429 and "try again after" in locked.json()["message"]
    user = next(user for user in list_users(platform.admin) if user.username == name)
    assert user.failed_attempts == 5 and user.locked_until is not None
    assert 14 * 60 < user.locked_until.timestamp() - time.time() <= 15 * 60
    set_password(platform.admin, name, "new-pass-22")  # an administrator lifts the lock
    assert _login(platform, name, "new-pass-22").status_code == 200


def test_passwords_are_stored_as_salted_pbkdf2_hashes(platform: Platform) -> None:
    first, second = _user(platform, "analyst"), _user(platform, "analyst")
    with platform.admin.connect() as conn:
        stored = dict(
            conn.execute(
                "select username, password_hash from auth.users where username in (%s, %s)", (first, second)
            ).fetchall()
        )
    assert stored[first] != stored[second]  # same password, different salts
    scheme, iterations, salt, digest = stored[first].split("$")
    # the same derivation computed independently (Python's hashlib): RFC 8018 PBKDF2-HMAC-SHA256
    import base64

    expected = hashlib.pbkdf2_hmac("sha256", b"right-pass-1", base64.b64decode(salt), int(iterations))
    assert scheme == "pbkdf2-sha256" and int(iterations) >= 200_000
    assert base64.b64decode(digest) == expected


def test_no_request_role_reads_users_or_the_signing_key(platform: Platform) -> None:
    with psycopg.connect(platform.admin.url(), autocommit=True) as conn:
        for role in ("anon", "analyst", "hr", "manager", "employee", "authenticator"):
            for table in ("auth.users", "auth.signing_key"):
                conn.execute(f"set role {role}")
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"select * from {table}")
                conn.execute("reset role")


def test_users_need_a_valid_role_employee_and_password(platform: Platform) -> None:
    with pytest.raises(PlatformError, match="needs --employee-id"):
        add_user(platform.admin, "someone", "employee", "long-enough-1")
    with pytest.raises(PlatformError, match="takes no --employee-id"):
        add_user(platform.admin, "someone", "analyst", "long-enough-1", "E1")
    with pytest.raises(PlatformError, match="no employee E404"):
        add_user(platform.admin, "someone", "employee", "long-enough-1", "E404")
    with pytest.raises(PlatformError, match="too short"):
        add_user(platform.admin, "someone", "analyst", "short")
    with pytest.raises(PlatformError, match="unknown role"):
        add_user(platform.admin, "someone", "anon", "long-enough-1")
