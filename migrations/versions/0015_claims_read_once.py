"""``auth.check_request`` (PostgREST's pre-request, run in every request) reads the token's claims
itself instead of calling ``auth.claims()``: every call of a function with a ``SET search_path`` clause
saves and restores the setting, and this one call per request was measured at about a tenth of an
analyst's point lookup (bench/README.md). What the claims are (``request.jwt.claims`` as jsonb, empty
when unset) is still written once: ``CLAIMS`` below defines both functions. The checks are unchanged
(0012).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_MAX_TTL_SECONDS = 7 * 24 * 3600  # as in 0012: app.settings.jwt_max_ttl_seconds when unset

CLAIMS = "coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{}')::jsonb"

AUTH_CLAIMS = f"""
create or replace function auth.claims() returns jsonb language sql stable set search_path = '' as $$
  select {CLAIMS}
$$
"""


def check_request(expires: str) -> str:
    """The pre-request check, ``expires`` the expression of the token's exp claim."""
    return f"""
create or replace function auth.check_request() returns void
language plpgsql stable set search_path = '' as $$
declare
  expires numeric := ({expires} ->> 'exp')::numeric;
  longest numeric := coalesce(
    nullif(current_setting('app.settings.jwt_max_ttl_seconds', true), '')::numeric, {DEFAULT_MAX_TTL_SECONDS}
  );
begin
  if current_user <> 'anon' and expires is null then
    raise sqlstate 'PT401' using message = 'JWT must expire (no exp claim)';
  end if;
  if current_user <> 'anon' and expires - extract(epoch from now()) > longest then
    raise sqlstate 'PT401' using message = 'JWT lives too long (at most ' || longest || ' seconds from now)';
  end if;
  if current_user in ('manager', 'employee') and coalesce(auth.employee_id(), '') = '' then
    raise sqlstate 'PT401'
      using message = 'JWT of role ' || current_user || ' must carry employee_id';
  end if;
end $$
"""


def upgrade() -> None:
    op.execute(AUTH_CLAIMS)
    op.execute(check_request(CLAIMS))


def downgrade() -> None:
    op.execute(check_request("auth.claims()"))
