"""A maximum lifetime for API tokens: a token whose ``exp`` lies further ahead than
``app.settings.jwt_max_ttl_seconds`` (PostgREST passes it from its configuration; bi-dash writes it from
BI_DASH_JWT_MAX_TTL, default 7 days) is refused with 401, like a token without ``exp``. A stolen
token with exp 10^30 is no longer valid forever.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_MAX_TTL_SECONDS = 7 * 24 * 3600

CHECK_REQUEST = f"""
create or replace function auth.check_request() returns void
language plpgsql stable set search_path = '' as $$
declare
  expires numeric := (auth.claims() ->> 'exp')::numeric;
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

PREVIOUS = """
create or replace function auth.check_request() returns void
language plpgsql stable set search_path = '' as $$
begin
  if current_user <> 'anon' and auth.claims() ->> 'exp' is null then
    raise sqlstate 'PT401' using message = 'JWT must expire (no exp claim)';
  end if;
  if current_user in ('manager', 'employee') and coalesce(auth.employee_id(), '') = '' then
    raise sqlstate 'PT401'
      using message = 'JWT of role ' || current_user || ' must carry employee_id';
  end if;
end $$
"""


def upgrade() -> None:
    op.execute(CHECK_REQUEST)


def downgrade() -> None:
    op.execute(PREVIOUS)
