{{ config(
    materialized='table',
    pre_hook=["set local enable_hashjoin = off", "set local enable_mergejoin = off"],
    indexes=[{'columns': ['employee_id', 'jornada_number']}, {'columns': ['punch_id'], 'unique': True}],
) }}
-- Walk each employee's punches in order (all employees advance together, one punch per step):
-- 1. a punch within 2 minutes of the previous KEPT punch is a duplicate (kept as such, never deleted);
-- 2. a kept punch opens a new jornada when the open one has an even number of punches and the gap is
--    at least even_gap_minutes, or whatever the count when the gap is at least 16 h.
-- The index on (employee_id, sequence_number) makes each step a lookup (hash joins are turned off).
with recursive

sequenced as (

    select * from {{ ref('int_punches_sequenced') }}

),

walk as (

    select
        sequenced.employee_id,
        sequenced.sequence_number,
        sequenced.punch_id,
        sequenced.punched_at,
        false as is_duplicate,
        sequenced.punched_at as last_kept_at,
        1 as jornada_number,
        1 as open_punch_count

    from sequenced
    where sequenced.sequence_number = 1

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
        end

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
        jornada_number

    from walk

)

select * from final
