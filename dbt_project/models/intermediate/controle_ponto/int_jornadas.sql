{{ config(
    materialized='incremental',
    unique_key=['employee_id', 'jornada_number'],
    indexes=[
        {'columns': ['employee_id', 'jornada_number'], 'unique': True},
        {'columns': ['employee_id', 'work_date']},
        {'columns': ['work_date']},
        {'columns': ['computed_at']},
    ],
    post_hook=[
        "{{ delete_stale_rows('computed_at', 'jornada_number') }}",
        "{{ forget_employees_without_punches(ref('int_punches_classified')) }}",
    ],
) }}
{%- set punch_tolerance = var('ponto_punch_tolerance_minutes') %}
{%- set day_tolerance = var('ponto_day_tolerance_minutes') %}
{%- set min_rest = var('ponto_min_rest_minutes') %}
-- One row per jornada with CLT rules 3-9 (the docs block ponto_rules in _controle_ponto__docs.md; a
-- rule with an article is a CTE named after it): pairs, worked and night time (art. 73), the pre-noted
-- break (art. 74), expected time, tolerance (art. 58) and the balance before HR review, breaks
-- (art. 71) and rest (art. 66). Whether a balance counts (incomplete days, jornadas that need
-- review, HR confirmations) is decided in fct_timesheet_daily.
-- Worked time is elapsed time between instants; the night window and the schedule are read on the
-- local wall clock of the employee's zone.
-- Incremental: only the jornadas from the first one the walk touched are recomputed (with the one
-- before them, for the rest between jornadas). Holiday changes need `bi-dash refresh --full-refresh`.
with

{% if is_incremental() %}
recomputed_from as (

    select
        employee_id,
        min(jornada_number) as jornada_number

    from {{ ref('int_punches_classified') }}
    where classified_at > {{ watermark('computed_at') }}
    group by employee_id

),

classified as (

    select classified.*
    from {{ ref('int_punches_classified') }} as classified
    inner join recomputed_from
        on classified.employee_id = recomputed_from.employee_id
        and classified.jornada_number >= recomputed_from.jornada_number - 1
    where not classified.is_duplicate

),
{% else %}
classified as (

    select * from {{ ref('int_punches_classified') }}
    where not is_duplicate

),
{% endif %}

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

schedule_intervals as (

    select * from {{ ref('int_schedule_intervals') }}

),

schedule_days as (

    select * from {{ ref('int_schedule_days') }}

),

holidays as (

    select distinct holiday_date from {{ ref('stg_ponto__holidays') }}

),

-- rule 3: kept punches in order; odd positions are entries, even ones exits
local_punches as (

    select
        classified.employee_id,
        classified.jornada_number,
        classified.punch_id,
        classified.punched_at,
        classified.punched_at at time zone employees.timezone as local_at,
        row_number() over (
            partition by classified.employee_id, classified.jornada_number
            order by classified.punched_at, classified.punch_id
        ) as punch_index,
        employees.schedule_code,
        employees.timezone

    from classified
    inner join employees
        on classified.employee_id = employees.employee_id

),

jornadas as (

    select
        employee_id,
        jornada_number,
        schedule_code,
        timezone,
        count(*) as punch_count,
        (array_agg(punch_id order by punched_at, punch_id))[1] as first_punch_id,
        min(punched_at) as first_punch_at,
        max(punched_at) as last_punch_at,
        min(local_at) as first_local_at,
        max(local_at) as last_local_at,
        min(local_at)::date as work_date

    from local_punches
    group by employee_id, jornada_number, schedule_code, timezone

),

jornadas_dated as (

    select
        jornadas.*,
        extract(isodow from jornadas.work_date)::integer as weekday,
        row_number() over (
            partition by jornadas.employee_id, jornadas.work_date order by jornadas.jornada_number
        ) as jornada_of_day,
        lag(jornadas.last_punch_at) over (
            partition by jornadas.employee_id order by jornadas.jornada_number
        ) as previous_jornada_end_at,
        holidays.holiday_date is not null as is_holiday,
        {{ covered_night_end('jornadas.first_punch_at', 'jornadas.last_punch_at', 'jornadas.timezone') }}
            as covered_night_end_at

    from jornadas
    left join holidays
        on jornadas.work_date = holidays.holiday_date

),

pairs as (

    select
        punch_in.employee_id,
        punch_in.jornada_number,
        (punch_in.punch_index + 1) / 2 as pair_number,
        punch_in.punched_at as in_at,
        punch_out.punched_at as out_at,
        punch_in.timezone

    from local_punches as punch_in
    inner join local_punches as punch_out
        on punch_in.employee_id = punch_out.employee_id
        and punch_in.jornada_number = punch_out.jornada_number
        and punch_out.punch_index = punch_in.punch_index + 1
    where punch_in.punch_index % 2 = 1

),

pair_gaps as (

    select
        *,
        extract(epoch from lead(in_at) over (
            partition by employee_id, jornada_number order by pair_number
        ) - out_at) / 60.0 as gap_after_minutes

    from pairs

),

-- rules 3-4 (art. 73): elapsed minutes of the complete pairs, their night minutes and the Súmula 60 II
-- extension (each night counted once), the longest pair and the longest gap between pairs
pairs_art_73 as (

    select
        pair_gaps.employee_id,
        pair_gaps.jornada_number,
        sum(extract(epoch from pair_gaps.out_at - pair_gaps.in_at) / 60.0) as clock_minutes,
        max(extract(epoch from pair_gaps.out_at - pair_gaps.in_at) / 60.0) as longest_pair_minutes,
        sum({{ night_minutes('pair_gaps.in_at', 'pair_gaps.out_at', 'pair_gaps.timezone') }})
            as night_clock_minutes,
        sum({{ extension_minutes(
            'pair_gaps.in_at', 'pair_gaps.out_at', 'jornadas_dated.covered_night_end_at', 'pair_gaps.timezone'
        ) }}) as extension_minutes,
        max(pair_gaps.gap_after_minutes) as longest_gap_minutes

    from pair_gaps
    inner join jornadas_dated
        on pair_gaps.employee_id = jornadas_dated.employee_id
        and pair_gaps.jornada_number = jornadas_dated.jornada_number
    group by pair_gaps.employee_id, pair_gaps.jornada_number

),

-- the day's schedule, on the wall clock of the work date
day_schedule as (

    select
        jornadas_dated.employee_id,
        jornadas_dated.jornada_number,
        schedule_intervals.interval_number,
        jornadas_dated.work_date + schedule_intervals.start_offset_minutes * interval '1 minute' as start_at,
        jornadas_dated.work_date + schedule_intervals.end_offset_minutes * interval '1 minute' as end_at

    from jornadas_dated
    inner join schedule_intervals
        on jornadas_dated.schedule_code = schedule_intervals.schedule_code
        and jornadas_dated.weekday = schedule_intervals.weekday

),

scheduled_breaks as (

    select
        day_schedule.employee_id,
        day_schedule.jornada_number,
        day_schedule.end_at as break_start_local,
        lead(day_schedule.start_at) over (
            partition by day_schedule.employee_id, day_schedule.jornada_number
            order by day_schedule.interval_number
        ) as break_end_local

    from day_schedule

),

-- rule 3 (art. 74 §2): two punches and the day's scheduled break(s) inside the worked span
prenoted_art_74 as (

    select
        jornadas_dated.employee_id,
        jornadas_dated.jornada_number,
        sum(extract(epoch from breaks.end_at - breaks.start_at) / 60.0) as break_minutes,
        sum({{ night_minutes('breaks.start_at', 'breaks.end_at', 'jornadas_dated.timezone') }})
            as break_night_minutes,
        sum({{ extension_minutes(
            'breaks.start_at', 'breaks.end_at', 'jornadas_dated.covered_night_end_at', 'jornadas_dated.timezone'
        ) }}) as break_extension_minutes

    from jornadas_dated
    inner join scheduled_breaks
        on jornadas_dated.employee_id = scheduled_breaks.employee_id
        and jornadas_dated.jornada_number = scheduled_breaks.jornada_number
    cross join
        lateral (  -- noqa: ST05
            select
                {{ local_to_instant('scheduled_breaks.break_start_local', 'jornadas_dated.timezone') }}
                    as start_at,
                {{ local_to_instant('scheduled_breaks.break_end_local', 'jornadas_dated.timezone') }}
                    as end_at
        ) as breaks
    where jornadas_dated.punch_count = 2
        and scheduled_breaks.break_end_local is not null
        -- strictly inside: two punches at the break's own boundaries are the break, not a day around it
        and scheduled_breaks.break_start_local > jornadas_dated.first_local_at
        and scheduled_breaks.break_end_local < jornadas_dated.last_local_at
    group by jornadas_dated.employee_id, jornadas_dated.jornada_number

),

-- rule 6 (art. 58 §1, Súmula 366): punch k against boundary k (1st punch with 1st start, 2nd with 1st end…)
deviations_art_58 as (

    select
        local_punches.employee_id,
        local_punches.jornada_number,
        count(*) as compared_punches,
        max(abs(extract(epoch from local_punches.local_at - boundary.boundary_at) / 60.0)) as max_deviation,
        sum(abs(extract(epoch from local_punches.local_at - boundary.boundary_at) / 60.0)) as total_deviation

    from local_punches
    inner join day_schedule
        on local_punches.employee_id = day_schedule.employee_id
        and local_punches.jornada_number = day_schedule.jornada_number
        and day_schedule.interval_number = (local_punches.punch_index + 1) / 2
    cross join
        lateral (  -- noqa: ST05
            select
                case
                    when local_punches.punch_index % 2 = 1 then day_schedule.start_at
                    else day_schedule.end_at
                end as boundary_at
        ) as boundary
    group by local_punches.employee_id, local_punches.jornada_number

),

day_bounds as (

    select
        employee_id,
        jornada_number,
        count(*) as interval_count,
        min(start_at) as first_start_at,
        max(end_at) as last_end_at

    from day_schedule
    group by employee_id, jornada_number

),

-- rule 6 with a pre-noted break (two punches): the first punch against the day's first start, the last
-- against its last end
ends_art_58 as (

    select
        jornadas_dated.employee_id,
        jornadas_dated.jornada_number,
        {{ minutes_between('day_bounds.first_start_at', 'jornadas_dated.first_local_at') }}
            as entry_deviation,
        {{ minutes_between('day_bounds.last_end_at', 'jornadas_dated.last_local_at') }}
            as exit_deviation

    from jornadas_dated
    inner join day_bounds
        on jornadas_dated.employee_id = day_bounds.employee_id
        and jornadas_dated.jornada_number = day_bounds.jornada_number

),

computed as (

    select
        jornadas_dated.employee_id,
        jornadas_dated.jornada_number,
        jornadas_dated.work_date,
        jornadas_dated.jornada_of_day,
        jornadas_dated.punch_count,
        jornadas_dated.first_punch_id,
        jornadas_dated.first_punch_at,
        jornadas_dated.last_punch_at,
        jornadas_dated.punch_count % 2 = 1 as is_incomplete,
        jornadas_dated.is_holiday,
        jornadas_dated.schedule_code is null as has_no_schedule,
        jornadas_dated.weekday = 7 and coalesce(day_bounds.interval_count, 0) = 0 as is_unscheduled_sunday,
        prenoted_art_74.break_minutes is not null as has_prenoted_break,
        coalesce(pairs_art_73.clock_minutes, 0) - coalesce(prenoted_art_74.break_minutes, 0)
            as worked_minutes,
        coalesce(pairs_art_73.longest_pair_minutes, 0) as longest_pair_minutes,
        coalesce(pairs_art_73.night_clock_minutes, 0) - coalesce(prenoted_art_74.break_night_minutes, 0)
        + coalesce(pairs_art_73.extension_minutes, 0) - coalesce(prenoted_art_74.break_extension_minutes, 0)
            as night_minutes,
        -- rule 5: the schedule's legal minutes on the first jornada of the date; 0 on holidays; none
        -- without a schedule
        case
            when jornadas_dated.schedule_code is null then null
            when jornadas_dated.is_holiday or jornadas_dated.jornada_of_day > 1 then 0
            else coalesce(schedule_days.expected_legal_minutes, 0)
        end as expected_minutes,
        coalesce(prenoted_art_74.break_minutes, pairs_art_73.longest_gap_minutes, 0) as break_minutes,
        case
            when day_bounds.interval_count is null then null
            when jornadas_dated.punch_count = 2 * day_bounds.interval_count
                and deviations_art_58.compared_punches = jornadas_dated.punch_count
                then deviations_art_58.max_deviation <= {{ punch_tolerance }}
                    and deviations_art_58.total_deviation <= {{ day_tolerance }}
            when prenoted_art_74.break_minutes is not null
                then greatest(
                        abs(ends_art_58.entry_deviation), abs(ends_art_58.exit_deviation)
                    ) <= {{ punch_tolerance }}
                    and abs(ends_art_58.entry_deviation) + abs(ends_art_58.exit_deviation)
                    <= {{ day_tolerance }}
        end as is_within_tolerance,
        extract(epoch from jornadas_dated.first_punch_at - jornadas_dated.previous_jornada_end_at) / 60.0
            as rest_minutes

    from jornadas_dated
    left join pairs_art_73
        on jornadas_dated.employee_id = pairs_art_73.employee_id
        and jornadas_dated.jornada_number = pairs_art_73.jornada_number
    left join prenoted_art_74
        on jornadas_dated.employee_id = prenoted_art_74.employee_id
        and jornadas_dated.jornada_number = prenoted_art_74.jornada_number
    left join deviations_art_58
        on jornadas_dated.employee_id = deviations_art_58.employee_id
        and jornadas_dated.jornada_number = deviations_art_58.jornada_number
    left join day_bounds
        on jornadas_dated.employee_id = day_bounds.employee_id
        and jornadas_dated.jornada_number = day_bounds.jornada_number
    left join ends_art_58
        on jornadas_dated.employee_id = ends_art_58.employee_id
        and jornadas_dated.jornada_number = ends_art_58.jornada_number
    left join schedule_days
        on jornadas_dated.schedule_code = schedule_days.schedule_code
        and jornadas_dated.weekday = schedule_days.weekday

),

-- rule 6 (art. 58 §1, Súmula 366): within tolerance the day's balance is 0, else the whole
-- difference counts
tolerance_art_58 as (

    select
        *,
        {{ legal_minutes('worked_minutes', 'night_minutes') }} as legal_worked_minutes,
        case
            when is_incomplete or expected_minutes is null then null
            when is_within_tolerance then 0
            else {{ legal_minutes('worked_minutes', 'night_minutes') }} - expected_minutes
        end as balance_minutes

    from computed

),

-- rule 8 (art. 71): the break a jornada of this length needs, and what is missing of it
required_break_art_71 as (

    select
        *,
        case
            when worked_minutes > {{ var('ponto_long_jornada_minutes') }}
                then {{ var('ponto_break_over_6h_minutes') }}
            when worked_minutes > {{ var('ponto_medium_jornada_minutes') }}
                then {{ var('ponto_break_over_4h_minutes') }}
            else 0
        end as required_break_minutes

    from tolerance_art_58

),

breaks_art_71 as (

    select
        *,
        required_break_minutes > 0 and break_minutes < required_break_minutes as has_break_violation,
        greatest(required_break_minutes - break_minutes, 0) as suppressed_break_minutes

    from required_break_art_71

),

-- rule 9 (art. 66): 11 h of rest since the previous jornada
rest_art_66 as (

    select
        *,
        coalesce(rest_minutes < {{ min_rest }}, false) as has_rest_violation,
        greatest({{ min_rest }} - coalesce(rest_minutes, {{ min_rest }}), 0) as rest_shortfall_minutes

    from breaks_art_71

),

-- rule 5: what HR must look at before the balance counts
reviewed as (

    select
        *,
        case
            when has_no_schedule then 'no_schedule'
            when worked_minutes > {{ var('ponto_max_worked_minutes') }} then 'implausible_length'
            when longest_pair_minutes > {{ var('ponto_max_pair_minutes') }} then 'long_pair'
        end as review_reason

    from rest_art_66

),

final as (

    select
        employee_id,
        jornada_number,
        work_date,
        jornada_of_day,
        punch_count,
        first_punch_id,
        first_punch_at,
        last_punch_at,
        round(worked_minutes, 2) as worked_minutes,
        round(night_minutes, 2) as night_minutes,
        round(legal_worked_minutes, 2) as legal_worked_minutes,
        round(expected_minutes, 2) as expected_minutes,
        round(balance_minutes, 2) as balance_minutes,
        round(longest_pair_minutes, 2) as longest_pair_minutes,
        round(break_minutes, 2) as break_minutes,
        is_incomplete,
        is_holiday,
        is_unscheduled_sunday,
        has_prenoted_break,
        review_reason,
        has_break_violation,
        round(suppressed_break_minutes, 2) as suppressed_break_minutes,
        has_rest_violation,
        round(rest_shortfall_minutes, 2) as rest_shortfall_minutes,
        {{ run_started_at_literal() }} as computed_at

    from reviewed
    {% if is_incremental() %}
    where exists (
        select from recomputed_from
        where recomputed_from.employee_id = reviewed.employee_id
            and reviewed.jornada_number >= recomputed_from.jornada_number
    )
    {% endif %}

)

select * from final
