-- Per schedule and weekday: boundaries, expected clock/night/legal minutes and breaks.
{%- set reference = "'2000-01-03'::timestamp" %}

with

intervals as (

    select * from {{ ref('int_schedule_intervals') }}

),

anchored as (

    select
        *,
        {{ reference }} + start_offset_minutes * interval '1 minute' as start_at,
        {{ reference }} + end_offset_minutes * interval '1 minute' as end_at,
        start_offset_minutes - lag(end_offset_minutes) over (
            partition by schedule_code, weekday order by interval_number
        ) as break_before_minutes

    from intervals

),

per_interval as (

    select
        *,
        (end_offset_minutes - start_offset_minutes)::numeric as clock_minutes,
        {{ wall_clock_night_minutes('start_at', 'end_at') }} as night_clock_minutes

    from anchored

),

days as (

    select
        schedule_code,
        weekday,
        count(*) as interval_count,
        min(start_offset_minutes) as first_start_offset_minutes,
        max(end_offset_minutes) as last_end_offset_minutes,
        sum(clock_minutes) as expected_clock_minutes,
        sum(night_clock_minutes) as night_clock_minutes,
        min(start_at) as first_start_at,
        max(end_at) as last_end_at,
        coalesce(max(break_before_minutes), 0) as longest_break_minutes

    from per_interval
    group by schedule_code, weekday

),

extension as (

    select
        days.schedule_code,
        days.weekday,
        coalesce(sum(
            {{ minutes_after('per_interval.start_at', 'per_interval.end_at', 'covered.night_end') }}
            - case
                when covered.night_end is null or per_interval.end_at <= covered.night_end then 0
                else {{ wall_clock_night_minutes(
                    'greatest(per_interval.start_at, covered.night_end)', 'per_interval.end_at'
                ) }}
            end
        ), 0) as extension_minutes

    from days
    cross join
        lateral (  -- noqa: ST05
            select
                {{ wall_clock_covered_night_end('days.first_start_at', 'days.last_end_at') }} as night_end
        ) as covered
    inner join per_interval
        on days.schedule_code = per_interval.schedule_code
        and days.weekday = per_interval.weekday
    group by days.schedule_code, days.weekday

),

final as (

    select
        days.schedule_code,
        days.weekday,
        days.interval_count,
        days.first_start_offset_minutes,
        days.last_end_offset_minutes,
        days.expected_clock_minutes,
        days.night_clock_minutes + extension.extension_minutes as expected_night_minutes,
        {{ legal_minutes(
            'days.expected_clock_minutes', '(days.night_clock_minutes + extension.extension_minutes)'
        ) }} as expected_legal_minutes,
        days.longest_break_minutes

    from days
    inner join extension
        on days.schedule_code = extension.schedule_code
        and days.weekday = extension.weekday

)

select * from final
