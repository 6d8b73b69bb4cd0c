{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['employee_id', 'sequence_number'],
    on_schema_change='fail',
    indexes=[
        {'columns': ['employee_id', 'sequence_number'], 'unique': True},
        {'columns': ['source_changed_at']},
        {'columns': ['sequenced_at']},
    ],
    post_hook=["{{ delete_stale_rows('sequenced_at', 'sequence_number') }}"],
) }}
-- Each employee's kept-or-duplicate candidates (not disregarded) numbered in time order, with the gap
-- that closes a complete jornada: max(4 h, the schedule's longest break + 1 h) (design doc §4.2).
-- Incremental: punches later than an employee's last one are appended; anything else (a late punch,
-- a disregard, a registry change) renumbers that employee, and only that employee.
with

attributed as (

    select * from {{ ref('int_punches_attributed') }}
    where employee_id is not null

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

schedule_breaks as (

    select
        schedule_code,
        max(longest_break_minutes) as longest_break_minutes

    from {{ ref('int_schedule_days') }}
    group by schedule_code

),

{% if is_incremental() %}
changed as (

    select * from attributed
    where changed_at > {{ watermark('source_changed_at') }}

),

tails as (

    select
        employee_id,
        max(sequence_number) as last_sequence_number,
        max(punched_at) as last_punched_at

    from {{ this }}
    where employee_id in (select changed.employee_id from changed)
    group by employee_id

),

renumbered_employees as (

    select changed.employee_id
    from changed
    left join tails
        on changed.employee_id = tails.employee_id
    where changed.is_disregarded
        or changed.punched_at <= tails.last_punched_at
    union
    select employee_id
    from employees
    where loaded_at > {{ watermark('source_changed_at') }}

),

numbered as (

    select
        changed.punch_id,
        changed.employee_id,
        changed.punched_at,
        changed.changed_at,
        coalesce(tails.last_sequence_number, 0) + row_number() over (
            partition by changed.employee_id order by changed.punched_at, changed.punch_id
        ) as sequence_number

    from changed
    left join tails
        on changed.employee_id = tails.employee_id
    where not changed.is_disregarded
        and changed.employee_id not in (select renumbered_employees.employee_id from renumbered_employees)

    union all

    select
        attributed.punch_id,
        attributed.employee_id,
        attributed.punched_at,
        attributed.changed_at,
        row_number() over (
            partition by attributed.employee_id order by attributed.punched_at, attributed.punch_id
        ) as sequence_number

    from attributed
    where not attributed.is_disregarded
        and attributed.employee_id in (select renumbered_employees.employee_id from renumbered_employees)

),
{% else %}
numbered as (

    select
        punch_id,
        employee_id,
        punched_at,
        changed_at,
        row_number() over (partition by employee_id order by punched_at, punch_id) as sequence_number

    from attributed
    where not is_disregarded

),
{% endif %}

final as (

    select
        numbered.punch_id,
        numbered.employee_id,
        numbered.punched_at,
        numbered.sequence_number,
        greatest(
            {{ var('ponto_min_even_gap_minutes') }},
            coalesce(schedule_breaks.longest_break_minutes, 0) + {{ var('ponto_break_margin_minutes') }}
        ) as even_gap_minutes,
        greatest(numbered.changed_at, employees.loaded_at) as source_changed_at,
        {{ run_started_at_literal() }} as sequenced_at

    from numbered
    inner join employees
        on numbered.employee_id = employees.employee_id
    left join schedule_breaks
        on employees.schedule_code = schedule_breaks.schedule_code

)

select * from final
