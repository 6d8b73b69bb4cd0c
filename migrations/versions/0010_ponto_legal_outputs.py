"""The legal outputs of controle_ponto (Portaria MTP 671/2021): the employer's identification, job
titles, and the functions behind the AEJ (art. 83) and the Espelho de Ponto (art. 84).

- ``raw.employers``: who the employer is (CNPJ or CPF, name, CAEPF, CNO) and who develops the
  time-keeping program (PTRP) named in the AEJ; loaded by ``bi-dash ingest employer FILE``.
- ``raw.employees.job_title``: the worker's function, printed on the Espelho.
- ``api."text/plain"``: a media-type domain over bytea, so PostgREST returns the AEJ's ISO-8859-1 bytes
  as they are when asked for ``Accept: text/plain``.
- ``api.aej(date_from, date_to, employee_id)``: the AEJ file of a period, for HR (PostgREST and
  ``bi-dash export aej`` run the same function).
- ``api.espelho(employee_id, month)``: the Espelho's content as JSON, for the employee, their manager and
  HR (row-level security decides); ``bi-dash export espelho`` and the web service render it as PDF.
- ``audit.published_models``: the definition (fingerprint) of each incremental model of the published
  build, so that a refresh rebuilds from scratch the incremental state an upgrade made obsolete.

The functions run as the caller and read the api views the dbt build publishes (``api.treated_punches``,
``api.work_timetables``, ``api.employer``, ``api.timesheet_daily`` …) by name when called, so they
always read the published build, through the same row-level security as the API; only the worker's
CPF/PIS on the Espelho comes from ``documents.worker_identification`` (security definer), once row-level
security has said the caller may see that worker. tests/api/test_ponto_outputs.py pins them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AEJ = r"""
create function api.aej(date_from date, date_to date, employee_id text default null)
returns api."text/plain"
language plpgsql stable set search_path = '' as $$
declare
  employer record;
  result text;
  generated_at timestamptz := now();
  generated_text text;
  offset_minutes integer;
  file_name text;
begin
  if date_from is null or date_to is null or date_to < date_from then
    raise sqlstate 'PT400' using message = 'date_to must be on or after date_from';
  end if;
  if date_to - date_from > 366 then
    raise sqlstate 'PT400' using message = 'an AEJ covers at most one year (366 days)';
  end if;
  select * into employer from api.employer limit 1;
  if employer is null then
    raise sqlstate 'PT409'
      using message = 'no employer identification: load it with bi-dash ingest employer FILE';
  end if;
  offset_minutes := extract(epoch from (generated_at at time zone employer.time_zone)
                                       - (generated_at at time zone 'UTC'))::integer / 60;
  generated_text := to_char(generated_at at time zone employer.time_zone, 'YYYY-MM-DD"T"HH24:MI":00"')
    || case when offset_minutes < 0 then '-' else '+' end
    || to_char(abs(offset_minutes) / 60, 'FM00') || to_char(mod(abs(offset_minutes), 60), 'FM00');
  with
  links as (
    select
      dense_rank() over (order by e.cpf, e.employee_id) as link_id,
      e.employee_id, e.cpf, e.name, e.timezone
    from api.employees as e
    where e.cpf is not null
      and (aej.employee_id is null or e.employee_id = aej.employee_id)
      and exists (
        select from api.timesheet_daily as d
        where d.employee_id = e.employee_id and d.work_date between date_from and date_to
      )
  ),
  jornadas as (
    select d.employee_id, d.jornada_number
    from api.timesheet_daily as d
    join links on links.employee_id = d.employee_id
    where d.work_date between date_from and date_to and d.jornada_number is not null
  ),
  marks as (
    select links.link_id, t.*
    from api.treated_punches as t
    join jornadas on jornadas.employee_id = t.employee_id and jornadas.jornada_number = t.jornada_number
    join links on links.employee_id = t.employee_id
  ),
  reps as (
    select dense_rank() over (order by rep_type, rep_number) as rep_id, rep_number, rep_type
    from (select distinct rep_number, rep_type from marks where rep_number is not null) as used
  ),
  timetables as (
    select distinct w.timetable_code, w.duration_minutes, w.boundaries
    from api.work_timetables as w
    where w.timetable_code in (select timetable_code from marks where timetable_code is not null)
    union
    select 'SEM_HORARIO', 0, array['0000', '0000']
    where exists (select from marks where timetable_code = 'SEM_HORARIO')
  ),
  day_moves as (
    select links.link_id, d.*
    from api.timesheet_daily as d
    join links on links.employee_id = d.employee_id
    where d.work_date between date_from and date_to
  ),
  rest_days as (
    -- weekly rest (DSR): days the schedule has no work, without punches
    select links.link_id, day::date as work_date
    from links
    join api.employees as e on e.employee_id = links.employee_id
    cross join generate_series(date_from, date_to, interval '1 day') as day
    where e.schedule_code is not null
      and day::date >= coalesce(e.hired_at, date_from)
      and not exists (
        select from api.work_timetables as w
        where w.schedule_code = e.schedule_code and w.weekday = extract(isodow from day)::integer
      )
      and not exists (
        select from api.timesheet_daily as d
        where d.employee_id = links.employee_id and d.work_date = day::date
      )
  ),
  lines as (
    select 1 as record_order, 0::bigint as k1, 0::bigint as k2, null::timestamptz as k3, 0 as k4,
      concat_ws('|', '01', employer.employer_id_type, employer.employer_id, coalesce(employer.caepf, ''),
        coalesce(employer.cno, ''), employer.aej_employer_name, to_char(date_from, 'YYYY-MM-DD'),
        to_char(date_to, 'YYYY-MM-DD'), generated_text, '001') as line
    union all
    select 2, rep_id, 0, null, 0,
      concat_ws('|', '02', rep_id,
        case rep_type when 'rep_p' then '3' when 'rep_a' then '2' else '1' end,
        lpad(regexp_replace(rep_number, '\D', '', 'g'), 17, '0'))
    from reps
    union all
    select 3, link_id, 0, null, 0,
      concat_ws('|', '03', link_id, cpf, left(regexp_replace(name, '[|\r\n]', ' ', 'g'), 150))
    from links
    union all
    select 4, 0, 0, null, row_number() over (order by timetable_code)::integer,
      concat_ws('|', '04', timetable_code, duration_minutes,
        array_to_string(
          boundaries || case when cardinality(boundaries) < 4 then array['', ''] else '{}'::text[] end, '|'
        ))
    from timetables
    union all
    select 5, marks.link_id, 0, marks.punched_at, marks.marker_order,
      concat_ws('|', '05', marks.link_id, marks.local_date_time, coalesce(reps.rep_id::text, ''),
        marks.marker, lpad(marks.pair_number::text, 3, '0'), marks.source_code,
        case when marks.marker = 'E' and marks.pair_number = 1 then marks.timetable_code else '' end,
        case when marks.marker = 'D' or marks.source_code = 'I' then marks.aej_reason else '' end)
    from marks
    left join reps on reps.rep_number = marks.rep_number and reps.rep_type = marks.rep_type
    union all
    select 7, link_id, 1, work_date::timestamptz, 0,
      concat_ws('|', '07', link_id, '1', to_char(work_date, 'YYYY-MM-DD'), '', '')
    from rest_days
    union all
    select 7, link_id, 2, work_date::timestamptz, 0,
      concat_ws('|', '07', link_id, '2', to_char(work_date, 'YYYY-MM-DD'), round(expected_minutes)::text,
        '')
    from day_moves
    where is_absent and absence_category is null
    union all
    select 7, link_id, 3, work_date::timestamptz, jornada_of_day::integer,
      concat_ws('|', '07', link_id, '3', to_char(work_date, 'YYYY-MM-DD'),
        round(abs(balance_minutes))::text, case when balance_minutes > 0 then '1' else '2' end)
    from day_moves
    where balance_minutes <> 0
    union all
    select 8, 0, 0, null, 0,
      concat_ws('|', '08', employer.program_name, employer.program_version, employer.developer_id_type,
        employer.developer_id, employer.aej_developer_name, employer.aej_developer_email)
  ),
  counted as (
    select record_order, count(*) as records from lines group by record_order
  ),
  trailer as (
    select 99 as record_order, 0::bigint, 0::bigint, null::timestamptz, 0,
      '99|' || string_agg(coalesce(counted.records, 0)::text, '|' order by types.record_order) as line
    from generate_series(1, 8) as types (record_order)
    left join counted on counted.record_order = types.record_order
  )
  select string_agg(line || E'\r\n', '' order by record_order, k1, k2, k3, k4, line)
    || rpad('ASSINATURA_DIGITAL_EM_ARQUIVO_P7S', 100) || E'\r\n'
  into result
  from (select * from lines union all select * from trailer) as everything;
  file_name := 'AEJ_' || employer.employer_id || '_' || to_char(date_from, 'YYYYMMDD') || '_'
    || to_char(date_to, 'YYYYMMDD') || '.txt';
  perform set_config('response.headers', json_build_array(
    json_build_object('Content-Type', 'text/plain; charset=iso-8859-1'),
    json_build_object('Content-Disposition', 'attachment; filename="' || file_name || '"')
  )::text, true);
  -- the file is ISO-8859-1: characters outside it become '?'
  return convert_to(regexp_replace(result, '[^\u0001-\u00ff]', '?', 'g'), 'LATIN1');
end $$
"""

ESPELHO = r"""
create function api.espelho(employee_id text, month date) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  first_day date := date_trunc('month', month)::date;
  last_day date := (date_trunc('month', month) + interval '1 month - 1 day')::date;
  result jsonb;
begin
  -- who may see whom is row-level security's answer (the employee, their manager, HR)
  if not exists (select from api.employees as e where e.employee_id = espelho.employee_id) then
    raise sqlstate 'PT404'
      using message = 'no employee ' || coalesce(espelho.employee_id, 'null') || ' you may see';
  end if;
  select jsonb_build_object(
    'issued_at', now(),
    'period', jsonb_build_object('from', first_day, 'to', last_day),
    'employer', (
      select to_jsonb(employer) - 'developer_email' - 'aej_employer_name' - 'aej_developer_name'
        - 'aej_developer_email'
      from api.employer as employer limit 1
    ),
    'employee', (
      select jsonb_build_object('employee_id', e.employee_id, 'name', e.name, 'hired_at', e.hired_at,
        'job_title', e.job_title, 'department', e.department, 'schedule_code', e.schedule_code,
        'timezone', e.timezone) || documents.worker_identification(e.employee_id)
      from api.employees as e where e.employee_id = espelho.employee_id
    ),
    'timetables', coalesce((
      select jsonb_agg(jsonb_build_object('timetable_code', w.timetable_code, 'weekdays', w.weekday_names,
        'duration_minutes', w.duration_minutes, 'boundaries', w.boundaries) order by w.timetable_code)
      from (
        select distinct on (w.timetable_code) w.timetable_code, w.duration_minutes, w.boundaries,
          w.weekday_names
        from api.work_timetables as w
        join api.employees as e on e.schedule_code = w.schedule_code
        where e.employee_id = espelho.employee_id
      ) as w
    ), '[]'::jsonb),
    'days', coalesce((
      select jsonb_agg(to_jsonb(d) || jsonb_build_object('marks', coalesce((
          select jsonb_agg(jsonb_build_object('at', t.local_date_time, 'marker', t.marker,
            'pair_number', t.pair_number, 'source', t.source_code, 'reason', t.reason, 'punch_id', t.punch_id,
            'rep_number', t.rep_number, 'nsr', t.nsr) order by t.punched_at, t.marker_order)
          from api.treated_punches as t
          where t.employee_id = d.employee_id and t.jornada_number = d.jornada_number
        ), '[]'::jsonb)) order by d.work_date, d.jornada_of_day)
      from api.timesheet_daily as d
      where d.employee_id = espelho.employee_id and d.work_date between first_day and last_day
    ), '[]'::jsonb),
    'totals', (
      select to_jsonb(m) from api.timesheet_monthly as m
      where m.employee_id = espelho.employee_id and m.month = first_day
    )
  ) into result;
  return result;
end $$
"""

# The worker's CPF and PIS are granted to HR only, column by column; the Espelho of a worker the caller
# may see (api.espelho checks that first, through row-level security) must still print them.
WORKER_IDENTIFICATION = r"""
create function documents.worker_identification(employee_id text) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
begin
  return (
    select jsonb_build_object('cpf', e.cpf, 'pis', e.pis)
    from marts.dim_employees as e where e.employee_id = worker_identification.employee_id
  );
end $$
"""


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("employer_id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("caepf", sa.Text()),
        sa.Column("cno", sa.Text()),
        sa.Column("time_zone", sa.Text(), nullable=False, server_default=sa.text("'America/Sao_Paulo'")),
        sa.Column("developer_id", sa.Text()),
        sa.Column("developer_name", sa.Text()),
        sa.Column("developer_email", sa.Text()),
        sa.Column("file_id", sa.BigInteger(), sa.ForeignKey("raw.ingested_files.file_id"), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        # CNPJ (14 digits) or CPF (11): the AEJ's tpIdtEmpregador follows from the length
        sa.CheckConstraint(
            "employer_id ~ '^([0-9]{11}|[0-9]{14})$'", name=op.f("ck_employers_employer_id_digits")
        ),
        sa.CheckConstraint(
            "developer_id is null or developer_id ~ '^([0-9]{11}|[0-9]{14})$'",
            name=op.f("ck_employers_developer_id_digits"),
        ),
        schema="raw",
    )
    op.create_index(op.f("ix_employers_file_id"), "employers", ["file_id"], schema="raw")
    op.create_table(
        "published_models",
        sa.Column("model", sa.Text(), primary_key=True),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column(
            "published_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        schema="audit",
    )
    op.execute("grant select, insert, update, delete on audit.published_models to transformer")
    op.execute("alter table audit.published_models enable row level security")
    op.execute(
        "create policy writer on audit.published_models for all to transformer using (true) with check (true)"
    )
    op.add_column("employees", sa.Column("job_title", sa.Text(), nullable=True), schema="raw")
    op.execute('create domain api."text/plain" as bytea')
    op.execute("create schema documents")
    op.execute("comment on schema documents is 'Helpers of the legal documents (not exposed)'")
    op.execute("grant usage on schema documents to hr, manager, employee")
    # as written (SQLAlchemy's text() would read ":00" in the date-time formats as a bind parameter)
    for function in (WORKER_IDENTIFICATION, AEJ, ESPELHO):
        op.get_bind().exec_driver_sql(function)
    op.execute("alter function documents.worker_identification(text) owner to transformer")
    op.execute("revoke execute on function documents.worker_identification(text) from public")
    op.execute("grant execute on function documents.worker_identification(text) to hr, manager, employee")
    op.execute("revoke execute on function api.aej(date, date, text) from public")
    op.execute("grant execute on function api.aej(date, date, text) to hr")
    op.execute("revoke execute on function api.espelho(text, date) from public")
    op.execute("grant execute on function api.espelho(text, date) to hr, manager, employee")


def downgrade() -> None:
    op.drop_table("published_models", schema="audit")
    op.execute("drop function if exists api.espelho(text, date)")
    op.execute("drop schema if exists documents cascade")
    op.execute("drop function if exists api.aej(date, date, text)")
    op.execute('drop domain if exists api."text/plain"')
    op.drop_column("employees", "job_title", schema="raw")
    op.drop_table("employers", schema="raw")
