"""``auth.check_request`` (PostgREST's pre-request, run in every request) reads the token's claims
itself instead of calling ``auth.claims()``: every call of a function with a ``SET search_path`` clause
saves and restores the setting, and this one call per request was measured at about a tenth of an
analyst's point lookup (bench/README.md). What the claims are (``request.jwt.claims`` as jsonb, empty
when unset) is still written once: ``CLAIMS`` below defines both functions. The checks are 0012's,
unchanged: its text with the exp claim read in place.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMS = "coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb"

AUTH_CLAIMS = f"""
create or replace function auth.claims() returns jsonb language sql stable set search_path = '' as $$
  select {CLAIMS}
$$
"""


def _check_request_of_0012() -> str:
    path = Path(__file__).with_name("0012_token_lifetime.py")
    spec = importlib.util.spec_from_file_location("token_lifetime", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot read {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.CHECK_REQUEST)


EXP_BY_CALL = "(auth.claims() ->> 'exp')"


def upgrade() -> None:
    previous = _check_request_of_0012()
    if EXP_BY_CALL not in previous:
        raise RuntimeError("0012's check no longer reads exp through auth.claims()")
    op.execute(AUTH_CLAIMS)
    op.execute(previous.replace(EXP_BY_CALL, f"({CLAIMS} ->> 'exp')"))


def downgrade() -> None:
    op.execute(_check_request_of_0012())
