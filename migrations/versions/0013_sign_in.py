"""Sign-in for the dashboards: PostgREST's SQL user management pattern.

- ``auth.users``: username, password hash, the API role and employee_id the session gets, disabled,
  failed attempts, locked until, last sign-in. Not exposed; only ``login_checker`` reads or writes it,
  and the admin connection of ``bi-dash users``.
- Passwords: PBKDF2-HMAC-SHA256 (RFC 8018; the key derivation of PostgreSQL's own SCRAM-SHA-256),
  200,000 iterations, 16-byte random salt, stored as ``pbkdf2-sha256$<iterations>$<salt>$<hash>``
  (base64). Written in SQL over the built-in ``sha256()``: the embedded PostgreSQL (pgserver) ships
  without pgcrypto, so bcrypt is not available there, and one implementation must run on every server.
  The iteration count is stored with each hash: raising it later keeps old hashes valid.
- ``auth.signing_key``: one row, the platform's JWT secret and audience and the session lifetime.
  ``bi-dash`` writes it after every migration (orchestration/runtime/migrate.py) from the same secret
  PostgREST verifies with, so rotating the secret rotates both. Nobody but ``login_checker`` reads it.
- ``api.login(username, password)``: SECURITY DEFINER (owner ``login_checker``, empty search_path),
  executable by ``anon``. Right credentials: ``{token, role, employee_id, username, expires_at}``, a JWT
  (HS256, HMAC-SHA256 in SQL) with claims role, employee_id, aud, iat, exp (≤ 8 h) and sub = username.
  Wrong credentials, an unknown or disabled user: HTTP 401 "wrong username or password" (the same
  answer and about the same time for all three: an unknown name costs one derivation too).
- Throttling: the 5th consecutive failure locks the user for 15 minutes; while locked, even the right
  password gets HTTP 429 with the time it ends. A successful sign-in resets the count. The status and
  the counter are set without raising (``response.status``), so the failed attempt is committed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_FAILURES = 5
LOCK_MINUTES = 15
# what a session may be (the API's request roles that are people, see orchestration/tokens.py)
SESSION_ROLES = ("analyst", "hr", "manager", "employee")
ROLES_WITH_EMPLOYEE = ("manager", "employee")


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


LOGIN = f"""
create function api.login(username text, password text) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  account auth.users;
  signing auth.signing_key;
  issued bigint := floor(extract(epoch from now()));
  expires bigint;
  claims jsonb;
  unsigned text;
begin
  select * into account from auth.users where auth.users.username = lower(trim(login.username)) for update;
  if account.username is null or account.disabled then
    -- the same cost as a known name's check: the answer's time does not tell whether the name exists
    perform auth.hash_password(coalesce(password, ''), '\\x00000000000000000000000000000000');
    perform set_config('response.status', '401', true);
    return jsonb_build_object('message', 'wrong username or password');
  end if;
  if account.locked_until > now() then
    perform set_config('response.status', '429', true);
    return jsonb_build_object(
      'message', 'too many failed sign-ins: try again after ' || to_char(account.locked_until, 'HH24:MI TZ'),
      'locked_until', account.locked_until);
  end if;
  if not auth.password_matches(coalesce(password, ''), account.password_hash) then
    update auth.users
       set failed_attempts = failed_attempts + 1,
           locked_until = case when failed_attempts + 1 >= {MAX_FAILURES}
                               then now() + interval '{LOCK_MINUTES} minutes' end
     where auth.users.username = account.username;
    perform set_config('response.status', '401', true);
    return jsonb_build_object('message', 'wrong username or password');
  end if;
  select * into signing from auth.signing_key;
  if signing.secret is null then
    raise sqlstate 'PT503' using message = 'sign-in is not configured (run bi-dash migrate)';
  end if;
  update auth.users set failed_attempts = 0, locked_until = null, last_login_at = now()
   where auth.users.username = account.username;
  expires := issued + signing.session_seconds;
  claims := jsonb_strip_nulls(jsonb_build_object(
    'role', account.role, 'employee_id', account.employee_id, 'aud', signing.audience,
    'iat', issued, 'exp', expires, 'sub', account.username));
  unsigned := auth.base64url(convert_to('{{"alg":"HS256","typ":"JWT"}}', 'utf8')) || '.'
              || auth.base64url(convert_to(claims::text, 'utf8'));
  return jsonb_build_object(
    'token', unsigned || '.' || auth.base64url(
      auth.hmac_sha256(convert_to(signing.secret, 'utf8'), convert_to(unsigned, 'utf8'))),
    'username', account.username, 'role', account.role, 'employee_id', account.employee_id,
    'expires_at', to_timestamp(expires));
end $$
"""


ITERATIONS = 200_000
FUNCTIONS = (
    "auth.base64url(bytea)",
    "auth.hmac_sha256(bytea, bytea)",
    "auth.pbkdf2_sha256(bytea, bytea, integer)",
    "auth.hash_password(text, bytea, integer)",
    "auth.password_matches(text, text)",
)

# the key's inner and outer pads (RFC 2104)
_PADDED_KEYS = """
  k := case when length(key) > 64 then sha256(key) else key end;
  k := k || decode(repeat('00', 64 - length(k)), 'hex');
  inner_key := k;
  outer_key := k;
  for i in 0..63 loop
    inner_key := set_byte(inner_key, i, get_byte(k, i) # 54);
    outer_key := set_byte(outer_key, i, get_byte(k, i) # 92);
  end loop;
"""

HMAC = f"""
create function auth.hmac_sha256(key bytea, message bytea) returns bytea
language plpgsql immutable strict set search_path = '' as $$
declare
  k bytea;
  inner_key bytea;
  outer_key bytea;
begin
{_PADDED_KEYS}
  return pg_catalog.sha256(outer_key || pg_catalog.sha256(inner_key || message));
end $$
"""

# PBKDF2 with one 32-byte block (dkLen = hLen): T = U1 xor U2 xor … (RFC 8018 §5.2), the xor on bit(256)
PBKDF2 = f"""
create function auth.pbkdf2_sha256(key bytea, salt bytea, iterations integer) returns bytea
language plpgsql immutable strict set search_path = '' as $$
declare
  k bytea;
  inner_key bytea;
  outer_key bytea;
  u bytea;
  t bit(256);
  result text := '';
begin
{_PADDED_KEYS}
  u := pg_catalog.sha256(outer_key || pg_catalog.sha256(inner_key || salt || '\\x00000001'::bytea));
  t := ('x' || encode(u, 'hex'))::bit(256);
  for i in 2..iterations loop
    u := pg_catalog.sha256(outer_key || pg_catalog.sha256(inner_key || u));
    t := t # ('x' || encode(u, 'hex'))::bit(256);
  end loop;
  for n in 0..7 loop
    result := result || lpad(to_hex(substring(t from n * 32 + 1 for 32)::bit(32)::integer), 8, '0');
  end loop;
  return decode(result, 'hex');
end $$
"""

HASH_PASSWORD = f"""
create function auth.hash_password(password text, salt bytea, iterations integer default {ITERATIONS})
returns text language sql immutable strict set search_path = '' as $$
  select 'pbkdf2-sha256$' || iterations || '$' || encode(salt, 'base64') || '$'
         || encode(auth.pbkdf2_sha256(convert_to(password, 'utf8'), salt, iterations), 'base64')
$$
"""

PASSWORD_MATCHES = """
create function auth.password_matches(password text, stored text) returns boolean
language sql immutable strict set search_path = '' as $$
  select split_part(stored, '$', 1) = 'pbkdf2-sha256'
     and auth.hash_password(password, decode(split_part(stored, '$', 3), 'base64'),
                            split_part(stored, '$', 2)::integer) = stored
$$
"""


def upgrade() -> None:
    op.execute(
        """
        do $$ begin
          if not exists (select from pg_roles where rolname = 'login_checker') then
            create role login_checker nologin;
          end if;
        end $$
        """
    )
    op.execute("grant login_checker to current_user")
    op.execute("grant usage on schema auth to login_checker")
    op.execute("grant usage, create on schema api to login_checker")
    op.execute(
        f"""
        create table auth.users (
          username text primary key check (username ~ '^[a-z0-9][a-z0-9._@-]{{1,62}}$'),
          password_hash text not null,
          role text not null check (role in ({_sql_list(SESSION_ROLES)})),
          employee_id text,
          disabled boolean not null default false,
          failed_attempts integer not null default 0,
          locked_until timestamptz,
          last_login_at timestamptz,
          created_at timestamptz not null default now(),
          constraint users_employee_id_for_people check (
            (role in ({_sql_list(ROLES_WITH_EMPLOYEE)})) = (coalesce(employee_id, '') <> '')
          )
        )
        """
    )
    op.execute(
        """
        create table auth.signing_key (
          only_row boolean primary key default true check (only_row),
          secret text not null check (length(secret) >= 32),
          audience text not null,
          session_seconds integer not null check (session_seconds between 60 and 8 * 3600)
        )
        """
    )
    op.execute("revoke all on auth.users, auth.signing_key from public")
    op.execute("grant select, update on auth.users to login_checker")
    op.execute("grant select on auth.signing_key to login_checker")
    op.execute(
        """
        create function auth.base64url(data bytea) returns text
        language sql immutable set search_path = '' as $$
          select translate(rtrim(replace(encode(data, 'base64'), E'\\n', ''), '='), '+/', '-_')
        $$
        """
    )
    for function in (HMAC, PBKDF2, HASH_PASSWORD, PASSWORD_MATCHES):
        op.execute(function)
    for function in FUNCTIONS:
        op.execute(f"revoke execute on function {function} from public")
        op.execute(f"grant execute on function {function} to login_checker")
    op.execute(LOGIN)
    op.execute("alter function api.login(text, text) owner to login_checker")
    op.execute("revoke execute on function api.login(text, text) from public")
    op.execute("grant execute on function api.login(text, text) to anon")
    op.execute(
        "comment on function api.login(text, text) is "
        "'Sign in: a session token (JWT, at most 8 h) for a bi-dash user. 401 on wrong credentials; "
        f"{MAX_FAILURES} failures in a row lock the user for {LOCK_MINUTES} minutes (429).'"
    )


def downgrade() -> None:
    op.execute("drop function if exists api.login(text, text)")
    op.execute("drop table if exists auth.users, auth.signing_key")
    for function in FUNCTIONS:
        op.execute(f"drop function if exists {function}")
    op.execute(
        """
        do $$ begin
          if exists (select from pg_roles where rolname = 'login_checker') then
            execute 'drop owned by login_checker';
            begin
              execute 'drop role login_checker';
            exception when dependent_objects_still_exist then
              raise notice 'role login_checker kept: objects in other databases depend on it';
            end;
          end if;
        end $$
        """
    )
