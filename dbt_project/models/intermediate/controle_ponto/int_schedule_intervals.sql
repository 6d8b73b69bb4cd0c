-- Each scheduled interval as minute offsets from the work date's midnight; intervals that cross
-- midnight, or start after the previous one ended past midnight, move to the next day
-- (22:00-02:00,03:00-06:00 → 1320-1560, 1620-1800).
with

schedules as (

    select * from {{ ref('stg_ponto__work_schedules') }}
    where intervals <> ''

),

split as (

    select
        schedules.schedule_code,
        schedules.weekday,
        parts.interval_number::integer as interval_number,
        extract(hour from split_part(parts.interval_text, '-', 1)::time) * 60
        + extract(minute from split_part(parts.interval_text, '-', 1)::time) as start_minute,
        extract(hour from split_part(parts.interval_text, '-', 2)::time) * 60
        + extract(minute from split_part(parts.interval_text, '-', 2)::time) as end_minute

    from schedules
    cross join lateral regexp_split_to_table(schedules.intervals, ',') with ordinality as parts (
        interval_text, interval_number
    )

),

increments as (

    select
        *,
        case
            when start_minute < lag(end_minute)
                    over (
                        partition by schedule_code, weekday order by interval_number
                    )
                then 1
            else 0
        end as starts_next_day,
        case when end_minute <= start_minute then 1 else 0 end as ends_next_day

    from split

),

days as (

    select
        *,
        coalesce(sum(ends_next_day) over (
            partition by schedule_code, weekday order by interval_number
            rows between unbounded preceding and 1 preceding
        ), 0) + sum(starts_next_day) over (
            partition by schedule_code, weekday order by interval_number
        ) as start_day

    from increments

),

final as (

    select
        schedule_code,
        weekday,
        interval_number,
        (start_day * 1440 + start_minute)::integer as start_offset_minutes,
        ((start_day + ends_next_day) * 1440 + end_minute)::integer as end_offset_minutes

    from days

)

select * from final
