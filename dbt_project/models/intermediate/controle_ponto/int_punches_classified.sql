{{ config(
    materialized='incremental',
    unique_key='punch_id',
    indexes=[
        {'columns': ['punch_id'], 'unique': True},
        {'columns': ['employee_id', 'punched_at']},
        {'columns': ['employee_id', 'jornada_number']},
        {'columns': ['classified_at']},
    ],
    post_hook=["{{ forget_rewalked_punches() }}"],
) }}
-- Rules 1 and 2 of the CLT engine (the docs block ponto_rules), walked over each employee's
-- punches in time order (disregarded ones left out):
-- 1. a punch within 2 minutes of the previous KEPT punch is a duplicate (kept as such, never deleted);
-- 2. a kept punch opens a new jornada when the open one has an even number of punches and the gap is at
--    least max(4 h, the schedule's longest break + 1 h), or whatever the count when the gap is >= 16 h.
-- The walk is the window aggregate engine.punch_walk (migration 0009): one pass per employee, linear in
-- the punches whatever their shape (long gaps, bursts, multi-day jornadas).
-- Incremental: per employee, the walk restarts at the earliest punch changed since the last build (a
-- new, late, included or disregarded punch), from the state saved at the punch before it; a registry or
-- schedule change rewalks that employee from the beginning.
-- `not materialized`: read three times in an incremental build, each reading planned with its filter
with

attributed as not materialized (

    select * from {{ ref('int_punches_attributed') }}
    where employee_id is not null

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

schedule_loads as (

    select
        schedule_code,
        max(loaded_xid) as loaded_xid

    from {{ ref('stg_ponto__work_schedules') }}
    group by schedule_code

),

schedule_breaks as (

    select
        schedule_code,
        max(longest_break_minutes) as longest_break_minutes

    from {{ ref('int_schedule_days') }}
    group by schedule_code

),

registry as (

    -- per employee: the newest transaction that changed the registry row or the schedule (a change
    -- walks the whole history of the employee again), and the gap that closes an even jornada
    select
        employees.employee_id,
        greatest(employees.loaded_xid, schedule_loads.loaded_xid) as registry_xid,
        greatest(
            {{ var('ponto_min_even_gap_minutes') }},
            coalesce(schedule_breaks.longest_break_minutes, 0) + {{ var('ponto_break_margin_minutes') }}
        ) as even_gap_minutes

    from employees
    left join schedule_loads
        on employees.schedule_code = schedule_loads.schedule_code
    left join schedule_breaks
        on employees.schedule_code = schedule_breaks.schedule_code

),

walk_inputs as (

    select
        attributed.punch_id,
        attributed.employee_id,
        attributed.punched_at,
        registry.even_gap_minutes

    from attributed
    inner join registry
        on attributed.employee_id = registry.employee_id
    where not attributed.is_disregarded

),

{% if is_incremental() %}
restarts as (

    -- per employee: the earliest punch this build's state has not seen (new, late, included or
    -- disregarded), or the beginning when the registry row or the schedule changed
    -- (two readings, each served by an index: the punches changed since, and the registry rows)
    select
        employee_id,
        min(restart_at) as restart_at

    from (
        select
            attributed.employee_id,
            attributed.punched_at as restart_at
        from attributed
        inner join registry
            on attributed.employee_id = registry.employee_id
        where {{ is_new('attributed.changed_xid') }}
        union all
        select
            registry.employee_id,
            '-infinity'::timestamptz as restart_at
        from registry
        where {{ is_new('registry.registry_xid') }}
            and exists (
                select from attributed
                where attributed.employee_id = registry.employee_id
            )
    ) as changes
    group by employee_id

),

seeds as (

    -- the state after the last punch before the restart
    select distinct on (saved.employee_id)
        saved.employee_id,
        saved.punch_id,
        array[
            extract(epoch from saved.last_kept_at), saved.jornada_number, saved.open_punch_count, 0
        ]::double precision[] as state

    from restarts
    inner join {{ this }} as saved
        on restarts.employee_id = saved.employee_id
        and saved.punched_at < restarts.restart_at
    order by saved.employee_id, saved.punched_at desc, saved.punch_id desc

),

to_walk as (

    select
        walk_inputs.*,
        seeds.state as seed,
        restarts.restart_at

    from walk_inputs
    inner join restarts
        on walk_inputs.employee_id = restarts.employee_id
    left join seeds
        on walk_inputs.employee_id = seeds.employee_id
    where walk_inputs.punched_at >= restarts.restart_at

),
{% else %}
to_walk as (

    select
        walk_inputs.*,
        null::double precision[] as seed,
        '-infinity'::timestamptz as restart_at

    from walk_inputs

),
{% endif %}

walked as (

    select
        to_walk.*,
        engine.punch_walk(
            to_walk.punched_at,
            to_walk.even_gap_minutes,
            {{ var('ponto_duplicate_window_minutes') }},
            {{ var('ponto_forced_gap_minutes') }},
            to_walk.seed
        ) over (
            partition by to_walk.employee_id
            order by to_walk.punched_at, to_walk.punch_id
            rows between unbounded preceding and current row
        ) as state

    from to_walk

),

final as (

    select
        punch_id,
        employee_id,
        punched_at,
        state[4] = 1 as is_duplicate,
        state[2]::integer as jornada_number,
        to_timestamp(state[1]) as last_kept_at,
        state[3]::integer as open_punch_count,
        restart_at as walked_from,
        {{ run_started_at_literal() }} as classified_at

    from walked

    {% if is_incremental() %}
    union all

    -- the punch the walk restarted after, written again unchanged: it marks the jornada to recompute
    -- downstream even when nothing after it is left to walk (a disregarded last punch)
    select
        saved.punch_id,
        saved.employee_id,
        saved.punched_at,
        saved.is_duplicate,
        saved.jornada_number,
        saved.last_kept_at,
        saved.open_punch_count,
        restarts.restart_at,
        {{ run_started_at_literal() }}

    from seeds
    inner join {{ this }} as saved
        on seeds.punch_id = saved.punch_id
    inner join restarts
        on seeds.employee_id = restarts.employee_id
    {% endif %}

)

select * from final
