{#- The instant of this dbt invocation, as stored in the *_at bookkeeping columns of incremental models. -#}
{% macro run_started_at_literal() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}

{#- Latest value of a bookkeeping column of this model (-infinity when it has no row), read when the model
    compiles and written as a literal: the planner sees it, and plans the few rows written since through
    their index. The value of a subquery it does not see when it plans: it assumed a third of the rows
    and hashed every punch (fct_punches' one new day at 540,000 punches: 0.67-0.87 s against 0.10-0.14 s,
    bench/README.md). Only for models without a pre-hook that deletes from this model. -#}
{% macro watermark(column) -%}
    {%- set query -%}
        select quote_literal(coalesce(max({{ column }}), '-infinity'::timestamptz)::text) from {{ this }}
    {%- endset -%}
    {%- set found = run_query(query) if execute else none -%}
    {%- if found is not none and found.rows | length > 0 -%}
    {{ found.columns[0].values()[0] }}::timestamptz
    {%- else -%}
    (select coalesce(max({{ column }}), '-infinity'::timestamptz) from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#- After an incremental build: rows of the employees whose history was rewritten from `from_column`
    onwards in this run, but that this run did not rewrite, are stale (e.g. a disregarded punch). -#}
{% macro delete_stale_rows(written_at_column, from_column) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    using (
        select employee_id, min({{ from_column }}) as rewritten_from
        from {{ this }}
        where {{ written_at_column }} = {{ run_started_at_literal() }}
        group by employee_id
    ) as rewritten
    where stale.employee_id = rewritten.employee_id
        and stale.{{ from_column }} >= rewritten.rewritten_from
        and stale.{{ written_at_column }} < {{ run_started_at_literal() }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- After an incremental walk: punches of a rewalked employee from where the walk restarted (each row
    written this run carries it in walked_from) that this run did not write are forgotten, as are punches
    HR disregarded since (when nothing was left to walk after them). -#}
{% macro forget_rewalked_punches() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    using (
        select employee_id, min(walked_from) as walked_from
        from {{ this }}
        where classified_at = {{ run_started_at_literal() }}
        group by employee_id
    ) as rewalked
    where stale.employee_id = rewalked.employee_id
        and stale.punched_at >= rewalked.walked_from
        and stale.classified_at < {{ run_started_at_literal() }};
    delete from {{ this }} as stale
    using {{ ref('int_punches_attributed') }} as attributed
    where attributed.punch_id = stale.punch_id
        and attributed.is_disregarded
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- After an incremental build: rows of employees that no longer have any punch in `punches_relation`
    (every punch disregarded, or the person linked to another employee) are stale. -#}
{% macro forget_employees_without_punches(punches_relation) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    where stale.employee_id in (
        select present.employee_id
        from (select distinct employee_id from {{ this }}) as present
        where not exists (
            select from {{ punches_relation }} as punches
            where punches.employee_id = present.employee_id
        )
    )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- What a build has already seen of raw (migrations 0011 and 0014): before each shadow build the refresh
    records, per domain it builds, a row of intermediate__next.build_state (orchestration/publish/prepare.py):
    the snapshot it reads at (`snapshot`) and the snapshot of the state it starts from (`read_since`, null
    when it starts from nothing). The table travels with the incremental tables (kept or copied with
    them), so the next build of a domain reads exactly what committed since the state it starts from was
    built, whatever the order of loads and refreshes, and whichever domains were built in between. -#}
{% macro build_state_relation() -%}
    {{ adapter.quote('intermediate' ~ var('schema_suffix', '')) }}.build_state
{%- endmacro %}

{#- The build state's row of the calling model's domain (its folder: models/<layer>/<domain>/). -#}
{% macro build_state_of_domain() -%}
    (select read_since from {{ build_state_relation() }} where domain = '{{ model.fqn[2] }}')
{%- endmacro %}

{#- True for a raw row (its loaded_xid) this build's starting state has not seen: its transaction had not
    committed when that state was built. Everything is new when the domain's build starts from nothing.
    A transaction older than that snapshot's xmin had committed by then (an aborted one left no row), so
    the first test, a constant the planner compares with raw's statistics and index of loaded_xid, keeps
    a refresh from reading every raw row to find the few new ones; pg_visible_in_snapshot decides for the
    rest. -#}
{% macro is_new(xid) -%}
    {%- set state = load_relation(api.Relation.create(
        database=target.database, schema='intermediate' ~ var('schema_suffix', ''), identifier='build_state'
    )) -%}
    {%- if state is none -%}
    true
    {%- else -%}
    {%- set xmin = run_query('select pg_snapshot_xmin(' ~ build_state_of_domain() ~ ')::text') -%}
    {%- set xmin = xmin.columns[0].values()[0] if execute and xmin.rows | length > 0 else none -%}
    (
        {% if xmin %}{{ xid }} >= '{{ xmin }}'::xid8 and {% endif -%}
        coalesce(not pg_visible_in_snapshot({{ xid }}, {{ build_state_of_domain() }}), true)
    )
    {%- endif -%}
{%- endmacro %}

{#- fct_treated_punches, incrementally: per employee, where this run's treated record starts. From the
    jornada before the first one int_jornadas rewrote this run (a set-aside punch goes to the pair of the
    last treated punch before it, which may be in that jornada), and for set-aside punches from that
    jornada's first punch. An employee whose punches changed this run but who has no jornada (every
    punch disregarded) is rewritten whole. -#}
{% macro treated_punches_window() -%}
    select
        rewritten.employee_id,
        rewritten.jornada_number - 1 as from_jornada,
        coalesce(previous.first_punch_at, '-infinity'::timestamptz) as from_at
    from (
        select employee_id, min(jornada_number) as jornada_number
        from {{ ref('int_jornadas') }}
        where computed_at = {{ run_started_at_literal() }}
        group by employee_id
    ) as rewritten
    left join {{ ref('int_jornadas') }} as previous
        on rewritten.employee_id = previous.employee_id
        and rewritten.jornada_number - 1 = previous.jornada_number
    union all
    select
        changed.employee_id,
        null::integer as from_jornada,
        '-infinity'::timestamptz as from_at
    from {{ ref('fct_punches') }} as changed
    where changed.computed_at = {{ run_started_at_literal() }}
        and changed.employee_id is not null
        and not exists (
            select from {{ ref('int_jornadas') }} as jornadas
            where jornadas.employee_id = changed.employee_id
        )
    group by changed.employee_id
{%- endmacro %}

{#- Before an incremental build of fct_treated_punches: its rows from where this run rewrites them
    (treated_punches_window: every row of an employee whose window has no jornada, numbers start at 1)
    go; after it, the rows of employees left without any punch. Two statements, each served by the
    (employee_id, jornada_number) index: with the rows without a jornada in an `or`, the delete read
    every row of each employee (0.6 s of a one-day refresh at 1,000 employees x 180 days, against
    0.04). -#}
{% macro forget_retreated_punches() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    using ({{ treated_punches_window() }}) as rewritten
    where stale.employee_id = rewritten.employee_id
        and stale.jornada_number >= coalesce(rewritten.from_jornada, 0);
    delete from {{ this }} as stale
    using ({{ treated_punches_window() }}) as rewritten
    where stale.employee_id = rewritten.employee_id
        and stale.jornada_number is null
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
