"""API tokens (HS256 JWT, as PostgREST verifies them): claims role, employee_id, aud and exp."""

from __future__ import annotations

import datetime as dt
import re

import jwt

from api_contracts.vocabulary import REQUEST_ROLES, ROLES_WITH_EMPLOYEE
from orchestration.errors import PlatformError

_TTL = re.compile(r"^(\d+)([smhd])$")


def parse_ttl(text: str) -> dt.timedelta:
    """'90s', '15m', '1h', '7d' → timedelta."""
    match = _TTL.match(text.strip())
    if not match:
        raise PlatformError(f"bad --ttl {text!r}: use a number and s, m, h or d (e.g. 1h)")
    amount, unit = int(match[1]), match[2]
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit] * amount
    if seconds <= 0:
        raise PlatformError("--ttl must be positive")
    return dt.timedelta(seconds=seconds)


def mint_token(
    secret: str,
    role: str,
    audience: str,
    ttl: dt.timedelta,
    employee_id: str | None = None,
    subject: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    if role not in REQUEST_ROLES:
        raise PlatformError(f"unknown role {role!r} (one of {', '.join(REQUEST_ROLES)})")
    if role in ROLES_WITH_EMPLOYEE and not employee_id:
        raise PlatformError(f"role {role} needs --employee-id")
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, object] = {
        "role": role,
        "aud": audience,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "sub": subject or (employee_id or role),
    }
    if employee_id:
        claims["employee_id"] = employee_id
    return jwt.encode(claims, secret, algorithm="HS256")
