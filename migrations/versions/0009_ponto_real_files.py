"""controle_ponto on real REP exports: NSR runs and conflicts, CRC algorithm, REP-P hashes, registry
links, HR confirmations, absences and their justification (abono), and the punch walk of the engine.

- ``raw.afd_punches``: ``crc_algorithm`` (which CRC-16 matched), ``record_hash`` (REP-P type 7) and
  ``nsr_run_started_at``; an NSR is unique per REP and NSR run (a clock that restarts its NSR count opens
  a new run), so the key becomes (rep_number, nsr_run_started_at, nsr). Rows that broke the new key in
  an existing database are moved to the quarantine (the first load wins).
- ``raw.afd_records``: the same run column and key for numbered records (nsr > 0); copies left by
  reloads under other line endings are removed.
- ``raw.afd_rep_runs``: where each REP restarted its NSR count.
- ``raw.quarantine.category``: a machine-readable kind of problem (nsr_conflict, nsr_gap, ...).
- ``raw.employee_links``: people registered from AFD type-5 records and later linked to the registry.
- ``raw.punch_adjustments``: action ``confirm`` (HR confirms a jornada that needs review).
- ``raw.absence_categories`` and ``raw.absence_justifications``: the abono of an absence.
- schema ``engine`` with ``engine.punch_walk``: the sequential walk of CLT rules 1-2 (duplicates and
  jornadas) as a window aggregate, so the dbt build stays linear in the punches whatever their shape.
- RPCs ``api.confirm_jornada`` and ``api.justify_absence`` for HR.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, Portuguese label, English label (the vocabulary of justified absences)
ABSENCE_CATEGORIES = (
    ("medical_certificate", "Atestado médico", "Medical certificate"),
    ("legal_leave", "Licença legal (CLT art. 473)", "Legal leave (CLT art. 473)"),
    ("vacation", "Férias", "Vacation"),
    ("time_off_in_lieu", "Folga compensatória", "Time off in lieu"),
    ("other", "Outro motivo aceito pela empresa", "Other reason accepted by the employer"),
)
CRC_ALGORITHMS = ("modbus", "ccitt_false", "kermit")


def upgrade() -> None:
    # --- NSR runs --------------------------------------------------------------------------------
    op.create_table(
        "afd_rep_runs",
        sa.Column("rep_number", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_id", sa.BigInteger(), sa.ForeignKey("raw.ingested_files.file_id"), nullable=True),
        sa.Column("line_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("rep_number", "started_at", name=op.f("pk_afd_rep_runs")),
        schema="raw",
    )
    op.create_index(op.f("ix_afd_rep_runs_file_id"), "afd_rep_runs", ["file_id"], schema="raw")
    op.add_column("quarantine", sa.Column("category", sa.Text(), nullable=True), schema="raw")
    op.create_index(op.f("ix_quarantine_category"), "quarantine", ["category"], schema="raw")
    for table in ("afd_punches", "afd_records"):
        op.add_column(
            table,
            sa.Column(
                "nsr_run_started_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("'-infinity'"),
            ),
            schema="raw",
        )
    op.add_column("afd_punches", sa.Column("crc_algorithm", sa.Text(), nullable=True), schema="raw")
    op.add_column("afd_punches", sa.Column("record_hash", sa.Text(), nullable=True), schema="raw")
    op.create_check_constraint(
        op.f("ck_afd_punches_crc_algorithm"),
        "afd_punches",
        "crc_algorithm in (" + ", ".join(f"'{name}'" for name in CRC_ALGORITHMS) + ")",
        schema="raw",
    )
    # punches that break "one NSR per REP" in an existing database: the first load wins, the others
    # go to the quarantine with both places named (nothing is lost)
    op.execute(
        """
        with ranked as (
            select punch_id, rep_number, nsr, file_id, line_number,
                   first_value(file_id) over clock as first_file_id,
                   first_value(line_number) over clock as first_line_number,
                   row_number() over clock as rank
            from raw.afd_punches
            window clock as (partition by rep_number, nsr order by loaded_at, punch_id)
        ),
        moved as (
            insert into raw.quarantine
                (file_id, source, file_name, line_number, raw_text, reason, kind, category)
            select ranked.file_id, 'afd', files.file_name, coalesce(ranked.line_number, 0),
                   'punch ' || ranked.punch_id,
                   'NSR conflict: NSR ' || ranked.nsr || ' of REP ' || ranked.rep_number
                   || ' was first loaded from ' || coalesce(first.file_name, '?') || ' line '
                   || coalesce(ranked.first_line_number::text, '?') || ' with other content'
                   || ' (found when upgrading; the first load wins)',
                   'rejected', 'nsr_conflict'
            from ranked
            join raw.ingested_files as files on files.file_id = ranked.file_id
            left join raw.ingested_files as first on first.file_id = ranked.first_file_id
            where ranked.rank > 1
            returning 1
        )
        delete from raw.afd_punches where punch_id in (select punch_id from ranked where rank > 1)
        """
    )
    op.drop_constraint(op.f("uq_afd_punches_rep_number_nsr_punched_at"), "afd_punches", schema="raw")
    op.create_unique_constraint(
        op.f("uq_afd_punches_rep_number_nsr_run_started_at_nsr"),
        "afd_punches",
        ["rep_number", "nsr_run_started_at", "nsr"],
        schema="raw",
    )
    # copies of the same numbered record (a reload under other line endings) are one record
    op.execute(
        """
        delete from raw.afd_records as copy using raw.afd_records as first
        where copy.nsr > 0 and first.nsr = copy.nsr and first.rep_number = copy.rep_number
          and first.record_id < copy.record_id
        """
    )
    op.create_index(
        op.f("ix_afd_records_rep_number_nsr_run_started_at_nsr"),
        "afd_records",
        ["rep_number", "nsr_run_started_at", "nsr"],
        unique=True,
        schema="raw",
        postgresql_where=sa.text("nsr > 0"),
    )

    # --- the registry and AFD identities -----------------------------------------------------------
    op.create_table(
        "employee_links",
        sa.Column("afd_employee_id", sa.Text(), nullable=False),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("identifier_kind", sa.Text(), nullable=False),
        sa.Column("file_id", sa.BigInteger(), sa.ForeignKey("raw.ingested_files.file_id"), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("afd_employee_id", name=op.f("pk_employee_links")),
        schema="raw",
    )
    op.create_index(op.f("ix_employee_links_file_id"), "employee_links", ["file_id"], schema="raw")

    # --- HR: confirmations and justified absences ------------------------------------------------
    op.drop_constraint(op.f("ck_punch_adjustments_action"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_action"),
        "punch_adjustments",
        "action in ('register', 'include', 'disregard', 'confirm')",
        schema="raw",
    )
    op.drop_constraint(op.f("ck_punch_adjustments_punch_time"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_punch_time"),
        "punch_adjustments",
        "action in ('disregard', 'confirm') or punched_at is not null",
        schema="raw",
    )
    op.drop_constraint(op.f("ck_punch_adjustments_disregarded_punch"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_disregarded_punch"),
        "punch_adjustments",
        "action not in ('disregard', 'confirm') or punch_id is not null",
        schema="raw",
    )
    op.create_table(
        "absence_categories",
        sa.Column("category", sa.Text(), primary_key=True),
        sa.Column("label_pt", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        schema="raw",
    )
    op.bulk_insert(
        sa.table(
            "absence_categories",
            sa.column("category"),
            sa.column("label_pt"),
            sa.column("label_en"),
            schema="raw",
        ),
        [{"category": c, "label_pt": pt, "label_en": en} for c, pt, en in ABSENCE_CATEGORIES],
    )
    op.create_table(
        "absence_justifications",
        sa.Column("justification_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("employee_id", sa.Text(), nullable=False),
        sa.Column("absence_date", sa.Date(), nullable=False),
        sa.Column("category", sa.Text(), sa.ForeignKey("raw.absence_categories.category"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), server_default=sa.text("current_user"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "length(trim(reason)) > 0", name=op.f("ck_absence_justifications_reason_required")
        ),
        schema="raw",
    )
    op.create_index(
        op.f("ix_absence_justifications_employee_id_absence_date"),
        "absence_justifications",
        ["employee_id", "absence_date"],
        schema="raw",
    )
    op.create_index(
        op.f("ix_absence_justifications_category"), "absence_justifications", ["category"], schema="raw"
    )
    op.execute("grant select on raw.absence_categories to punch_writer")
    op.execute("grant select, insert on raw.absence_justifications to punch_writer")

    # --- the walk of rules 1-2 as a window aggregate ----------------------------------------------
    op.execute("create schema engine")
    op.execute(
        "comment on schema engine is 'Functions the dbt build calls (not exposed; owned by migrations)'"
    )
    op.execute("grant usage on schema engine to transformer")
    op.execute(
        """
        create function engine.punch_walk_step(
            state double precision[],
            punched_at timestamptz,
            even_gap_minutes double precision,
            duplicate_window_minutes double precision,
            forced_gap_minutes double precision,
            seed double precision[]
        ) returns double precision[]
        language plpgsql immutable parallel safe set search_path = '' as $$
        -- state: {last kept punch (epoch seconds), jornada number, punches in the open jornada, duplicate?}
        declare
            at double precision := extract(epoch from punched_at);
            gap double precision;
        begin
            if state is null then
                if seed is null then
                    return array[at, 1, 1, 0];
                end if;
                state := seed;
            end if;
            gap := (at - state[1]) / 60.0;
            if gap <= duplicate_window_minutes then
                return array[state[1], state[2], state[3], 1];
            end if;
            if (state[3]::bigint % 2 = 0 and gap >= even_gap_minutes) or gap >= forced_gap_minutes then
                return array[at, state[2] + 1, 1, 0];
            end if;
            return array[at, state[2], state[3] + 1, 0];
        end $$
        """
    )
    op.execute(
        """
        create aggregate engine.punch_walk(
            timestamptz, double precision, double precision, double precision, double precision[]
        ) (
            sfunc = engine.punch_walk_step,
            stype = double precision[]
        )
        """
    )
    op.execute(
        "comment on aggregate engine.punch_walk(timestamptz, double precision, double precision, "
        "double precision, double precision[]) is "
        "'CLT rules 1-2 over one employee''s punches in time order, as a window aggregate: the state after "
        "each punch {last kept punch epoch, jornada number, punches in the open jornada, 1 if duplicate}'"
    )
    op.execute("revoke execute on all functions in schema engine from public")
    op.execute("grant execute on all functions in schema engine to transformer")

    # --- HR RPCs -----------------------------------------------------------------------------------
    op.execute(
        """
        create function api.confirm_jornada(punch_id bigint, reason text) returns jsonb
        language plpgsql security definer set search_path = '' as $$
        declare
          owner_id text;
          added raw.punch_adjustments;
        begin
          if length(trim(coalesce(reason, ''))) = 0 then
            raise sqlstate 'PT400' using message = 'a reason is mandatory';
          end if;
          select adjustments.employee_id into owner_id from raw.punch_adjustments as adjustments
          where adjustments.punch_id = confirm_jornada.punch_id
            and adjustments.action in ('register', 'include');
          if owner_id is null then
            select employees.employee_id into owner_id
            from raw.afd_punches as punches
            join raw.employees as employees
              on (punches.identifier_kind = 'pis' and employees.pis = punches.identifier)
              or (punches.identifier_kind = 'cpf' and employees.cpf = punches.identifier)
            where punches.punch_id = confirm_jornada.punch_id;
          end if;
          if owner_id is null then
            raise sqlstate 'PT404' using message = 'no punch ' || confirm_jornada.punch_id;
          end if;
          insert into raw.punch_adjustments (employee_id, action, punch_id, reason, created_by)
          values (owner_id, 'confirm', confirm_jornada.punch_id, trim(reason),
                  'hr:' || coalesce(auth.claims() ->> 'sub', 'unknown'))
          returning * into added;
          return jsonb_build_object('punch_id', added.punch_id, 'employee_id', added.employee_id,
                                    'status', 'confirmed', 'reason', added.reason);
        end $$
        """
    )
    op.execute(
        """
        create function api.justify_absence(employee_id text, work_date date, category text, reason text)
        returns jsonb
        language plpgsql security definer set search_path = '' as $$
        declare
          added raw.absence_justifications;
        begin
          if length(trim(coalesce(reason, ''))) = 0 then
            raise sqlstate 'PT400' using message = 'a reason is mandatory';
          end if;
          if not exists (
            select from raw.absence_categories as c where c.category = justify_absence.category
          ) then
            raise sqlstate 'PT400'
              using message = 'unknown category ' || coalesce(justify_absence.category, 'null')
              || ' (one of: ' || (select string_agg(c.category, ', ' order by c.category)
                                  from raw.absence_categories as c) || ')';
          end if;
          if not exists (
            select from raw.employees where raw.employees.employee_id = justify_absence.employee_id
          ) then
            raise sqlstate 'PT404' using message = 'no employee ' || justify_absence.employee_id;
          end if;
          insert into raw.absence_justifications (employee_id, absence_date, category, reason, created_by)
          values (justify_absence.employee_id, justify_absence.work_date, justify_absence.category,
                  trim(reason), 'hr:' || coalesce(auth.claims() ->> 'sub', 'unknown'))
          returning * into added;
          return jsonb_build_object('employee_id', added.employee_id, 'work_date', added.absence_date,
                                    'category', added.category, 'reason', added.reason,
                                    'status', 'justified');
        end $$
        """
    )
    for function in ("api.confirm_jornada(bigint, text)", "api.justify_absence(text, date, text, text)"):
        op.execute(f"alter function {function} owner to punch_writer")
        op.execute(f"revoke execute on function {function} from public")
        op.execute(f"grant execute on function {function} to hr")


def downgrade() -> None:
    op.execute("drop function if exists api.confirm_jornada(bigint, text)")
    op.execute("drop function if exists api.justify_absence(text, date, text, text)")
    op.execute("drop schema if exists engine cascade")
    op.drop_table("absence_justifications", schema="raw")
    op.drop_table("absence_categories", schema="raw")
    op.execute("delete from raw.punch_adjustments where action = 'confirm'")
    op.drop_constraint(op.f("ck_punch_adjustments_disregarded_punch"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_disregarded_punch"),
        "punch_adjustments",
        "action <> 'disregard' or punch_id is not null",
        schema="raw",
    )
    op.drop_constraint(op.f("ck_punch_adjustments_punch_time"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_punch_time"),
        "punch_adjustments",
        "action = 'disregard' or punched_at is not null",
        schema="raw",
    )
    op.drop_constraint(op.f("ck_punch_adjustments_action"), "punch_adjustments", schema="raw")
    op.create_check_constraint(
        op.f("ck_punch_adjustments_action"),
        "punch_adjustments",
        "action in ('register', 'include', 'disregard')",
        schema="raw",
    )
    op.drop_table("employee_links", schema="raw")
    op.drop_index(op.f("ix_afd_records_rep_number_nsr_run_started_at_nsr"), "afd_records", schema="raw")
    op.drop_constraint(op.f("uq_afd_punches_rep_number_nsr_run_started_at_nsr"), "afd_punches", schema="raw")
    op.create_unique_constraint(
        "uq_afd_punches_rep_number_nsr_punched_at",
        "afd_punches",
        ["rep_number", "nsr", "punched_at"],
        schema="raw",
    )
    op.drop_constraint(op.f("ck_afd_punches_crc_algorithm"), "afd_punches", schema="raw")
    op.drop_column("afd_punches", "record_hash", schema="raw")
    op.drop_column("afd_punches", "crc_algorithm", schema="raw")
    for table in ("afd_punches", "afd_records"):
        op.drop_column(table, "nsr_run_started_at", schema="raw")
    op.drop_index(op.f("ix_quarantine_category"), "quarantine", schema="raw")
    op.drop_column("quarantine", "category", schema="raw")
    op.drop_table("afd_rep_runs", schema="raw")
