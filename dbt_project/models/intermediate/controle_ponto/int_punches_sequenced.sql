{{ config(materialized='table', indexes=[{'columns': ['employee_id', 'sequence_number'], 'unique': True}]) }}
-- Each employee's punches numbered in time order, with the gap that closes a complete jornada:
-- max(4 h, the longest break of the employee's schedule + 1 h) (design doc §4.2, configurable vars).
with

punches as (

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

final as (

    select
        punches.punch_id,
        punches.employee_id,
        punches.punched_at,
        row_number() over (
            partition by punches.employee_id order by punches.punched_at, punches.punch_id
        ) as sequence_number,
        greatest(
            {{ var('ponto_min_even_gap_minutes') }},
            coalesce(schedule_breaks.longest_break_minutes, 0) + {{ var('ponto_break_margin_minutes') }}
        ) as even_gap_minutes

    from punches
    inner join employees
        on punches.employee_id = employees.employee_id
    left join schedule_breaks
        on employees.schedule_code = schedule_breaks.schedule_code

)

select * from final
