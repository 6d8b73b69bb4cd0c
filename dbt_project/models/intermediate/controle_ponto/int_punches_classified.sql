{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='punch_id',
    on_schema_change='fail',
    pre_hook=["set local enable_hashjoin = off", "set local enable_mergejoin = off"],
    indexes=[
        {'columns': ['punch_id'], 'unique': True},
        {'columns': ['employee_id', 'sequence_number']},
        {'columns': ['employee_id', 'jornada_number']},
        {'columns': ['classified_at']},
    ],
    post_hook=["{{ delete_stale_rows('classified_at', 'sequence_number') }}"],
) }}
-- Walk each employee's punches in order (all employees advance together, one punch per step):
-- 1. a punch within 2 minutes of the previous KEPT punch is a duplicate (kept as such, never deleted);
-- 2. a kept punch opens a new jornada when the open one has an even number of punches and the gap is
--    at least even_gap_minutes, or whatever the count when the gap is at least 16 h.
-- Each step is an index lookup on (employee_id, sequence_number); hash and merge joins are turned off
-- for this statement so the planner cannot scan the whole table at every step.
-- Incremental: the walk restarts, per employee, from the state saved at the punch just before the
-- first punch (re)numbered since the last build.
with recursive

sequenced as not materialized (

    select * from {{ ref('int_punches_sequenced') }}

),

{% if is_incremental() %}
restarts as (

    select
        employee_id,
        min(sequence_number) as restart_at

    from sequenced
    where sequenced_at > {{ watermark('classified_at') }}
    group by employee_id

),

starts as (

    -- the saved state just before the restart …
    select
        saved.employee_id,
        saved.sequence_number,
        saved.punch_id,
        saved.punched_at,
        saved.is_duplicate,
        saved.last_kept_at,
        saved.jornada_number,
        saved.open_punch_count,
        true as is_saved_state

    from restarts
    inner join {{ this }} as saved
        on restarts.employee_id = saved.employee_id
        and saved.sequence_number = restarts.restart_at - 1

    union all

    -- … or the first punch, for employees walked from the beginning
    select
        sequenced.employee_id,
        sequenced.sequence_number,
        sequenced.punch_id,
        sequenced.punched_at,
        false,
        sequenced.punched_at,
        1,
        1,
        false

    from restarts
    inner join sequenced
        on restarts.employee_id = sequenced.employee_id
        and sequenced.sequence_number = 1
    where restarts.restart_at = 1

),
{% else %}
starts as (

    select
        employee_id,
        sequence_number,
        punch_id,
        punched_at,
        false as is_duplicate,
        punched_at as last_kept_at,
        1 as jornada_number,
        1 as open_punch_count,
        false as is_saved_state

    from sequenced
    where sequence_number = 1

),
{% endif %}

walk as (

    select * from starts

    union all

    select
        following.employee_id,
        following.sequence_number,
        following.punch_id,
        following.punched_at,
        step.is_duplicate,
        case when step.is_duplicate then walk.last_kept_at else following.punched_at end,
        walk.jornada_number + case when step.opens_jornada then 1 else 0 end,
        case
            when step.is_duplicate then walk.open_punch_count
            when step.opens_jornada then 1
            else walk.open_punch_count + 1
        end,
        false

    from walk
    inner join sequenced as following
        on walk.employee_id = following.employee_id
        and following.sequence_number = walk.sequence_number + 1
    cross join lateral (
        select
            gap.minutes <= {{ var('ponto_duplicate_window_minutes') }} as is_duplicate,
            gap.minutes > {{ var('ponto_duplicate_window_minutes') }}
            and (
                (walk.open_punch_count % 2 = 0 and gap.minutes >= following.even_gap_minutes)
                or gap.minutes >= {{ var('ponto_forced_gap_minutes') }}
            ) as opens_jornada
        from (
            select extract(epoch from following.punched_at - walk.last_kept_at) / 60.0 as minutes
        ) as gap
    ) as step

),

final as (

    select
        punch_id,
        employee_id,
        sequence_number,
        punched_at,
        is_duplicate,
        jornada_number,
        last_kept_at,
        open_punch_count,
        {{ run_started_at_literal() }} as classified_at

    from walk
    where not is_saved_state

)

select * from final
