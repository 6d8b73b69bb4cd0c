-- The contractual timetables of each schedule, one row per schedule and working weekday: what the
-- AEJ's record 04 and the Espelho de Ponto print. Weekdays with the same intervals share one timetable,
-- coded <schedule_code>_<weekdays> (e.g. STD_44_SEG_SEX; at most 30 characters); its duration is the
-- expected time in legal minutes (night minutes counted 8/7).
{%- set weekday_names = ['SEG', 'TER', 'QUA', 'QUI', 'SEX', 'SAB', 'DOM'] %}
with

intervals as (

    select * from {{ ref('int_schedule_intervals') }}

),

days as (

    select * from {{ ref('int_schedule_days') }}

),

boundaries as (

    select
        intervals.schedule_code,
        intervals.weekday,
        array_agg(
            to_char(
                make_time(
                    ((bounds.offset_minutes / 60) % 24)::integer, (bounds.offset_minutes % 60)::integer, 0
                ),
                'HH24MI'
            )
            order by intervals.interval_number, bounds.boundary_position
        ) as boundaries

    from intervals
    cross join
        lateral (
            values
            (1, intervals.start_offset_minutes),
            (2, intervals.end_offset_minutes)
        ) as bounds (boundary_position, offset_minutes)
    group by intervals.schedule_code, intervals.weekday

),

grouped as (

    select
        boundaries.schedule_code,
        boundaries.weekday,
        boundaries.boundaries,
        round(days.expected_legal_minutes)::integer as duration_minutes,
        array_agg(boundaries.weekday) over same_timetable as weekdays

    from boundaries
    inner join days
        on boundaries.schedule_code = days.schedule_code
        and boundaries.weekday = days.weekday
    window same_timetable as (
        partition by boundaries.schedule_code, boundaries.boundaries, round(days.expected_legal_minutes)
        order by boundaries.weekday
        rows between unbounded preceding and unbounded following
    )

),

named as (

    select
        *,
        case
            when cardinality(weekdays) > 2
                and weekdays[cardinality(weekdays)] - weekdays[1] = cardinality(weekdays) - 1
                then (array{{ weekday_names }})[weekdays[1]]
                    || '_' || (array{{ weekday_names }})[weekdays[cardinality(weekdays)]]
            else array_to_string(
                    array(select (array{{ weekday_names }})[iso_day] from unnest(weekdays) as iso_day), '_'
                )
        end as weekday_names

    from grouped

),

final as (

    select
        schedule_code,
        weekday,
        left(schedule_code || '_' || weekday_names, 30) as timetable_code,
        weekday_names,
        weekdays,
        duration_minutes,
        boundaries

    from named

)

select * from final
