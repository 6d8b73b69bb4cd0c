"""Request checks, claim helpers, the punch RPCs and per-role limits.

- schema ``auth`` (not exposed): ``auth.employee_id()`` reads the JWT claim; ``auth.check_request()``
  runs before every request (PostgREST db-pre-request) and refuses tokens without an expiry.
- ``api.register_punch``, ``api.include_punch``, ``api.disregard_punch`` are SECURITY DEFINER with an
  empty search_path, owned by the NOLOGIN role ``punch_writer`` whose only right is to add rows to
  ``raw.punch_adjustments``; they are executable by the roles that need them, never by PUBLIC.
- statement_timeout per request role (PostgREST applies role settings).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMEOUTS = {"anon": "3s", "analyst": "10s", "hr": "10s", "manager": "5s", "employee": "5s"}


def upgrade() -> None:
    op.execute(
        """
        do $$ begin
          if not exists (select from pg_roles where rolname = 'punch_writer') then
            create role punch_writer nologin;
          end if;
        end $$
        """
    )
    op.execute("grant usage on schema raw to punch_writer")
    op.execute("grant select, insert on raw.punch_adjustments to punch_writer")
    op.execute("grant select on raw.afd_punches, raw.employees to punch_writer")
    op.execute(
        "grant usage on sequence raw.afd_punches_punch_id_seq, raw.punch_adjustments_adjustment_id_seq "
        "to punch_writer"
    )
    op.execute("grant usage, create on schema api to punch_writer")
    op.execute("grant punch_writer to current_user")

    op.execute("create schema auth")
    op.execute(
        "grant usage on schema auth to anon, analyst, hr, manager, employee, authenticator, punch_writer, "
        "transformer"
    )
    op.execute(
        """
        create function auth.claims() returns jsonb language sql stable set search_path = '' as $$
          select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
        $$
        """
    )
    op.execute(
        """
        create function auth.employee_id() returns text language sql stable set search_path = '' as $$
          select auth.claims() ->> 'employee_id'
        $$
        """
    )
    op.execute(
        """
        create function auth.check_request() returns void language plpgsql stable set search_path = '' as $$
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
    )
    op.execute("revoke execute on all functions in schema auth from public")
    op.execute(
        "grant execute on all functions in schema auth to anon, analyst, hr, manager, employee, "
        "authenticator, punch_writer, transformer"
    )

    op.execute(
        """
        create function api.register_punch(employee_id text default null) returns jsonb
        language plpgsql security definer set search_path = '' as $$
        declare
          caller text := auth.employee_id();
          added raw.punch_adjustments;
        begin
          if coalesce(caller, '') = '' then
            raise sqlstate 'PT403' using message = 'register_punch needs a token with employee_id';
          end if;
          if register_punch.employee_id is not null and register_punch.employee_id <> caller then
            raise sqlstate 'PT403' using message = 'register_punch records punches for the caller only';
          end if;
          insert into raw.punch_adjustments (employee_id, action, punched_at, created_by)
          values (caller, 'register', now(), 'web:' || caller)
          returning * into added;
          return jsonb_build_object('punch_id', added.punch_id, 'employee_id', added.employee_id,
                                    'punched_at', added.punched_at, 'status', 'kept', 'source', 'web');
        end $$
        """
    )
    op.execute(
        """
        create function api.include_punch(employee_id text, punched_at timestamptz, reason text) returns jsonb
        language plpgsql security definer set search_path = '' as $$
        declare
          added raw.punch_adjustments;
        begin
          if length(trim(coalesce(reason, ''))) = 0 then
            raise sqlstate 'PT400' using message = 'a reason is mandatory';
          end if;
          if not exists (
            select from raw.employees where raw.employees.employee_id = include_punch.employee_id
          ) then
            raise sqlstate 'PT404' using message = 'no employee ' || include_punch.employee_id;
          end if;
          insert into raw.punch_adjustments (employee_id, action, punched_at, reason, created_by)
          values (include_punch.employee_id, 'include', include_punch.punched_at, trim(reason),
                  'hr:' || coalesce(auth.claims() ->> 'sub', 'unknown'))
          returning * into added;
          return jsonb_build_object('punch_id', added.punch_id, 'employee_id', added.employee_id,
                                    'punched_at', added.punched_at, 'status', 'included',
                                    'reason', added.reason);
        end $$
        """
    )
    op.execute(
        """
        create function api.disregard_punch(punch_id bigint, reason text) returns jsonb
        language plpgsql security definer set search_path = '' as $$
        declare
          owner_id text;
          added raw.punch_adjustments;
        begin
          if length(trim(coalesce(reason, ''))) = 0 then
            raise sqlstate 'PT400' using message = 'a reason is mandatory';
          end if;
          select adjustments.employee_id into owner_id from raw.punch_adjustments as adjustments
          where adjustments.punch_id = disregard_punch.punch_id and adjustments.action <> 'disregard';
          if owner_id is null then
            select employees.employee_id into owner_id
            from raw.afd_punches as punches
            join raw.employees as employees
              on (punches.identifier_kind = 'pis' and employees.pis = punches.identifier)
              or (punches.identifier_kind = 'cpf' and employees.cpf = punches.identifier)
            where punches.punch_id = disregard_punch.punch_id;
          end if;
          if owner_id is null then
            raise sqlstate 'PT404' using message = 'no punch ' || disregard_punch.punch_id;
          end if;
          insert into raw.punch_adjustments (employee_id, action, punch_id, reason, created_by)
          values (owner_id, 'disregard', disregard_punch.punch_id, trim(reason),
                  'hr:' || coalesce(auth.claims() ->> 'sub', 'unknown'))
          returning * into added;
          return jsonb_build_object('punch_id', added.punch_id, 'employee_id', added.employee_id,
                                    'status', 'disregarded', 'reason', added.reason);
        end $$
        """
    )
    for function in (
        "api.register_punch(text)",
        "api.include_punch(text, timestamptz, text)",
        "api.disregard_punch(bigint, text)",
    ):
        op.execute(f"alter function {function} owner to punch_writer")
        op.execute(f"revoke execute on function {function} from public")
    op.execute("grant execute on function api.register_punch(text) to employee, manager")
    op.execute("grant execute on function api.include_punch(text, timestamptz, text) to hr")
    op.execute("grant execute on function api.disregard_punch(bigint, text) to hr")

    for role, timeout in TIMEOUTS.items():
        op.execute(f"alter role {role} set statement_timeout = '{timeout}'")


def downgrade() -> None:
    for role in TIMEOUTS:
        op.execute(f"alter role {role} reset statement_timeout")
    op.execute("drop function if exists api.register_punch(text)")
    op.execute("drop function if exists api.include_punch(text, timestamptz, text)")
    op.execute("drop function if exists api.disregard_punch(bigint, text)")
    op.execute("drop schema if exists auth cascade")
    op.execute(
        """
        do $$ begin
          if exists (select from pg_roles where rolname = 'punch_writer') then
            execute 'drop owned by punch_writer';
            begin
              execute 'drop role punch_writer';
            exception when dependent_objects_still_exist then
              raise notice 'role punch_writer kept: objects in other databases depend on it';
            end;
          end if;
        end $$
        """
    )
